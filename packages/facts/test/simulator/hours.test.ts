import type { HourWrite } from "@rostersync/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createFactsHoursSink, DUPLICATE_PREFIX, parseMarker, WITHDRAWN_PREFIX } from "../../src/index.js";
import { createFactsSimulator, type FactsFault, type FaultRule, generateSchool } from "../../src/testing/index.js";
import { KEYS, useServers } from "./support.js";

const serve = useServers();
const school = generateSchool({ seed: 21, people: 200 });
const students = school.tables["/Students"].map((s) => String(s.studentId));
const parents = [...new Set(school.tables["/People/ParentStudent"].map((l) => String(l.parentID)))];

const create = (i: number, role: "student" | "parent" = i % 4 === 3 ? "parent" : "student"): HourWrite => ({
  hourId: `hour-${i}`,
  op: "create",
  hour: {
    personId: (role === "student" ? students[i % students.length] : parents[i % parents.length]) as string,
    role,
    date: `2026-01-${String(1 + (i % 28)).padStart(2, "0")}`,
    hours: 1 + (i % 3),
    description: `Shift ${i}`,
    note: i % 2 === 0 ? `Note ${i}` : null,
  },
});

/** The host hour ids of the stored records, with how many records each has (marked duplicates left out). */
const stored = (sim: ReturnType<typeof createFactsSimulator>) => {
  const byMarker = new Map<string, number>();
  for (const r of sim.serviceHours()) {
    const { hostHourId: id, mark } = parseMarker(r.note);
    if (id !== null && mark !== "duplicate") byMarker.set(id, (byMarker.get(id) ?? 0) + 1);
  }
  return byMarker;
};

describe("service hours through the simulator", () => {
  it("creates, updates, withdraws (FACTS cannot delete) and lists through the real sink", async () => {
    const sim = createFactsSimulator({ school, keys: KEYS, rateLimit: false });
    const { client } = await serve(sim);
    const sink = createFactsHoursSink({ client, readBackDelayMs: 1 });
    const writes = [create(0), create(1), create(3)];
    const created = (await sink.write(writes))._unsafeUnwrap();
    expect(created.map((o) => o.status)).toEqual(["created", "created", "created"]);
    expect(
      sim
        .serviceHours()
        .map((r) => String(r.serviceHoursId))
        .sort(),
    ).toEqual(created.map((o) => o.serviceHoursId).sort());
    const first = writes[0] as HourWrite;
    const updated = (
      await sink.write([
        {
          ...first,
          op: "update",
          serviceHoursId: created[0]?.serviceHoursId ?? null,
          hour: { ...first.hour, hours: 7 },
        },
        { ...(writes[1] as HourWrite), op: "delete", serviceHoursId: created[1]?.serviceHoursId ?? null },
      ])
    )._unsafeUnwrap();
    expect(updated.map((o) => o.status)).toEqual(["updated", "withdrawn"]);
    expect(updated[1]).toMatchObject({ serviceHoursId: created[1]?.serviceHoursId, attention: expect.any(String) });
    const listed = (await sink.listAll())._unsafeUnwrap();
    // The withdrawn record is still in FACTS, zeroed and marked for a person to delete.
    expect(listed.map((h) => [h.hostHourId, h.hours, h.role]).sort()).toEqual([
      ["hour-0", 7, "student"],
      ["hour-1", 0, "student"],
      ["hour-3", 1, "parent"],
    ]);
    const kept = sim.serviceHours().find((r) => parseMarker(r.note).hostHourId === "hour-1");
    expect(kept?.note?.startsWith(WITHDRAWN_PREFIX)).toBe(true);
    expect(sim.stats().writes).toMatchObject({ created: 3, updated: 2, deleted: 0 });
    expect(sim.log().some((e) => e.method === "DELETE")).toBe(false);
  });

  it("refuses student hours under the other id kind (studentHoursPersonId), and the sink reports them failed", async () => {
    const sim = createFactsSimulator({ school, keys: KEYS, rateLimit: false, studentHoursPersonId: "personStudentId" });
    const { client } = await serve(sim);
    const byStudentId = (await createFactsHoursSink({ client }).write([create(0, "student")]))._unsafeUnwrap();
    // The student's studentId may be somebody's personStudentId (the trap), so pick one that is not.
    const personStudentIds = new Set(school.tables["/Students"].map((s) => s.personStudentId));
    if (!personStudentIds.has(Number(create(0, "student").hour.personId))) {
      expect(byStudentId[0]).toMatchObject({ status: "failed", error: { type: "BadRequest" } });
    }
    const sink = createFactsHoursSink({ client, studentPersonId: "personStudentId" });
    const ok = (await sink.write([create(4, "student")]))._unsafeUnwrap();
    expect(ok[0]).toMatchObject({ status: "created" });
    const stored = sim.serviceHours().find((r) => parseMarker(r.note).hostHourId === "hour-4");
    const student = school.tables["/Students"].find((s) => String(s.studentId) === create(4).hour.personId);
    expect(stored?.personId).toBe(student?.personStudentId);
  });

  it("shows a fresh write only after writeVisibleAfterMs, and the sink reports ReadBackMissing, then finds it", async () => {
    const sim = createFactsSimulator({ school, keys: KEYS, rateLimit: false, writeVisibleAfterMs: 400 });
    const { client } = await serve(sim);
    const sink = createFactsHoursSink({ client, readBackAttempts: 1, readBackDelayMs: 1 });
    const first = (await sink.write([create(0)]))._unsafeUnwrap();
    expect(first[0]).toMatchObject({ status: "failed", error: { type: "ReadBackMissing" } });
    await new Promise((r) => setTimeout(r, 450));
    const again = (await sink.write([{ ...create(0), reconcile: true }]))._unsafeUnwrap();
    expect(again[0]).toMatchObject({
      status: "created",
      serviceHoursId: String(sim.serviceHours()[0]?.serviceHoursId),
    });
    expect(sim.serviceHours()).toHaveLength(1);
  });
});

