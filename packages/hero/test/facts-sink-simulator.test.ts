// The FACTS attendance sink against the FACTS simulator of @rostersync/facts/testing, served over real HTTP
// (node:http on loopback), with FACTS's rate limit and faults on POST /People/StudentAttendance: a lost answer
// after the write was applied, 500s, 429s and dropped connections; then a run that dies before its ledger is
// saved, and an edited and a voided tardy. What FACTS holds at the end: one attendance row per tardy, none twice.
import { createMemoryStore, createMemoryTardySource, type SyncStore, type TardyEvent } from "@rostersync/core";
import { createFactsClient } from "@rostersync/facts";
import {
  createFactsSimulator,
  type FactsServer,
  type FactsSimulator,
  generateSchool,
  startFactsServer,
} from "@rostersync/facts/testing";
import { errAsync } from "neverthrow";
import { afterEach, expect, it } from "vitest";
import { createFactsAttendanceSink, runExport } from "../src/index.js";
import { behaviorCodes, bellSchedules, edit, factsExportConfig, schools, tardy } from "./helpers/school.js";

const keys = { subscriptionKey: "sub-0123456789abcdef", apiKey: "api-0123456789abcdef0123456789" };
// FACTS's per-second window. Its minute window (100 / 60 s) is left out only to keep the test short: the
// client is given exactly the simulator's windows either way.
const windows = [{ requests: 10, windowMs: 1000 }];
const tenantId = "school-1";
const factsConfig = factsExportConfig();
// Hero's bell schedule has periods 1–3 at LHS; FACTS has one class (section) per period, and its integer
// attendance column is the period's number.
const classes = {
  "LHS/1": { classId: 7101, column: 1 },
  "LHS/2": { classId: 7102, column: 2 },
  "LHS/3": { classId: 7103, column: 3 },
};
const classOfPeriod: Record<string, number> = { p1: 7101, p2: 7102, p3: 7103 };
const ATTENDANCE = "/People/StudentAttendance";

let server: FactsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Attendance requests the simulator received (every method, with or without an id), and their sum. */
function attendanceRequests(sim: FactsSimulator) {
  const byRoute = Object.fromEntries(
    Object.entries(sim.stats().byRoute).filter(([route]) => route.toLowerCase().includes("/studentattendance")),
  );
  return { byRoute, total: Object.values(byRoute).reduce((a, b) => a + b, 0) };
}

