import type { HostHourEntry } from "@rostersync/core";
import { seededRandom } from "@rostersync/core/testing";
import { createFactsHoursSink, parseMarker } from "@rostersync/facts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceHoursServer, startServiceHoursServer } from "./facts/service-hours-server.js";
import { testFactsClient } from "./helpers/facts.js";
import { editedHour, hostHour, hoursSchool } from "./helpers/hours.js";
import { EMPTY_ROSTER, hostAccount, PUSHING_PROFILE, studentProfile } from "./helpers/school.js";

const PEOPLE = 150;
const accounts = Array.from({ length: PEOPLE }, (_, i) =>
  hostAccount(`acct-${i}`, `student${i}@example.org`, String(300001 + i)),
);

let server: ServiceHoursServer;
beforeAll(async () => {
  server = await startServiceHoursServer();
});
afterAll(() => server.close());

let tick = 0;
const stamp = () => new Date(Date.UTC(2026, 2, 1) + ++tick * 1000).toISOString();

describe("hours write-back through the FACTS hours sink over HTTP (docs/hours.md)", () => {
  it("1,000 entries with edits, un-approvals and lost answers: FACTS holds exactly the approved set", async () => {
    const random = seededRandom(1000);
    const client = testFactsClient(server.url, { timeoutMs: 5000, concurrency: 8 });
    const { sync, hoursSource } = hoursSchool({
      tenantId: "school-hours",
      roster: { ...EMPTY_ROSTER, schools: [{ schoolCode: "MAIN", name: "Main", active: true }] },
      accounts,
      sink: createFactsHoursSink({ client, readBackDelayMs: 0, readBackAttempts: 1 }),
    });
    (await sync.setup(studentProfile({ gradeLevels: [], hoursSync: PUSHING_PROFILE.hoursSync })))._unsafeUnwrap();

    for (let i = 0; i < 1000; i++) {
      hoursSource.put(
        hostHour({
          hourId: `hour-${i}`,
          accountId: `acct-${i % PEOPLE}`,
          date: `2026-02-${String(1 + (i % 28)).padStart(2, "0")}`,
          hours: 1 + (i % 3),
          description: `Library shift ${i}`,
          note: i % 10 === 0 ? "x".repeat(300) : null,
          updatedAt: stamp(),
        }),
      );
    }
    // A clean first push: requests stay within the budget of docs/architecture.md, performance targets (≤ 1.05 per entry).
    const before = server.requests.length;
    const first = (await sync.pushHours())._unsafeUnwrap();
    expect(first).toMatchObject({ created: 1000, settled: true });
    const perEntry = (server.requests.length - before) / 1000;
    expect(perEntry).toBeLessThanOrEqual(1.05);

    // Then edits, un-approvals, deletions and re-approvals, pushed while some answers are lost.
    let lost = 0;
    server.loseAnswer = () => {
      const lose = random.chance(0.06);
      if (lose) lost++;
      return lose;
    };
    for (let round = 0; round < 4; round++) {
      for (let k = 0; k < 120; k++) {
        const current = hoursSource.getInstance().entries.get(`hour-${random.int(0, 999)}`) as HostHourEntry;
        const edits = { cuts: [0.4, 0.75, 0.85], moreHours: 0.5, suffix: " (edited)" } as const;
        hoursSource.put(editedHour(current, random.next(), stamp(), edits));
      }
      await sync.pushHours();
    }
    server.loseAnswer = () => false;
    expect(lost).toBeGreaterThan(10);
    let last = (await sync.pushHours())._unsafeUnwrap();
    for (let guard = 0; !last.settled && guard < 5; guard++) last = (await sync.pushHours())._unsafeUnwrap();
    expect(last.settled).toBe(true);

    const wanted = [...hoursSource.getInstance().entries.values()].filter((e) => e.approved && !e.deleted);
    const all = [...(server.tables.get("/Students/ServiceHours")?.values() ?? [])];
    // FACTS cannot delete: what was removed here stays there withdrawn (no hours, marked) for a person to delete.
    const held = all.filter((r) => parseMarker(r.note as string | null).mark === "live");
    const withdrawn = all.filter((r) => parseMarker(r.note as string | null).mark !== "live");
    expect(withdrawn.length).toBeGreaterThan(0);
    for (const r of withdrawn) expect(r.hours).toBe(0);
    const wantedIds = new Set(wanted.map((e) => e.hourId));
    for (const r of withdrawn) expect(wantedIds.has(parseMarker(r.note as string | null).hostHourId ?? "")).toBe(false);
    const byMarker = new Map<string, (typeof held)[number][]>();
    for (const r of held) {
      const marker = parseMarker(r.note as string | null).hostHourId ?? "?";
      byMarker.set(marker, [...(byMarker.get(marker) ?? []), r]);
    }
    expect(held).toHaveLength(wanted.length);
    // Never a DELETE: the stand-in, as FACTS, has none.
    expect(server.requests.some((r) => r.method === "DELETE")).toBe(false);
    for (const e of wanted) {
      const records = byMarker.get(e.hourId) ?? [];
      expect(records, e.hourId).toHaveLength(1);
      expect(records[0]).toMatchObject({
        hours: e.hours,
        personId: Number(accounts[Number(e.accountId.slice(5))]!.sourceId),
      });
      expect(String(records[0]!.description)).toBe(e.description);
    }
  }, 300_000);
});

