import { describe, expect, it } from "vitest";
import { fixedClock, manualClock } from "../../src/memory/clock.js";
import { createMemoryHoursSink, createMemoryHoursSource } from "../../src/memory/hours.js";
import { createMemoryRosterSource } from "../../src/memory/roster-source.js";
import { createMemoryTardySink, createMemoryTardySource } from "../../src/memory/tardies.js";
import { createMemoryDirectory } from "../../src/memory/target-directory.js";
import { account } from "../test-fixtures.js";

const newAccount = { email: "kid@school.org", firstName: "Kid", lastName: "Lee", sourceId: "1", fields: {} };
const hour = { personId: "1", role: "parent" as const, date: "2026-09-01", hours: 2, description: "Library" };

describe("memory adapters", () => {
  it("directory: creates once per idempotency key and keeps emails unique", async () => {
    const directory = createMemoryDirectory({ accounts: [account("a1", { email: "Taken@school.org" })] });
    const first = await directory.createAccount(newAccount, "1");
    const replay = await directory.createAccount(newAccount, "1");
    expect(first._unsafeUnwrap().created).toBe(true);
    expect(replay._unsafeUnwrap()).toEqual({ accountId: first._unsafeUnwrap().accountId, created: false });
    const taken = await directory.createAccount({ ...newAccount, email: "taken@school.org", sourceId: "2" }, "2");
    expect(taken._unsafeUnwrapErr().type).toBe("EmailTaken");
    const update = await directory.updateAccount("a1", { email: "kid@school.org" });
    expect(update._unsafeUnwrapErr().type).toBe("EmailTaken");
    expect(directory.snapshot()).toHaveLength(2);
  });

  it("directory: links, updates, archives and restores; a fault hook fails a write without writing", async () => {
    const directory = createMemoryDirectory({
      accounts: [account("a1", { managed: false })],
      fault: (op) => (op === "archiveAccount" ? { type: "Unavailable", message: "down", retryable: true } : null),
    });
    await directory.linkAccount("a1", "7", { fields: { Room: "5A" }, familyGroupId: "F1" });
    await directory.restoreAccount("a1", { firstName: "Ann" });
    expect(directory.getInstance().accounts.get("a1")).toMatchObject({
      sourceId: "7",
      managed: true,
      familyGroupId: "F1",
      firstName: "Ann",
      fields: { Room: "5A" },
    });
    expect((await directory.archiveAccount("a1"))._unsafeUnwrapErr().type).toBe("Unavailable");
    expect(directory.getInstance().accounts.get("a1")?.archived).toBe(false);
    expect((await directory.updateAccount("nope", {}))._unsafeUnwrapErr().type).toBe("NotFound");
  });

  it("roster source: answers the snapshot, or the fault", async () => {
    const snapshot = { people: [], schools: [], gradeLevels: [] };
    const source = createMemoryRosterSource({
      snapshot: () => snapshot,
      fault: (n) => (n === 2 ? { type: "Unavailable", message: "502" } : null),
    });
    expect((await source.read())._unsafeUnwrap()).toBe(snapshot);
    expect((await source.read()).isErr()).toBe(true);
    expect(source.reads()).toBe(2);
  });

  it("hours sink: a reconciling write finds the record a lost write made instead of duplicating it", async () => {
    let lose = true;
    const sink = createMemoryHoursSink({
      fault: () => (lose ? { error: { type: "Timeout", message: "lost" }, afterWrite: true } : null),
    });
    const lost = (await sink.write([{ hourId: "h1", op: "create", hour }]))._unsafeUnwrap();
    expect(lost[0]?.status).toBe("failed");
    lose = false;
    const retried = (await sink.write([{ hourId: "h1", op: "create", hour, reconcile: true }]))._unsafeUnwrap();
    expect(retried[0]?.status).toBe("updated");
    expect(sink.snapshot()).toHaveLength(1);
    const deleted = (await sink.write([{ hourId: "h1", op: "delete", hour, serviceHoursId: "sh-1" }]))._unsafeUnwrap();
    expect(deleted[0]?.status).toBe("deleted");
    expect(sink.getInstance().requests.count).toBe(3);
  });

  it("hours source: answers changes after a watermark and imports historic hours once", async () => {
    const base = {
      accountId: "a1",
      role: "parent" as const,
      date: "2026-09-01",
      hours: 1,
      description: "x",
      approved: true,
      deleted: false,
    };
    const source = createMemoryHoursSource({
      entries: [
        { ...base, hourId: "h1", updatedAt: "2026-09-01T10:00:00Z" },
        { ...base, hourId: "h2", updatedAt: "2026-09-02T10:00:00Z" },
      ],
    });
    const changes = (await source.changedSince("2026-09-01T12:00:00Z"))._unsafeUnwrap();
    expect(changes.entries.map((e) => e.hourId)).toEqual(["h2"]);
    expect(changes.watermark).toBe("2026-09-02T10:00:00Z");
    const historic = { ...hour, serviceHoursId: "sh-9", hostHourId: null };
    expect((await source.importHistoric([historic, historic]))._unsafeUnwrap().imported).toBe(1);
  });

  it("tardies: filters by school, code and watermark; the sink keeps deliveries", async () => {
    const event = {
      eventId: "e1",
      schoolId: "s1",
      studentSisId: "1",
      studentFirstName: "Kid",
      studentLastName: "Lee",
      date: "2026-09-01",
      checkInTime: "08:10",
      minutesLate: 10,
      periodId: null,
      behaviorCodeId: "T",
      staff: null,
      comment: null,
      status: "active" as const,
      updatedAt: "2026-09-01T08:10:00Z",
    };
    const source = createMemoryTardySource({ tardies: [event, { ...event, eventId: "e2", schoolId: "s2" }] });
    const found = (
      await source.listTardies({ schoolIds: ["s1"], behaviorCodeIds: ["T"], since: null })
    )._unsafeUnwrap();
    expect(found.events.map((e) => e.eventId)).toEqual(["e1"]);
    const none = await source.listTardies({ schoolIds: ["s1"], behaviorCodeIds: ["T"], since: found.watermark });
    expect(none._unsafeUnwrap().events).toEqual([]);
    const sink = createMemoryTardySink();
    await sink.deliver({ exportId: "x", runId: "r", filename: "f.csv", mediaType: "text/csv", body: "", records: [] });
    expect(sink.getInstance().deliveries).toHaveLength(1);
  });

  it("clocks: fixed stays, manual moves when told", () => {
    expect(fixedClock(5).now()).toBe(5);
    const clock = manualClock(10);
    clock.advance(5);
    expect(clock.now()).toBe(15);
    clock.set(1);
    expect(clock.now()).toBe(1);
  });
});