it("writes each tardy to the simulator exactly once through lost answers, 500s, 429s, drops, a crash and corrections", {
  timeout: 300_000,
}, async () => {
  const school = generateSchool({ seed: 8, people: 1000 });
  const studentIds = school.tables["/Students"].map((s) => Number(s.studentId));
  const n = 200;
  expect(studentIds.length).toBeGreaterThanOrEqual(n);
  const sim = createFactsSimulator({
    school,
    keys,
    rateLimit: { windows },
    faults: [
      { method: "POST", endpoint: ATTENDANCE, nth: [3, 37, 81, 142], fault: { type: "lostResponse" } },
      { method: "POST", endpoint: ATTENDANCE, nth: [9, 104], fault: { type: "serverError" } },
      { method: "POST", endpoint: ATTENDANCE, nth: [24, 25, 158], fault: { type: "rateLimit", retryAfterSeconds: 1 } },
      { method: "POST", endpoint: ATTENDANCE, nth: [63, 176], fault: { type: "drop" } },
    ],
  });
  server = await startFactsServer(sim, { port: 0 });
  const client = createFactsClient({
    ...keys,
    baseUrl: server.url,
    // Counted from each response: on a loaded machine the default adaptive estimate can undercount a request
    // delayed on its way out and meet a real 429, which would add requests the counts below leave out.
    budget: { windows, countFrom: "response" },
    retry: { baseDelayMs: 5, maxDelayMs: 20, jitter: (d) => d },
    // Generous: on a loaded machine a slow answer must not time out and add requests the counts below omit.
    timeoutMs: 60_000,
  });

  // One tardy per student: their FACTS studentId is the SIS id Hero knows them by.
  const events: TardyEvent[] = studentIds.slice(0, n).map((id, i) =>
    tardy(`s${i}`, {
      studentSisId: String(id),
      date: `2026-09-${String(14 + (i % 3)).padStart(2, "0")}`,
      periodId: (["p1", "p2", "p3"] as const)[i % 3] as string,
      comment: i % 10 === 0 ? "bus" : null,
    }),
  );
  const store = createMemoryStore();
  const source = createMemoryTardySource({ schools, behaviorCodes, bellSchedules, tardies: events });
  const sink = createFactsAttendanceSink({ client, classes });
  let crash = true;
  const flaky: SyncStore = {
    ...store,
    putExportLedger: (...args) =>
      crash ? errAsync({ type: "Unavailable", message: "the process died" }) : store.putExportLedger(...args),
  };
  const options = { tenantId, store: flaky, source, sinks: { facts: sink } };

  // The first run writes to FACTS through every fault, then dies before its ledger is saved.
  expect((await runExport(factsConfig, { ...options, now: Date.now() })).isErr()).toBe(true);
  crash = false;
  let runs = 0;
  for (; runs < 10; runs++) if ((await runExport(factsConfig, { ...options, now: Date.now() })).isOk()) break;
  expect(runs).toBeLessThan(10);

  // Every fault fired, and every tardy is in FACTS once, in its student's slot, with its code.
  expect(sim.stats().faults).toMatchObject({ lostResponse: 4, serverError: 2, rateLimit: 3, drop: 2 });
  const key = (r: { studentId: number; classId: number | string; attendanceDate: string; column: number }) =>
    `${r.studentId}/${String(r.classId)}/${r.attendanceDate.slice(0, 10)}/${r.column}`;
  const expected = (e: TardyEvent) =>
    `${e.studentSisId}/${classOfPeriod[e.periodId ?? ""]}/${e.date}/${(e.periodId ?? "").slice(1)}`;
  let rows = sim.attendance();
  expect(rows).toHaveLength(n);
  expect(new Set(rows.map(key)).size).toBe(n);
  expect(rows.map(key).sort()).toEqual(events.map(expected).sort());
  expect(rows.every((r) => r.attendanceCode === "T")).toBe(true);
  const reasonOf = new Map(rows.map((r) => [r.attendanceEventReason, r]));
  expect(reasonOf.get("bus [hero:s0]")).toMatchObject({
    studentId: studentIds[0],
    attendanceDate: "2026-09-14T00:00:00",
  });
  const ledger = (await store.getExportLedger(tenantId, factsConfig.exportId))._unsafeUnwrap();
  expect(ledger).toHaveLength(n);
  expect(new Set(ledger.map((l) => l.externalId)).size).toBe(n);
  expect(new Set(ledger.map((l) => l.externalId))).toEqual(new Set(rows.map((r) => String(r.attendanceId))));
  const writes = attendanceRequests(sim).total;

  // Hero edits one tardy (now unexcused, with a comment) and voids another: one PUT, one PATCH, in place.
  const get = (id: string) => source.getInstance().tardies.get(id) as TardyEvent;
  source.put(edit(get("s1"), { behaviorCodeId: "tardy-unexcused", comment: "no pass" }));
  source.put(edit(get("s2"), { status: "voided" }));
  const report = (await runExport(factsConfig, { ...options, now: Date.now() }))._unsafeUnwrap();
  expect(report.counts).toMatchObject({ correction: 1, void: 1 });
  expect((await runExport(factsConfig, { ...options, now: Date.now() }))._unsafeUnwrap().delivered).toBe(0);

  rows = sim.attendance();
  expect(rows).toHaveLength(n);
  expect(new Set(rows.map(key)).size).toBe(n);
  const byId = new Map(rows.map((r) => [String(r.attendanceId), r]));
  const idOf = (eventId: string) => ledger.find((l) => l.eventId === eventId)?.externalId ?? "";
  expect(byId.get(idOf("s1"))).toMatchObject({
    studentId: studentIds[1],
    attendanceCode: "TU",
    attendanceEventReason: "no pass [hero:s1]",
  });
  // FACTS has no DELETE for attendance: the sink clears the code of a voided tardy and says so in the reason.
  expect(byId.get(idOf("s2"))).toMatchObject({
    studentId: studentIds[2],
    attendanceCode: "",
    attendanceEventReason: "[hero:s2] (voided)",
  });
  expect(rows.filter((r) => r.attendanceCode === "T")).toHaveLength(n - 2);

  // About one request per tardy, faults and the crashed run included; and never over FACTS's rate limit.
  const requests = attendanceRequests(sim);
  expect(requests.byRoute[`PUT ${ATTENDANCE}/{id}`]).toBe(1);
  expect(requests.byRoute[`PATCH ${ATTENDANCE}/{id}`]).toBe(1);
  // The corrections: one read of their slots (a moved tardy is told from one that stayed), one PUT, one PATCH.
  expect(requests.total - writes).toBe(3);
  // Before the edits: a POST per tardy, plus a POST again for each fault that left nothing written (two 500s,
  // two drops; the three 429s retried by the client); a GET before the batch (FACTS answers a create with the
  // record, so never one after it), one per POST whose outcome was unknown (four lost answers, two 500s, two
  // drops), and one by the run after the crash, which finds everything written and writes nothing; then the
  // read of the corrections' slots.
  expect(requests.byRoute[`POST ${ATTENDANCE}`]).toBe(n + 7);
  expect(requests.byRoute[`GET ${ATTENDANCE}`]).toBe(Math.ceil(n / 200) + 8 + 1 + 1);
  expect(writes / n).toBeLessThanOrEqual(1.1);
  const stats = sim.stats();
  expect(stats.writes.attendancePosted).toBe(n); // a lost answer's POST was applied, and never posted again
  expect(stats.rateLimited).toBe(0);
  stats.maxPerWindow.forEach((max, i) => {
    expect(max).toBeLessThanOrEqual(stats.windows[i]?.requests ?? 0);
  });
});
