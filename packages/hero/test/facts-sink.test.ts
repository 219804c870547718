// The FACTS attendance sink against msw handlers over a small attendance model of our own
// (helpers/fake-facts-attendance.ts), written before @rostersync/facts/testing served attendance; the sink
// against that simulator is facts-sink-simulator.test.ts.
import { createMemoryStore, createMemoryTardySource, type SyncStore, type TardyEvent } from "@rostersync/core";
import { createFactsClient, type FactsClientOptions } from "@rostersync/facts";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { errAsync } from "neverthrow";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createFactsAttendanceSink,
  type FactsAttendanceSinkOptions,
  listFactsAttendanceCodes,
  runExport,
} from "../src/index.js";
import { createFakeFacts, type FakeFacts, type FakeFactsOptions, LostAnswer } from "./helpers/fake-facts-attendance.js";
import { behaviorCodes, bellSchedules, edit, factsExportConfig, schools, tardy } from "./helpers/school.js";

const BASE = "https://facts.test";
let current: FakeFacts = createFakeFacts();
const server = setupServer(
  http.all(`${BASE}/*`, async ({ request }) => {
    try {
      return await current.handle(request);
    } catch (error) {
      if (error instanceof LostAnswer) return HttpResponse.error();
      throw error;
    }
  }),
);
beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
afterAll(() => server.close());
afterEach(() => {
  current = createFakeFacts();
});

const tenantId = "school-1";
const factsConfig = factsExportConfig();
// FACTS's attendance columns are integers: the mapping says which one each period is.
const classes = {
  "LHS/1": { classId: 501, column: 1 },
  "LHS/2": { classId: 502, column: 2 },
  "3": { classId: 503, column: 3 },
};

function setup(
  events: TardyEvent[],
  fake: FakeFactsOptions = {},
  sinkOptions: Partial<FactsAttendanceSinkOptions> = {},
  client: Partial<FactsClientOptions> = {},
) {
  current = createFakeFacts(fake);
  const facts = createFactsClient({
    subscriptionKey: "sub-0123456789abcdef",
    apiKey: "api-0123456789abcdef0123456789",
    baseUrl: BASE,
    budget: { windows: [{ requests: 1_000_000, windowMs: 1000 }], marginMs: 0 },
    retry: { baseDelayMs: 1, maxDelayMs: 2, jitter: (d) => d },
    concurrency: 16,
    ...client,
  });
  const sink = createFactsAttendanceSink({ client: facts, classes, ...sinkOptions });
  const store = createMemoryStore();
  const source = createMemoryTardySource({ schools, behaviorCodes, bellSchedules, tardies: events });
  return {
    fake: current,
    sink,
    store,
    source,
    facts,
    options: { now: Date.now(), tenantId, store, source, sinks: { facts: sink } },
  };
}

const many = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    tardy(`e${i + 1}`, {
      periodId: (["p1", "p2", "p3"] as const)[i % 3] as string,
      comment: i % 7 === 0 ? "bus" : null,
    }),
  );