describe("removing an hour from FACTS, which cannot delete", () => {
  it("withdraws it (never `deleted` while it is there), the ledger knows, and a re-approval restores it", async () => {
    const { sync, hoursSource, store } = hoursSchool({
      tenantId: "school-withdraw",
      accounts,
      sink: createFactsHoursSink({ client: testFactsClient(server.url), readBackDelayMs: 0, readBackAttempts: 1 }),
    });
    const profile = studentProfile({
      schools: [],
      gradeLevels: [],
      hoursSync: { enabled: false, historicImportDone: true },
    });
    (await sync.setup(profile))._unsafeUnwrap();
    // The stand-in FACTS still holds the hours of the test before: this school leaves them alone.
    (await sync.enableHoursSync({ force: true }))._unsafeUnwrap();
    const entry = hostHour({
      hourId: "w-1",
      accountId: "acct-7",
      date: "2026-03-02",
      hours: 2,
      description: "Book fair",
      note: null,
      updatedAt: stamp(),
    });
    hoursSource.put(entry);
    const created = (await sync.pushHours())._unsafeUnwrap();
    const id = created.outcomes[0]?.serviceHoursId ?? "";
    expect(created).toMatchObject({ created: 1 });
    const record = () => server.tables.get("/Students/ServiceHours")?.get(Number(id));

    hoursSource.put({ ...entry, approved: false, updatedAt: stamp() });
    const removed = (await sync.pushHours())._unsafeUnwrap();
    expect(removed).toMatchObject({ deleted: 0, withdrawn: 1, settled: true });
    expect(removed.outcomes[0]).toMatchObject({ status: "withdrawn", serviceHoursId: id });
    expect(removed.needsAttention.map((o) => o.hourId)).toEqual(["w-1"]);
    expect(removed.needsAttention[0]?.attention).toContain(id);
    expect(record()).toMatchObject({ hours: 0 });
    const ledger = (await store.getHoursLedger("school-withdraw"))._unsafeUnwrap();
    expect(ledger.find((l) => l.hourId === "w-1")).toMatchObject({ state: "withdrawn", serviceHoursId: id });

    // Still unapproved: nothing more is sent, and it stays withdrawn.
    hoursSource.put({ ...entry, approved: false, description: "Book fair (old)", updatedAt: stamp() });
    const before = server.requests.length;
    const again = (await sync.pushHours())._unsafeUnwrap();
    expect(again.outcomes[0]).toMatchObject({ status: "withdrawn", serviceHoursId: id });
    expect(again.withdrawn).toBe(0);
    expect(server.requests.length).toBe(before);

    // Approved again: the same record comes back, no second one.
    hoursSource.put({ ...entry, approved: true, hours: 3, updatedAt: stamp() });
    const restored = (await sync.pushHours())._unsafeUnwrap();
    expect(restored.outcomes[0]).toMatchObject({ status: "created", serviceHoursId: id });
    expect(record()).toMatchObject({ hours: 3 });
    expect(parseMarker(record()?.note as string)).toMatchObject({ hostHourId: "w-1", mark: "live" });
    const mine = [...(server.tables.get("/Students/ServiceHours")?.values() ?? [])].filter(
      (r) => parseMarker(r.note as string | null).hostHourId === "w-1",
    );
    expect(mine).toHaveLength(1);
    expect(
      (await store.getHoursLedger("school-withdraw"))._unsafeUnwrap().find((l) => l.hourId === "w-1"),
    ).toMatchObject({
      state: "synced",
      serviceHoursId: id,
    });
  });
});
