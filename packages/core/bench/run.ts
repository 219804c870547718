/**
 * Planning benchmark (DESIGN §9): `review` and `plan` of N people against about N accounts, compared with
 * V8's `JSON.parse` of the same input in the same process. Not a timed test: it prints a table and writes
 * JSON to `bench/results/` for CI to compare.
 *
 *   pnpm --filter @rostersync/core build && node --expose-gc packages/core/bench/run.ts [sizes…]
 *
 * The input is generated, serialised (people and accounts as two documents: one string of a million of
 * each would pass V8's maximum string length), dropped, and parsed back: review and plan then run on the
 * parsed data, as they would on a snapshot read from a store or an API.
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
const heap = (): number => process.memoryUsage().heapUsed;

function measure(size: number): Row {
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
  let parsed: { people: PlanInput["people"]; accounts: PlanInput["accounts"] } | null = null;
  for (let r = 0; r < runs; r++) {
    parsed = null;
    collect();
    const t = performance.now();
    const people = JSON.parse(peopleJson) as PlanInput["people"];
    const accounts = JSON.parse(accountsJson) as PlanInput["accounts"];
    parseTimes.push(performance.now() - t);
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
  const planColdTimes: number[] = [];
  let peak = 0;
  for (let r = 0; r < runs; r++) {
    collect();
    let t = performance.now();
    // A fresh input object per run: review must not find the previous run's analysis.
    const fresh: PlanInput = { ...input };
    const report = review(fresh);
    reviewTimes.push(performance.now() - t);
    peak = Math.max(peak, heap());
    t = performance.now();
    const p = plan(fresh);
    planTimes.push(performance.now() - t);
    peak = Math.max(peak, heap());
    if (report.rows.length !== input.people.length || p.sourceCount !== input.people.length) throw new Error("bad run");
    collect();
    // A fresh input object: plan alone, with no review before it to share the analysis with.
    t = performance.now();
    plan({ ...input });
    planColdTimes.push(performance.now() - t);
    peak = Math.max(peak, heap());
  }
  const parseMs = median(parseTimes);
  const reviewMs = median(reviewTimes);
  const planMs = median(planTimes);
  const planColdMs = median(planColdTimes);
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
const growth =
  rows.length >= 2
    ? Math.round(
        (((rows.at(-1) as Row).reviewMs + (rows.at(-1) as Row).planMs) /
          ((rows.at(-2) as Row).reviewMs + (rows.at(-2) as Row).planMs || 1)) *
          100,
      ) / 100
    : null;

console.log("");
console.log(
  "| people | accounts | JSON MB | JSON.parse ms | review ms | plan ms (after review) | plan ms (alone) | (review+plan)/parse | same, plan alone | input heap MB | peak heap MB | peak/input |",
);
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(
    `| ${r.people} | ${r.accounts} | ${r.jsonMB} | ${r.parseMs} | ${r.reviewMs} | ${r.planMs} | ${r.planColdMs} | ${r.ratio} | ${r.ratioCold} | ${r.inputHeapMB} | ${r.peakHeapMB} | ${r.peakOverInput} |`,
  );
}
if (growth !== null) console.log(`\ngrowth of review+plan, last two sizes: ${growth}×`);
const load = loadavg().map((x) => Math.round(x * 100) / 100);
console.log(`node ${process.version}, ${availableParallelism()} cores, load average ${load.join(" ")}`);

const out = new URL("./results/", import.meta.url);
mkdirSync(out, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
writeFileSync(
  new URL(`core-plan-${stamp}.json`, out),
  `${JSON.stringify({ node: process.version, load, growth, rows }, null, 2)}\n`,
);
