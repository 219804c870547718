/**
 * Tardy export benchmark (docs/architecture.md, performance targets): 100,000 tardies to CSV (rendering alone, and a whole `runExport`
 * into a file-directory sink through the memory store), and to the FACTS attendance sink. FACTS allows 100
 * requests a minute, so 100,000 POSTs are ~17 hours: the FACTS rows measure a sample (at the default
 * budget, at a budget scaled 200× faster to show the sink stays on the rate-limit bound, and without a
 * budget to show its own overhead) and project the full export against the bound.
 *
 *   pnpm --filter @rostersync/core build && pnpm --filter @rostersync/facts build \
 *     && pnpm --filter @rostersync/hero build && node --expose-gc packages/hero/bench/run.ts
 *
 * The FACTS API is an in-process model (`test/helpers/fake-facts-attendance.ts`) behind the client's
 * injectable `fetch`: no network latency, so the times are the sink's and the budget's.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import {
  createMemoryStore,
  createMemoryTardySource,
  type TardyEvent,
  type TardyRecord,
  type TardySink,
} from "@rostersync/core";
import { type BudgetOptions, createFactsClient } from "@rostersync/facts";
import {
  createFactsAttendanceSink,
  createFileDirectorySink,
  type ExportConfig,
  exportConfigSchema,
  renderExport,
  runExport,
} from "@rostersync/hero";
import { createFakeFacts, type FakeFactsOptions } from "../test/helpers/fake-facts-attendance.ts";
// The tests' school (Lincoln High, `hs`, periods p1–p3): the exports select its two tardy codes.
import { behaviorCodes, bellSchedules, factsFields, schools } from "../test/helpers/school.ts";

const TOTAL = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** `n` tardies, each in its own FACTS slot (student × date × period). */
function tardies(n: number): TardyEvent[] {
  const out: TardyEvent[] = [];
  const base = Date.parse("2026-09-01T12:00:00Z");
  for (let i = 0; i < n; i++) {
    const student = i % 2000;
    const day = Math.floor(i / 6000);
    const period = Math.floor(i / 2000) % 3;
    out.push({
      eventId: `ev-${i}`,
      schoolId: "hs",
      studentSisId: String(100_000 + student),
      studentFirstName: "Ada",
      studentLastName: i % 11 === 0 ? "=Lovelace" : "Lovelace, Jr",
      date: new Date(Date.UTC(2026, 8, 1 + day)).toISOString().slice(0, 10),
      checkInTime: "08:07",
      minutesLate: 7,
      periodId: `p${period + 1}`,
      behaviorCodeId: i % 5 === 0 ? "tardy-unexcused" : "tardy",
      staff: "Mr. Babbage",
      comment: i % 7 === 0 ? 'said "bus", then left' : null,
      status: "active",
      updatedAt: new Date(base + i).toISOString(),
    });
  }
  return out;
}

const csvConfig: ExportConfig = exportConfigSchema.parse({
  exportId: "bench-csv",
  name: "Bench CSV",
  schoolIds: ["hs"],
  behaviorCodeIds: ["tardy", "tardy-unexcused"],
  fields: [
    { field: "studentSisId" },
    { field: "studentName" },
    { field: "schoolCode" },
    { field: "date" },
    { field: "checkInTime" },
    { field: "minutesLate" },
    { field: "period" },
    { field: "externalReferenceCode" },
    { field: "codeName" },
    { field: "staff" },
    { field: "comment" },
    { field: "eventId" },
  ],
  format: "csv",
  sink: "drop",
  schedule: { frequency: { type: "daily" }, timeOfDay: "16:30", timezone: "America/New_York" },
});
const factsConfig: ExportConfig = exportConfigSchema.parse({
  ...csvConfig,
  exportId: "bench-facts",
  name: "Bench FACTS",
  preset: "facts",
  sink: "facts",
  fields: factsFields,
});
const classes = {
  "LHS/1": { classId: 501, column: "1" },
  "LHS/2": { classId: 502, column: "2" },
  "LHS/3": { classId: 503, column: "3" },
};

interface Row {
  case: string;
  tardies: number;
  ms: number;
  perSecond: number;
  requests?: number;
  requestsPerTardy?: number;
  boundMs?: number;
  vsBound?: number;
  duplicates?: number;
  note?: string;
}
const rows: Row[] = [];
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** When the last of `requests` can be sent under rolling windows (no latency): the rate-limit bound. */
function boundMs(requests: number, windows: readonly { requests: number; windowMs: number }[]): number {
  return Math.max(0, ...windows.map((w) => Math.floor((requests - 1) / w.requests) * w.windowMs));
}