describe("FACTS attendance sink", () => {
  it("POSTs each tardy as an attendance record with the class and column of its period", async () => {
    const { fake, options, store } = setup([tardy("e1", { comment: "bus" }), tardy("e2", { periodId: "p3" })]);
    const report = (await runExport(factsConfig, options))._unsafeUnwrap();
    expect(report.delivered).toBe(2);
    const rows = [...fake.rows.values()];
    expect(rows).toEqual([
      {
        attendanceId: 70000,
        studentId: 1001,
        classId: 501,
        attendanceDate: "2026-09-14T00:00:00",
        column: 1,
        attendanceCode: "T",
        attendanceEventReason: "bus [hero:e1]",
        setByAdmin: true,
        updated: false,
      },
      expect.objectContaining({ studentId: 1002, classId: 503, column: 3, attendanceEventReason: "[hero:e2]" }),
    ]);
    // The 200 answer's record gives the id: no read after the creates.
    expect(fake.requests).toMatchObject({ POST: 2, GET: 1 });
    const ledger = (await store.getExportLedger(tenantId, "tardies-to-facts"))._unsafeUnwrap();
    expect(Object.fromEntries(ledger.map((l) => [l.eventId, l.externalId]))).toEqual({ e1: "70000", e2: "70001" });
  });

  it("spends about one request per tardy: one read before each batch of 200, none after (POST answers the record)", {
    timeout: 300_000,
  }, async () => {
    const { fake, options } = setup(many(450));
    (await runExport(factsConfig, options))._unsafeUnwrap();
    expect(fake.requests).toMatchObject({ POST: 450, GET: 3, PUT: 0, PATCH: 0 });
    expect((fake.requests.POST + fake.requests.GET) / 450).toBeLessThanOrEqual(1.01);
    // Should FACTS ever answer a create without the record, one read after the batch finds the ids.
    const withoutIds = setup(many(450), { returnCreated: false });
    (await runExport(factsConfig, withoutIds.options))._unsafeUnwrap();
    expect(withoutIds.fake.requests).toMatchObject({ POST: 450, GET: 6 });
  });

  it("corrects an edited tardy with PUT and voids a voided one with PATCH, by attendanceId", async () => {
    const { fake, options, source } = setup([tardy("e1"), tardy("e2"), tardy("e3")]);
    await runExport(factsConfig, options);
    const get = (id: string) => source.getInstance().tardies.get(id) as TardyEvent;
    source.put(edit(get("e1"), { behaviorCodeId: "tardy-unexcused", periodId: "p2" }));
    source.put(edit(get("e2"), { status: "voided" }));
    const posts = fake.requests.POST;
    const report = (await runExport(factsConfig, options))._unsafeUnwrap();
    expect(report.counts).toMatchObject({ correction: 1, void: 1 });
    // e1 moved to period 2, which FACTS's PUT cannot do: its old record is voided, a new one written.
    expect(fake.requests.POST).toBe(posts + 1);
    expect(fake.requests).toMatchObject({ PUT: 0, PATCH: 2 });
    const rows = [...fake.rows.values()];
    expect(rows.find((r) => r.attendanceId === 70000)).toMatchObject({
      classId: 501,
      column: 1,
      attendanceCode: "",
      attendanceEventReason: "[hero:e1] (voided)",
      updated: true,
    });
    expect(rows.find((r) => r.attendanceId === 70003)).toMatchObject({
      classId: 502,
      column: 2,
      attendanceCode: "TU",
      attendanceEventReason: "[hero:e1]",
    });
    expect(rows.find((r) => r.attendanceId === 70001)).toMatchObject({
      attendanceCode: "",
      attendanceEventReason: "[hero:e2] (voided)",
    });
    // A correction in the same slot is a PUT of what it may change: the code, the reason and the flags.
    source.put(edit(get("e3"), { behaviorCodeId: "tardy-unexcused" }));
    const puts = current.requests.PUT;
    (await runExport(factsConfig, options))._unsafeUnwrap();
    expect(fake.requests.PUT).toBe(puts + 1);
    expect(rows.length + 0).toBe(4);
    expect(fake.rows.get(70002)).toMatchObject({ classId: 501, column: 1, attendanceCode: "TU", updated: true });
  });

  it("writes exactly once under lost answers, 429s and failed reads, whatever number of runs it takes", {
    timeout: 300_000,
  }, async () => {
    const { fake, options, source, store } = setup(many(300), {
      lostCreate: 0.25,
      rateLimit: 0.05,
      readFailure: 0.1,
      seed: 7,
    });
    let runs = 0;
    for (; runs < 40; runs++) {
      const r = await runExport(factsConfig, options);
      if (r.isOk()) break;
      expect(r.error.type).toBe("DeliveryFailed");
    }
    expect(runs).toBeLessThan(40);
    expect(fake.faults.lostCreate).toBeGreaterThan(20);
    expect(fake.faults.rateLimited).toBeGreaterThan(5);
    expect(fake.rows.size).toBe(300);
    expect(fake.duplicates()).toBe(0);
    const ledger = (await store.getExportLedger(tenantId, "tardies-to-facts"))._unsafeUnwrap();
    expect(ledger).toHaveLength(300);
    for (const entry of ledger) {
      expect(fake.rows.get(Number(entry.externalId))?.attendanceEventReason).toContain(`[hero:${entry.eventId}]`);
    }
    // Edits under the same faults still land once each, on the same records.
    for (let i = 1; i <= 300; i += 3) {
      source.put(edit(source.getInstance().tardies.get(`e${i}`) as TardyEvent, { behaviorCodeId: "tardy-unexcused" }));
    }
    for (let n = 0; n < 40; n++) if ((await runExport(factsConfig, options)).isOk()) break;
    expect(fake.rows.size).toBe(300);
    expect([...fake.rows.values()].filter((r) => r.attendanceCode === "TU")).toHaveLength(100);
    expect((await runExport(factsConfig, options))._unsafeUnwrap().delivered).toBe(0);
  });

  it("finds what it wrote by reading back when the run died before its ledger was saved", async () => {
    const { fake, options, store } = setup(many(50));
    let crash = true;
    const flaky: SyncStore = {
      ...store,
      putExportLedger: (...args) =>
        crash ? errAsync({ type: "Unavailable", message: "store down" }) : store.putExportLedger(...args),
    };
    expect((await runExport(factsConfig, { ...options, store: flaky })).isErr()).toBe(true);
    expect(fake.requests.POST).toBe(50);
    crash = false;
    const report = (await runExport(factsConfig, { ...options, store: flaky }))._unsafeUnwrap();
    expect(report.delivered).toBe(50);
    expect(fake.requests.POST).toBe(50);
    expect(fake.rows.size).toBe(50);
    const ledger = (await store.getExportLedger(tenantId, "tardies-to-facts"))._unsafeUnwrap();
    expect(ledger.every((l) => l.externalId !== undefined)).toBe(true);
  });

  it("writes a correction again when its FACTS record was deleted, and counts a void of one as done", async () => {
    const { fake, options, source } = setup([tardy("e1"), tardy("e2")]);
    await runExport(factsConfig, options);
    fake.rows.clear();
    const get = (id: string) => source.getInstance().tardies.get(id) as TardyEvent;
    source.put(edit(get("e1"), { comment: "late bus" }));
    source.put(edit(get("e2"), { status: "voided" }));
    const report = (await runExport(factsConfig, options))._unsafeUnwrap();
    expect(report.counts).toMatchObject({ correction: 1, void: 1 });
    expect([...fake.rows.values()]).toEqual([
      expect.objectContaining({ studentId: 1001, attendanceEventReason: "late bus [hero:e1]" }),
    ]);
  });

  it("updates a slot a teacher already marked instead of adding a second record", async () => {
    const { fake, options } = setup([tardy("e1")]);
    fake.rows.set(1, {
      attendanceId: 1,
      studentId: 1001,
      classId: 501,
      attendanceDate: "2026-09-14T00:00:00",
      column: 1,
      attendanceCode: "A",
      attendanceEventReason: "",
      setByAdmin: false,
      updated: false,
    });
    (await runExport(factsConfig, options))._unsafeUnwrap();
    expect([...fake.rows.values()]).toEqual([expect.objectContaining({ attendanceId: 1, attendanceCode: "T" })]);
    expect(fake.requests).toMatchObject({ POST: 0, PUT: 1 });
  });

  it("writes the tardies it can map, reports the others, and sends only those again", async () => {
    const events = [tardy("e1"), tardy("e2", { periodId: "p3" }), tardy("e3", { periodId: "p2" })];
    const { fake, options } = setup(events, {}, { classes: { "LHS/1": classes["LHS/1"] } });
    const error = (await runExport(factsConfig, options))._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "DeliveryFailed", deliveredEventIds: ["e1"] });
    if (error.type !== "DeliveryFailed") return;
    expect(error.cause).toMatchObject({ type: "RecordsRejected" });
    expect(error.cause.message).toContain("period 3 of school LHS is not mapped to a FACTS class");
    expect(fake.rows.size).toBe(1);
    const fixed = createFactsAttendanceSink({
      client: createFactsClient({
        subscriptionKey: "sub-0123456789abcdef",
        apiKey: "api-0123456789abcdef0",
        baseUrl: BASE,
      }),
      classes,
    });
    const again = (await runExport(factsConfig, { ...options, sinks: { facts: fixed } }))._unsafeUnwrap();
    expect(again.counts).toMatchObject({ new: 2, unchanged: 1 });
    expect(fake.rows.size).toBe(3);
  });

  it("stops at a refused key (403) and says so, recording nothing it did not write", async () => {
    const { options } = setup([tardy("e1")]);
    server.use(
      http.all(`${BASE}/*`, () =>
        HttpResponse.json({ type: "about:blank", title: "Forbidden", status: 403 }, { status: 403 }),
      ),
    );
    try {
      const error = (await runExport(factsConfig, options))._unsafeUnwrapErr();
      expect(error).toMatchObject({
        type: "DeliveryFailed",
        deliveredEventIds: [],
        cause: { type: "Interrupted", fatal: true },
      });
      expect(error.message).toContain("People: Read");
      expect(error.message).not.toContain("api-0123456789abcdef");
    } finally {
      server.resetHandlers();
    }
  });

  it("reads FACTS's attendance codes for checking External Reference Codes", async () => {
    const { facts } = setup([]);
    server.use(
      http.get(`${BASE}/Academics/AttendanceCodes`, () =>
        HttpResponse.json({
          results: [{ attendanceCode: "T" }, { code: "TU" }, { attendanceCode: " T " }, { description: "none" }],
          currentPage: 1,
          pageCount: 1,
          pageSize: 1000,
          rowCount: 4,
          nextPage: "",
        }),
      ),
    );
    try {
      expect((await listFactsAttendanceCodes(facts))._unsafeUnwrap()).toEqual(["T", "TU"]);
      server.use(
        http.get(`${BASE}/Academics/AttendanceCodes`, () => HttpResponse.json([{ code: "A" }, { code: "P" }])),
      );
      expect((await listFactsAttendanceCodes(facts))._unsafeUnwrap()).toEqual(["A", "P"]);
    } finally {
      server.resetHandlers();
    }
  });
});

