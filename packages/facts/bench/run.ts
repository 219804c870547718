/**
 * Benchmark: a full roster read and an hours push through the FACTS simulator of
 * `@rostersync/facts/testing` (its own worker thread, real HTTP) with injected latency,
 * against the bound `max(requests / rate limit, requests × latency / concurrency)` (docs/architecture.md, performance targets, target
 * ≤ 1.1×). Build first (`pnpm --filter @rostersync/core build && pnpm --filter @rostersync/facts build`):
 * the package is imported by name, from its dist.
 *
 * Environment (all optional):
 *   BENCH_SIZES         roster sizes, default "10000,100000"
 *   BENCH_LATENCY       injected latency range in ms, default "50-200"
 *   BENCH_FULL=1        also read the largest roster at the default budget (100 a minute: ~4 min for 100k)
 *   BENCH_LARGE_DEFAULT=0  skip the largest roster's default-budget read counted from responses (~4 min for 100k)
 *   BENCH_SCALE         budget multiplier of the "scaled" runs, default 10 (rosters) — hours use BENCH_HOURS_SCALE
 *   BENCH_HOURS         hour entries pushed at the scaled budget, default 10000
 *   BENCH_HOURS_SCALE   default 150 (15,000 a minute, 1500 a second)
 *   BENCH_HOURS_DEFAULT hour entries pushed at the default budget, default 90
 *   BENCH_CONCURRENCY   concurrency of scaled runs, default 16 (rosters) / 64 (hours); default-budget runs use
 *                       the client default (10), or BENCH_DEFAULT_CONCURRENCY
 *
 * The default run takes about a minute; the simulator runs in a worker thread (its own clock and event loop). Runs at a scaled budget are labelled `scaled ×N`: they measure
 * how close the client gets to the bound when the rate limit is N times FACTS's, which a real 100-a-minute
 * key would take N times as long to show.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import type { HourWrite } from "@rostersync/core";
import { createBudget, createFactsClient, createFactsHoursSink, createFactsSource } from "@rostersync/facts";
import { generateSchool } from "@rostersync/facts/testing";
import { boundMs, type SimFinish, startSimulatorThread, type Window } from "./support.ts";

const env = process.env;
const sizes = (env.BENCH_SIZES ?? "10000,100000").split(",").map(Number);
const [latMin, latMax] = (env.BENCH_LATENCY ?? "50-200").split("-").map(Number) as [number, number];
const meanLatency = (latMin + latMax) / 2;
const DEFAULT_WINDOWS: Window[] = [
  { requests: 100, windowMs: 60_000 },
  { requests: 10, windowMs: 1_000 },
];
const scaled = (k: number): Window[] => DEFAULT_WINDOWS.map((w) => ({ ...w, requests: w.requests * k }));
const rosterScale = Number(env.BENCH_SCALE ?? 10);
const hoursScale = Number(env.BENCH_HOURS_SCALE ?? 150);

interface Row {
  run: string;
  budget: string;
  size: number;
  requests: number;
  minimalRequests: number;
  perEntry: number | null;
  concurrency: number;
  ms: number;
  rateBoundMs: number;
  latencyBoundMs: number;
  ratio: number;
  over429: number;
  maxPerMinute: number;
  maxPerSecond: number;
  correct: boolean;
}
const rows: Row[] = [];

/**
 * One result row: what was run and measured, with the bound of its request count (and the 429s and busiest
 * windows the simulator saw) worked out the same way for every run.
 */
function rowOf(
  run: Pick<Row, "run" | "budget" | "size" | "requests" | "minimalRequests">,
  measured: Pick<Row, "perEntry" | "concurrency" | "ms" | "correct"> & {
    readonly windows: Window[];
    readonly stats: SimFinish["stats"];
  },
): Row {
  const { perEntry, concurrency, ms, windows, stats, correct } = measured;
  const b = boundMs(run.requests, windows, meanLatency, concurrency);
  return {
    ...run,
    perEntry,
    concurrency,
    ms,
    rateBoundMs: b.rate,
    latencyBoundMs: b.latency,
    ratio: ms / b.bound,
    over429: stats.rejected,
    maxPerMinute: stats.maxInWindow[0] ?? 0,
    maxPerSecond: stats.maxInWindow[1] ?? 0,
    correct,
  };
}

const client = (url: string, windows: Window[], concurrency: number, countFrom?: "response") =>
  createFactsClient({
    subscriptionKey: "bench-subscription-key-0000000000",
    apiKey: "bench-api-key",
    baseUrl: url,
    budget: createBudget({ windows, ...(countFrom === undefined ? {} : { countFrom }) }),
    concurrency,
  });

