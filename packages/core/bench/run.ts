/**
 * Planning benchmark (docs/architecture.md, performance targets): `review` and `plan` of N people against about N accounts, compared with
 * V8's `JSON.parse` of the same input in the same process. Not a timed test: it prints a table and writes
 * JSON to `bench/results/` for CI to compare.
 *
 *   pnpm --filter @rostersync/core build && node --expose-gc packages/core/bench/run.ts [sizes…]
 *
 * The input is generated, serialised (people and accounts as two documents: one string of a million of
 * each would pass V8's maximum string length), dropped, and parsed back: review and plan then run on the
 * parsed data, as they would on a snapshot read from a store or an API.
 *
 * Times are wall-clock medians; on a machine shared with other work they swing with the load, so the
 * main thread's CPU time (`process.threadCpuUsage`: what this thread ran, GC pauses included, time spent
 * waiting for a core excluded) is reported beside them, with the ratio on both. The first run of
 * review + plan (cold JIT, first allocation of the planner's pooled scratch memory) is reported apart.
 * Heap figures count V8's heap plus ArrayBuffer memory (the planner's typed arrays live outside the heap).
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { EMPTY_DECISIONS, type PlanInput, plan, review } from "@rostersync/core";
import { generatedProfile, generateSchool } from "@rostersync/core/testing";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error("Run with node --expose-gc");
  process.exit(1);
}
const collect = gc;

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const SIZES = sizes.length > 0 ? sizes : [10_000, 100_000, 1_000_000];

interface Row {
  people: number;
  accounts: number;
  jsonMB: number;
  parseMs: number;
  reviewMs: number;
  planMs: number;
  planColdMs: number;
  ratio: number;
  ratioCold: number;
  /** The first review + plan of the process at this size (not in the medians' favour). */
  firstMs: number;
  parseCpuMs: number;
  reviewCpuMs: number;
  planCpuMs: number;
  ratioCpu: number;
  /** 1-minute load average when this size started and when it ended. */
  load: [number, number];
  inputHeapMB: number;
  peakHeapMB: number;
  peakOverInput: number;
  runs: number;
}

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
// V8's heap plus ArrayBuffer memory: the planner keeps its typed arrays outside the heap.
const heap = (): number => {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
};
// Main-thread CPU milliseconds (the thread's own time: not what other processes take from it).
const cpu = (): number => {
  const usage = process.threadCpuUsage();
  return (usage.user + usage.system) / 1000;
};

/**
 * The usual flow: review, then plan with the same input object (sharing the analysis). In a function of
 * its own so that its report and plan are garbage once it returns, not counted in the next step's heap.
 */
function reviewThenPlan(input: PlanInput): {
  reviewMs: number;
  reviewCpuMs: number;
  planMs: number;
  planCpuMs: number;
  peak: number;
} {
  let c = cpu();
  let t = performance.now();
  // A fresh input object per run: review must not find the previous run's analysis.
  const fresh: PlanInput = { ...input };
  const report = review(fresh);
  const reviewMs = performance.now() - t;
  const reviewCpuMs = cpu() - c;
  let peak = heap();
  c = cpu();
  t = performance.now();
  const p = plan(fresh);
  const planMs = performance.now() - t;
  const planCpuMs = cpu() - c;
  peak = Math.max(peak, heap());
  if (report.rows.length !== input.people.length || p.sourceCount !== input.people.length) throw new Error("bad run");
  return { reviewMs, reviewCpuMs, planMs, planCpuMs, peak };
}

/** Plan alone, on a fresh input object: no review before it to share the analysis with. */
function planAlone(input: PlanInput): { ms: number; peak: number } {
  const t = performance.now();
  const p = plan({ ...input });
  const ms = performance.now() - t;
  if (p.sourceCount !== input.people.length) throw new Error("bad run");
  return { ms, peak: heap() };
}

const load1 = (): number => Math.round((loadavg()[0] as number) * 100) / 100;