describe("FACTS attendance sink read-backs", () => {
  it("batches tardies by date, so a read-back does not pull the attendance of every day in between", {
    timeout: 300_000,
  }, async () => {
    const day = (d: number) => new Date(Date.UTC(2026, 0, d)).toISOString().slice(0, 10);
    // 400 new tardies of 200 students, alternating between 5 January and 5 December.
    const events = Array.from({ length: 400 }, (_, i) =>
      tardy(`y${i}`, { studentSisId: String(3000 + Math.floor(i / 2)), date: day(i % 2 === 0 ? 5 : 339) }),
    );
    const { fake, options } = setup(events);
    // FACTS already holds these students' attendance on ten days in between.
    for (let s = 0; s < 200; s++) {
      for (let d = 0; d < 10; d++) {
        const attendanceId = 1 + s * 10 + d;
        fake.rows.set(attendanceId, {
          attendanceId,
          studentId: 3000 + s,
          classId: 501,
          attendanceDate: `${day(30 + d * 30)}T00:00:00`,
          column: 1,
          attendanceCode: "P",
          attendanceEventReason: "",
          setByAdmin: false,
          updated: false,
        });
      }
    }
    (await runExport(factsConfig, options))._unsafeUnwrap();
    expect(fake.rows.size).toBe(2400);
    expect(fake.duplicates()).toBe(0);
    // Two batches, one date each: one read before each (0 rows); none of the 2,000 others.
    expect(fake.requests.GET).toBe(2);
    expect(fake.reads.rows).toBe(0);
  });
});