async function roster(size: number, windows: Window[], label: string, concurrency: number, countFrom?: "response") {
  const server = await startSimulatorThread(size, 7, { latencyMs: [latMin, latMax], windows });
  // The same school, generated here: its expected people are what the read must return, exactly.
  const expectedPeople = generateSchool({ seed: 7, people: size }).expectedPeople;
  const facts = client(server.report.url, windows, concurrency, countFrom);
  const started = performance.now();
  const result = await createFactsSource({ client: facts }).read();
  const ms = performance.now() - started;
  const { stats } = await server.finish();
  if (result.isErr()) throw new Error(`roster ${size}: ${result.error.type} ${result.error.message}`);
  const people = result.value.people;
  const requests = facts.stats().requests;
  rows.push(
    rowOf(
      { run: "roster read", budget: label, size, requests, minimalRequests: server.report.minimalRosterRequests },
      { perEntry: null, concurrency, ms, windows, stats, correct: isDeepStrictEqual(people, expectedPeople) },
    ),
  );
}

async function hours(entries: number, windows: Window[], label: string, concurrency: number) {
  const server = await startSimulatorThread(Math.max(1000, Math.ceil(entries / 2)), 11, {
    latencyMs: [latMin, latMax],
    windows,
  });
  const students = server.report.studentIds;
  const facts = client(server.report.url, windows, concurrency);
  const writes: HourWrite[] = Array.from({ length: entries }, (_, i) => ({
    hourId: `bench-${i}`,
    op: "create",
    hour: {
      personId: students[i % students.length] as string,
      role: "student",
      date: "2025-10-01",
      hours: 1 + (i % 5),
      description: `Volunteer shift ${i}`,
      note: null,
    },
  }));
  const started = performance.now();
  const result = await createFactsHoursSink({ client: facts }).write(writes);
  const ms = performance.now() - started;
  const { stats, hours: stored, distinctMarkers } = await server.finish();
  if (result.isErr()) throw new Error(`hours ${entries}: ${result.error.type} ${result.error.message}`);
  const created = result.value.filter((o) => o.status === "created").length;
  const requests = facts.stats().requests;
  const correct = created === entries && stored === entries && distinctMarkers === entries;
  rows.push(
    rowOf(
      { run: "hours push", budget: label, size: entries, requests, minimalRequests: entries },
      { perEntry: requests / entries, concurrency, ms, windows, stats, correct },
    ),
  );
}

// Node loads its fetch implementation on first use (~100 ms): do that before anything is timed.
await fetch("data:text/plain,warm-up");

const largest = Math.max(...sizes);
for (const size of sizes) {
  if (size === largest && size > 20_000) {
    await roster(size, scaled(rosterScale), `scaled ×${rosterScale}`, Number(env.BENCH_CONCURRENCY ?? 16));
    if (env.BENCH_FULL === "1")
      await roster(size, DEFAULT_WINDOWS, "default", Number(env.BENCH_DEFAULT_CONCURRENCY ?? 10));
    // The same read with every request counted from its response (never a 429 through transit delays).
    if (env.BENCH_LARGE_DEFAULT !== "0")
      await roster(size, DEFAULT_WINDOWS, "default, countFrom response", 10, "response");
  } else {
    await roster(size, DEFAULT_WINDOWS, "default", Number(env.BENCH_DEFAULT_CONCURRENCY ?? 10));
    // The same read with every request counted from its response (never a 429 through transit delays).
    await roster(size, DEFAULT_WINDOWS, "default, countFrom response", 10, "response");
  }
}
await hours(
  Number(env.BENCH_HOURS_DEFAULT ?? 90),
  DEFAULT_WINDOWS,
  "default",
  Number(env.BENCH_DEFAULT_CONCURRENCY ?? 10),
);
await hours(
  Number(env.BENCH_HOURS ?? 10_000),
  scaled(hoursScale),
  `scaled ×${hoursScale}`,
  Number(env.BENCH_CONCURRENCY ?? 64),
);

const s = (ms: number) => (ms / 1000).toFixed(2);
console.log(
  `\nFACTS client against the simulator over HTTP (worker thread), latency ${latMin}–${latMax} ms (mean ${meanLatency}), Node ${process.version}; 2 shared cores: timings are noisy\n`,
);
console.log(
  "| run | budget | size | requests | minimal | req/entry | conc. | time s | rate bound s | latency bound s | time / bound | 429s | max/min | max/s | exact |",
);
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
for (const r of rows) {
  console.log(
    `| ${r.run} | ${r.budget} | ${r.size} | ${r.requests} | ${r.minimalRequests} | ${r.perEntry === null ? "—" : r.perEntry.toFixed(3)} | ${r.concurrency} | ${s(r.ms)} | ${s(r.rateBoundMs)} | ${s(r.latencyBoundMs)} | ${r.ratio.toFixed(3)} | ${r.over429} | ${r.maxPerMinute} | ${r.maxPerSecond} | ${r.correct ? "yes" : "NO"} |`,
  );
}
const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(
  new URL(`facts-${Date.now()}.json`, dir),
  JSON.stringify({ node: process.version, latency: [latMin, latMax], rows }, null, 2),
);
if (rows.some((r) => !r.correct)) process.exitCode = 1;