describe("a duplicate left by a late request", () => {
  it("is withdrawn and marked as a duplicate on the hour's next reconcile, keeping the oldest record", async () => {
    const sim = createFactsSimulator({ school, keys: KEYS, rateLimit: false });
    const { client } = await serve(sim);
    const sink = createFactsHoursSink({ client, readBackDelayMs: 1 });
    const first = (await sink.write([create(0), create(1)]))._unsafeUnwrap();
    // What a create that timed out on the client but landed later leaves behind: a second record, same marker.
    const original = sim.serviceHours().find((r) => parseMarker(r.note).hostHourId === "hour-0");
    const { role: _role, yearId: _year, createdBy: _by, ...copy } = original as unknown as Record<string, unknown>;
    (await client.request("POST", "/Students/ServiceHours", { json: { ...copy, serviceHoursId: 0 } }))._unsafeUnwrap();
    expect(stored(sim).get("hour-0")).toBe(2);
    const again = (await sink.write([{ ...create(0), reconcile: true }]))._unsafeUnwrap();
    expect(again[0]).toMatchObject({ status: "created", serviceHoursId: first[0]?.serviceHoursId });
    // FACTS cannot delete it: the second record stays, zeroed, marked, and named for a person to remove.
    const duplicate = sim.serviceHours().find((r) => parseMarker(r.note).mark === "duplicate");
    expect(duplicate).toMatchObject({ hours: 0 });
    expect(duplicate?.note?.startsWith(DUPLICATE_PREFIX)).toBe(true);
    expect(again[0]?.attention).toContain(String(duplicate?.serviceHoursId));
    expect(sim.serviceHours()).toHaveLength(3);
    // The next reconcile leaves it alone: it is no candidate for the hour any more.
    const third = (await sink.write([{ ...create(0), reconcile: true }]))._unsafeUnwrap();
    expect(third[0]).toMatchObject({ status: "created", serviceHoursId: first[0]?.serviceHoursId });
    expect(third[0]?.attention).toBeUndefined();
    expect(stored(sim)).toEqual(
      new Map([
        ["hour-0", 1],
        ["hour-1", 1],
      ]),
    );
    expect(String(sim.serviceHours().find((r) => parseMarker(r.note).hostHourId === "hour-0")?.serviceHoursId)).toBe(
      first[0]?.serviceHoursId,
    );
  });
});

describe("hours exactly once under faults (property)", () => {
  const faultKinds: FactsFault[] = [
    { type: "lostResponse" },
    { type: "drop" },
    { type: "serverError" },
    { type: "timeout" },
    { type: "rateLimit", retryAfterSeconds: 0 },
  ];
  const rule = fc.record({
    method: fc.constantFrom("POST", "GET"),
    endpoint: fc.constantFrom("/Students/ServiceHours", "/Parents/ServiceHours"),
    nth: fc.integer({ min: 1, max: 12 }),
    fault: fc.constantFrom(...faultKinds),
  });

  it("writes every hour exactly once, whatever requests are lost, failed or never answered", async () => {
    const fired = { lostResponse: 0, drop: 0, serverError: 0, timeout: 0, rateLimit: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 10 }),
        fc.array(rule, { minLength: 1, maxLength: 8 }),
        async (count, rules) => {
          const sim = createFactsSimulator({ school, keys: KEYS, rateLimit: false, faults: rules as FaultRule[] });
          const { client } = await serve(sim, {
            timeoutMs: 400,
            retry: { limit: 1, baseDelayMs: 1, jitter: (d: number) => d },
          });
          const sink = createFactsHoursSink({ client, readBackDelayMs: 50, readBackAttempts: 2 });
          const writes = Array.from({ length: count }, (_, i) => create(i));
          const done = new Map<string, string>();
          let pending = writes;
          // As the sync does: what failed is sent again on the next push, reconciled by its marker.
          for (let push = 0; push < 6 && pending.length > 0; push++) {
            const outcomes = await sink.write(pending);
            const next: HourWrite[] = [];
            if (outcomes.isErr()) next.push(...pending.map((w) => ({ ...w, reconcile: true })));
            else {
              outcomes.value.forEach((o, i) => {
                const w = pending[i] as HourWrite;
                if (o.status === "created" && o.serviceHoursId !== null) done.set(w.hourId, o.serviceHoursId);
                else next.push({ ...w, reconcile: true });
              });
            }
            pending = next;
          }
          for (const [type, n] of Object.entries(sim.stats().faults)) fired[type as keyof typeof fired] += n;
          expect(pending).toEqual([]);
          const markers = stored(sim);
          for (const w of writes) expect(markers.get(w.hourId)).toBe(1);
          expect(sim.serviceHours()).toHaveLength(count);
          for (const r of sim.serviceHours()) {
            expect(done.get(parseMarker(r.note).hostHourId ?? "")).toBe(String(r.serviceHoursId));
          }
        },
      ),
      {
        numRuns: 25,
        // Every kind on the first create and on the first read-back, besides the random schedules.
        examples: faultKinds.flatMap((fault) => [
          [4, [{ method: "POST", endpoint: "/Students/ServiceHours", nth: 1, fault }]],
          [4, [{ method: "GET", endpoint: "/Students/ServiceHours", nth: 1, fault }]],
        ]) as [number, { method: string; endpoint: string; nth: number; fault: FactsFault }[]][],
      },
    );
    // The schedules did hit: every kind of fault fired in some run.
    for (const n of Object.values(fired)) expect(n).toBeGreaterThan(0);
  });
});