function measure(size: number): Row {
  const loadStart = load1();
  const school = generateSchool({
    seed: 2026,
    people: size,
    linkedRate: 0.88,
    emailMatchRate: 0.05,
    extraAccountRate: 0.08,
  });
  const profile = generatedProfile(school, "student");
  let peopleJson: string | null = JSON.stringify(school.people);
  let accountsJson: string | null = JSON.stringify(school.accounts);
  const jsonBytes = peopleJson.length + accountsJson.length;
  (school as { people: unknown }).people = null;
  (school as { accounts: unknown }).accounts = null;
  collect();
  const runs = size >= 1_000_000 ? 3 : size >= 100_000 ? 5 : 15;

  // JSON.parse of the same input; the last parse is kept as the input of review and plan.
  const parseTimes: number[] = [];
  const parseCpu: number[] = [];
  let parsed: { people: PlanInput["people"]; accounts: PlanInput["accounts"] } | null = null;
  for (let r = 0; r < runs; r++) {
    parsed = null;
    collect();
    const c = cpu();
    const t = performance.now();
    const people = JSON.parse(peopleJson) as PlanInput["people"];
    const accounts = JSON.parse(accountsJson) as PlanInput["accounts"];
    parseTimes.push(performance.now() - t);
    parseCpu.push(cpu() - c);
    parsed = { people, accounts };
  }
  peopleJson = null;
  accountsJson = null;
  collect();
  const input: PlanInput = {
    people: parsed?.people ?? [],
    accounts: parsed?.accounts ?? [],
    profile,
    decisions: EMPTY_DECISIONS,
  };
  parsed = null;
  collect();
  // The heap the parsed input holds: measured by dropping a second parse of it would double memory,
  // so take it as what the heap holds now beyond a fresh baseline of the process.
  const withInput = heap();

  const reviewTimes: number[] = [];
  const planTimes: number[] = [];
  const reviewCpu: number[] = [];
  const planCpu: number[] = [];
  const planColdTimes: number[] = [];
  let peak = 0;
  for (let r = 0; r < runs; r++) {
    collect();
    const flow = reviewThenPlan(input);
    reviewTimes.push(flow.reviewMs);
    reviewCpu.push(flow.reviewCpuMs);
    planTimes.push(flow.planMs);
    planCpu.push(flow.planCpuMs);
    peak = Math.max(peak, flow.peak);
    // Collected before plan alone runs: the flow's report and plan are out of scope by now.
    collect();
    const cold = planAlone(input);
    planColdTimes.push(cold.ms);
    peak = Math.max(peak, cold.peak);
  }
  const parseMs = median(parseTimes);
  const reviewMs = median(reviewTimes);
  const planMs = median(planTimes);
  const planColdMs = median(planColdTimes);
  const parseCpuMs = median(parseCpu);
  const reviewCpuMs = median(reviewCpu);
  const planCpuMs = median(planCpu);
  return {
    people: input.people.length,
    accounts: input.accounts.length,
    jsonMB: mb(jsonBytes),
    parseMs: Math.round(parseMs),
    reviewMs: Math.round(reviewMs),
    planMs: Math.round(planMs),
    planColdMs: Math.round(planColdMs),
    ratio: Math.round(((reviewMs + planMs) / parseMs) * 100) / 100,
    ratioCold: Math.round(((reviewMs + planColdMs) / parseMs) * 100) / 100,
    firstMs: Math.round((reviewTimes[0] as number) + (planTimes[0] as number)),
    parseCpuMs: Math.round(parseCpuMs),
    reviewCpuMs: Math.round(reviewCpuMs),
    planCpuMs: Math.round(planCpuMs),
    ratioCpu: Math.round(((reviewCpuMs + planCpuMs) / parseCpuMs) * 100) / 100,
    load: [loadStart, load1()],
    inputHeapMB: mb(withInput - inputBaseline),
    peakHeapMB: mb(peak - inputBaseline),
    peakOverInput: Math.round(((peak - inputBaseline) / (withInput - inputBaseline)) * 100) / 100,
    runs,
  };
}

collect();
const inputBaseline = heap();
const rows: Row[] = [];
for (const size of SIZES) {
  const row = measure(size);
  rows.push(row);
  console.log(`measured ${size}: ${JSON.stringify(row)}`);
}
const growthOf = (time: (r: Row) => number): number | null =>
  rows.length >= 2 ? Math.round((time(rows.at(-1) as Row) / (time(rows.at(-2) as Row) || 1)) * 100) / 100 : null;
const growth = growthOf((r) => r.reviewMs + r.planMs);
const growthCpu = growthOf((r) => r.reviewCpuMs + r.planCpuMs);

console.log("");
console.log(
  "| people | accounts | JSON MB | JSON.parse ms | review ms | plan ms (after review) | plan ms (alone) | (review+plan)/parse | same, plan alone | first review+plan ms | CPU: parse ms | CPU: review+plan ms | CPU: ratio | input heap MB | peak heap MB | peak/input | load |",
);
console.log(
  "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
);
for (const r of rows) {
  console.log(
    `| ${r.people} | ${r.accounts} | ${r.jsonMB} | ${r.parseMs} | ${r.reviewMs} | ${r.planMs} | ${r.planColdMs} | ${r.ratio} | ${r.ratioCold} | ${r.firstMs} | ${r.parseCpuMs} | ${r.reviewCpuMs + r.planCpuMs} | ${r.ratioCpu} | ${r.inputHeapMB} | ${r.peakHeapMB} | ${r.peakOverInput} | ${r.load.join("→")} |`,
  );
}
if (growth !== null)
  console.log(`\ngrowth of review+plan, last two sizes: ${growth}× wall, ${growthCpu}× main-thread CPU`);
const load = loadavg().map((x) => Math.round(x * 100) / 100);
console.log(`node ${process.version}, ${availableParallelism()} cores, load average ${load.join(" ")}`);

const out = new URL("./results/", import.meta.url);
mkdirSync(out, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
writeFileSync(
  new URL(`core-plan-${stamp}.json`, out),
  `${JSON.stringify({ node: process.version, load, growth, growthCpu, rows }, null, 2)}\n`,
);