describe("FACTS attendance sink edge cases", () => {
  it("gives two tardies of one slot one FACTS record, even when FACTS answers creates without the record", async () => {
    const { fake, options } = setup([tardy("e1"), tardy("e2", { studentSisId: "1001", comment: "again" })]);
    (await runExport(factsConfig, options))._unsafeUnwrap();
    expect([...fake.rows.values()]).toEqual([
      expect.objectContaining({ studentId: 1001, attendanceEventReason: "again [hero:e2]" }),
    ]);
  });

  it("reports a cancelled delivery as interrupted, recording only what was written", { timeout: 300_000 }, async () => {
    const { fake, options, sink } = setup(many(450));
    const controller = new AbortController();
    // Cancel during the first batch, from inside FACTS's answer to the 100th create.
    server.use(
      http.post(`${BASE}/People/StudentAttendance`, async ({ request }) => {
        const response = await current.handle(request);
        if (fake.requests.POST >= 100) controller.abort();
        return response;
      }),
    );
    const cancelling = {
      name: sink.name,
      deliver: (d: Parameters<typeof sink.deliver>[0]) => sink.deliver(d, { signal: controller.signal }),
    };
    const error = (await runExport(factsConfig, { ...options, sinks: { facts: cancelling } }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "DeliveryFailed", cause: { type: "Interrupted" } });
    if (error.type !== "DeliveryFailed") return;
    expect(error.deliveredEventIds.length).toBeLessThan(200);
    server.resetHandlers();
    // The next run finishes the job without writing anything twice.
    (await runExport(factsConfig, options))._unsafeUnwrap();
    expect(fake.rows.size).toBe(450);
    expect(fake.duplicates()).toBe(0);
  });
});