async function csv() {
  const events = tardies(TOTAL);
  // Rendering alone, best of 3.
  const records: TardyRecord[] = events.map((e, i) => ({
    eventId: e.eventId,
    kind: "new",
    values: {
      studentSisId: e.studentSisId,
      studentName: `${e.studentLastName}, ${e.studentFirstName}`,
      schoolCode: "LHS",
      date: e.date,
      checkInTime: e.checkInTime,
      minutesLate: e.minutesLate,
      period: String((i % 3) + 1),
      externalReferenceCode: "T",
      codeName: "Tardy",
      staff: e.staff,
      comment: e.comment,
      eventId: e.eventId,
    },
  }));
  let best = Number.POSITIVE_INFINITY;
  let bytes = 0;
  for (let i = 0; i < 3; i++) {
    gc();
    const t = performance.now();
    bytes = renderExport(csvConfig, records).body.length;
    best = Math.min(best, performance.now() - t);
  }
  rows.push({
    case: "render CSV (RFC 4180 + guard)",
    tardies: TOTAL,
    ms: round(best),
    perSecond: Math.round(TOTAL / (best / 1000)),
    note: `${round(bytes / 1e6)} MB, best of 3`,
  });

  // A whole run: read, ledger, fingerprint, render, atomic file write (fsync), ledger + watermark.
  const dir = mkdtempSync(join(tmpdir(), "hero-bench-"));
  try {
    const store = createMemoryStore();
    const source = createMemoryTardySource({ schools, behaviorCodes, bellSchedules, tardies: events });
    const sinks = { drop: createFileDirectorySink({ directory: dir }) };
    gc();
    let t = performance.now();
    const first = await runExport(csvConfig, { now: Date.now(), tenantId: "t", store, source, sinks });
    const firstMs = performance.now() - t;
    if (first.isErr()) throw new Error(first.error.message);
    rows.push({
      case: "runExport → file sink (first run)",
      tardies: TOTAL,
      ms: round(firstMs),
      perSecond: Math.round(TOTAL / (firstMs / 1000)),
      note: "memory store + memory Hero, fsync on",
    });
    // Every tardy reported again (as if the watermark were lost): the ledger holds all of them back.
    await store.setWatermark("t", (await import("@rostersync/hero")).watermarkKey(csvConfig), "");
    gc();
    t = performance.now();
    const again = await runExport(csvConfig, { now: Date.now(), tenantId: "t", store, source, sinks });
    const againMs = performance.now() - t;
    if (again.isErr() || again.value.delivered !== 0) throw new Error("re-run sent something");
    rows.push({
      case: "runExport re-run, all unchanged",
      tardies: TOTAL,
      ms: round(againMs),
      perSecond: Math.round(TOTAL / (againMs / 1000)),
      note: "0 sent: the ledger holds every tardy back",
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function facts(
  label: string,
  n: number,
  budget: BudgetOptions | undefined,
  windows: readonly { requests: number; windowMs: number }[] | null,
  faults: FakeFactsOptions = {},
) {
  const fake = createFakeFacts(faults);
  const client = createFactsClient({
    subscriptionKey: "bench-subscription-key-0000000000",
    apiKey: "bench-api-key-000000000000000000000000000000",
    baseUrl: "https://facts.bench",
    fetch: fake.fetch,
    concurrency: 8,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...(budget === undefined
      ? { budget: { windows: [{ requests: 1_000_000_000, windowMs: 1 }], marginMs: 0 } }
      : { budget }),
  });
  const sink: TardySink = createFactsAttendanceSink({ client, classes });
  const store = createMemoryStore();
  const source = createMemoryTardySource({ schools, behaviorCodes, bellSchedules, tardies: tardies(n) });
  gc();
  const t = performance.now();
  let runs = 0;
  for (; runs < 50; runs++) {
    const r = await runExport(factsConfig, { now: Date.now(), tenantId: "t", store, source, sinks: { facts: sink } });
    if (r.isOk()) break;
  }
  const ms = performance.now() - t;
  const requests = fake.requests.GET + fake.requests.POST + fake.requests.PUT + fake.requests.PATCH;
  const bound = windows === null ? undefined : boundMs(requests, windows);
  const faultNote =
    faults.lostCreate || faults.rateLimit
      ? `faults: ${fake.faults.lostCreate} lost answers, ${fake.faults.rateLimited} 429s; ${runs + 1} runs`
      : "";
  rows.push({
    case: label,
    tardies: n,
    ms: round(ms),
    perSecond: round(n / (ms / 1000), 1),
    requests,
    requestsPerTardy: round(requests / n, 4),
    ...(bound === undefined ? {} : { boundMs: bound, vsBound: round(ms / Math.max(1, bound), 3) }),
    duplicates: fake.duplicates() + Math.abs(fake.rows.size - n),
    ...(faultNote ? { note: faultNote } : {}),
  });
  return requests / n;
}

const DEFAULT = [
  { requests: 100, windowMs: 60_000 },
  { requests: 10, windowMs: 1_000 },
];
const SCALED = DEFAULT.map((w) => ({ requests: w.requests, windowMs: w.windowMs / 200 }));

await csv();
const overhead = await facts("FACTS sink, no budget (sink overhead)", 10_000, undefined, null);
await facts("FACTS sink, default budget (100/min, 10/s)", 60, { windows: DEFAULT }, DEFAULT);
await facts("FACTS sink, budget ×200 (100/300ms, 10/5ms)", 10_000, { windows: SCALED, marginMs: 0 }, SCALED);
await facts("FACTS sink, budget ×200, faults", 10_000, { windows: SCALED, marginMs: 0 }, SCALED, {
  lostCreate: 0.02,
  rateLimit: 0.005,
  seed: 3,
});
const projectedRequests = Math.ceil(TOTAL * overhead);
const projectedMs = boundMs(projectedRequests, DEFAULT);
rows.push({
  case: "FACTS sink, default budget, projected",
  tardies: TOTAL,
  ms: projectedMs,
  perSecond: round(TOTAL / (projectedMs / 1000), 2),
  requests: projectedRequests,
  requestsPerTardy: round(overhead, 4),
  boundMs: projectedMs,
  note: `${round(projectedMs / 3_600_000, 1)} h at 100 requests/min: rate-bound`,
});

console.table(rows);
const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL(`hero-${new Date().toISOString().replace(/[:.]/g, "-")}.json`, dir);
writeFileSync(
  file,
  `${JSON.stringify({ node: process.version, cpus: availableParallelism(), total: TOTAL, rows }, null, 2)}\n`,
);
console.log(`wrote ${file.pathname}`);
