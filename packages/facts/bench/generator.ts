/**
 * Benchmark: how long the testing kit's school generator takes (tables, expected people, next year) from
 * 1,000 to 1,000,000 people. Build first (`pnpm --filter @rostersync/core build && pnpm --filter
 * @rostersync/facts build`); run `node --max-old-space-size=6000 bench/generator.ts`. One run per size on a
 * shared machine: timings are noisy.
 *
 * Environment: BENCH_GEN_SIZES, default "1000,10000,100000,1000000".
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { generateSchool, nextSchoolYear } from "@rostersync/facts/testing";

const sizes = (process.env.BENCH_GEN_SIZES ?? "1000,10000,100000,1000000").split(",").map(Number);
const rows: {
  people: number;
  made: number;
  tablesMs: number;
  expectedMs: number;
  nextYearMs: number;
  heapMB: number;
}[] = [];
for (const people of sizes) {
  let t = performance.now();
  const school = generateSchool({ seed: 1, people });
  const tablesMs = performance.now() - t;
  t = performance.now();
  const made = school.expectedPeople.length;
  const expectedMs = performance.now() - t;
  t = performance.now();
  nextSchoolYear(school, { seed: 2 }).tables;
  const nextYearMs = performance.now() - t;
  rows.push({ people, made, tablesMs, expectedMs, nextYearMs, heapMB: process.memoryUsage().heapUsed / 1e6 });
}
console.log(`\ngenerateSchool / nextSchoolYear, Node ${process.version}, one run each (noisy shared machine)\n`);
console.log("| people | made | tables ms | expectedPeople ms | nextSchoolYear ms | heap MB |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(
    `| ${r.people} | ${r.made} | ${r.tablesMs.toFixed(0)} | ${r.expectedMs.toFixed(0)} | ${r.nextYearMs.toFixed(0)} | ${r.heapMB.toFixed(0)} |`,
  );
}
const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL(`generator-${Date.now()}.json`, dir), JSON.stringify({ node: process.version, rows }, null, 2));
