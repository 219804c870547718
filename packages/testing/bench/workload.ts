// The storage benchmark, shared by the memory, SQLite and PostgreSQL runners (each package's bench/run.ts):
// append 100k journal lines one per call and 100 per call, read them back, then save and read back a
// 1M-person decision set. Plain erasable TypeScript, so that `node bench/run.ts` runs it as is.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Decisions, JournalEntry, JsonValue, StoreError, SyncStore } from "@rostersync/core";
import type { ResultAsync } from "neverthrow";

/** One measured case. */
export interface BenchRow {
  readonly store: string;
  readonly case: string;
  readonly items: number;
  readonly ms: number;
  readonly perSecond: number;
  readonly unit: string;
  readonly note: string;
}

/** Sizes of the workload. */
export interface BenchSizes {
  readonly journalLines: number;
  readonly people: number;
  /** Actions in the stored plan of the large-plan case (a 100k-person first sync has ~100k). */
  readonly planActions: number;
  /** Single-line appends timed in the large-plan case (few: a store that rewrites the plan pays per call). */
  readonly largePlanAppends: number;
}

/** The default sizes: 100,000 journal lines, 1,000,000 people, 200 appends to a run with a 100k-action plan. */
export const DEFAULT_SIZES: BenchSizes = {
  journalLines: 100_000,
  people: 1_000_000,
  planActions: 100_000,
  largePlanAppends: 200,
};

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const tenant = "bench-school";

function lines(from: number, count: number): JournalEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const seq = from + i;
    const actionId = `add:person-${Math.floor(seq / 2)}`;
    return seq % 2 === 0
      ? { seq, actionId, phase: "intent", at: "2026-09-01T08:00:00.000Z" }
      : {
          seq,
          actionId,
          phase: "outcome",
          at: "2026-09-01T08:00:01.000Z",
          outcome: "done",
          result: { accountId: `acct-${seq}` },
        };
  });
}

/** A stored plan shaped like a first sync's: `actions` adds with reasons and a field diff each. */
function largePlan(actions: number): JsonValue {
  return {
    planHash: "bench-large",
    counts: { add: actions, update: 0, archive: 0, skip: 0 },
    actions: Array.from({ length: actions }, (_, i) => ({
      kind: "add",
      actionId: `add:${100000 + i}`,
      sourceId: String(100000 + i),
      email: `student${i}@school.example.org`,
      reasons: ["new-person"],
      changes: [
        { field: "Homeroom", from: null, to: `HR-${i % 13}A` },
        { field: "T-Shirt Size", from: null, to: ["S", "M", "L"][i % 3] ?? "M" },
      ],
    })),
  };
}

function decisionSet(people: number): Decisions {
  const selections: Record<string, boolean> = {};
  const reviewed: string[] = [];
  for (let i = 0; i < people; i++) {
    const id = `person-${i}`;
    selections[id] = i % 10 !== 0;
    reviewed.push(id);
  }
  return { selections, duplicates: {}, merges: {}, reviewed, acknowledgedHolds: [] };
}

async function must<T>(result: ResultAsync<T, StoreError>): Promise<T> {
  const settled = await result;
  if (settled.isErr()) throw new Error(`store call failed: ${settled.error.type}: ${settled.error.message}`);
  return settled.value;
}

async function time(body: () => Promise<unknown>): Promise<number> {
  gc();
  const start = performance.now();
  await body();
  return performance.now() - start;
}

/** Runs the workload on one store and returns its rows (the store is closed afterwards). */
export async function benchStore(
  label: string,
  store: SyncStore,
  sizes: BenchSizes = DEFAULT_SIZES,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const row = (name: string, items: number, ms: number, unit: string, note = "") =>
    rows.push({
      store: label,
      case: name,
      items,
      ms: Math.round(ms),
      perSecond: Math.round((items / ms) * 1000),
      unit,
      note,
    });
  const run = (runId: string) => ({
    runId,
    planHash: "bench",
    profileHash: "bench",
    status: "running" as const,
    startedAt: new Date().toISOString(),
    totalActions: sizes.journalLines / 2,
    plan: {},
  });
  try {
    // Warm-up: statement caches, JIT, connections.
    await must(store.createRun(tenant, run("warm-up")));
    for (let seq = 0; seq < 500; seq++) await must(store.appendJournal(tenant, "warm-up", lines(seq, 1)));

    const n = sizes.journalLines;
    await must(store.createRun(tenant, run("one-by-one")));
    const single = await time(async () => {
      for (let seq = 0; seq < n; seq++) await must(store.appendJournal(tenant, "one-by-one", lines(seq, 1)));
    });
    row("journal append, 1 line/call", n, single, "lines/s", `${((single * 1000) / n).toFixed(1)} µs per call`);

    await must(store.createRun(tenant, run("batched")));
    const batches = Array.from({ length: n / 100 }, (_, b) => lines(b * 100, 100));
    const batched = await time(async () => {
      for (const batch of batches) await must(store.appendJournal(tenant, "batched", batch));
    });
    row(
      "journal append, 100 lines/call",
      n,
      batched,
      "lines/s",
      `${(single / batched).toFixed(1)}× faster per line than 1/call`,
    );

    // The same single-line appends, on a run whose stored plan is as large as a 100k-person sync's: an
    // append must cost the same whatever the size of the plan beside it.
    const plan = largePlan(sizes.planActions);
    const planMb = Buffer.byteLength(JSON.stringify(plan)) / 1e6;
    await must(store.createRun(tenant, { ...run("large-plan"), plan }));
    const calls = sizes.largePlanAppends;
    const large = await time(async () => {
      for (let seq = 0; seq < calls; seq++) await must(store.appendJournal(tenant, "large-plan", lines(seq, 1)));
    });
    row(
      `journal append, 1 line/call, ${sizes.planActions.toLocaleString("en-US")}-action plan`,
      calls,
      large,
      "lines/s",
      `${((large * 1000) / calls).toFixed(1)} µs per call; plan ${planMb.toFixed(1)} MB`,
    );

    let read = 0;
    const readMs = await time(async () => {
      read = (await must(store.readJournal(tenant, "batched"))).length;
    });
    if (read !== n) throw new Error(`read back ${read} journal lines, expected ${n}`);
    row("journal read back", n, readMs, "lines/s");

    const decisions = decisionSet(sizes.people);
    let json = "";
    const stringifyMs = await time(async () => {
      json = JSON.stringify(decisions);
    });
    const parseMs = await time(async () => {
      JSON.parse(json);
    });
    const mb = Buffer.byteLength(json) / 1e6;
    row(
      "JSON.stringify+parse only (floor)",
      sizes.people,
      stringifyMs + parseMs,
      "people/s",
      `${mb.toFixed(1)} MB of JSON`,
    );
    json = "";

    const saveMs = await time(() => must(store.saveDecisions(tenant, decisions, null)));
    row(
      "decisions save (1 doc)",
      sizes.people,
      saveMs,
      "people/s",
      `JSON.stringify is ${pct(stringifyMs, saveMs)} of it`,
    );
    let loaded: { value: Decisions } | null = null;
    const loadMs = await time(async () => {
      loaded = await must(store.getDecisions(tenant));
    });
    const people = Object.keys((loaded as { value: Decisions } | null)?.value.selections ?? {}).length;
    if (people !== sizes.people) throw new Error(`read back ${people} selections, expected ${sizes.people}`);
    row("decisions read back", sizes.people, loadMs, "people/s", `JSON.parse is ${pct(parseMs, loadMs)} of it`);
  } finally {
    await store.close();
  }
  return rows;
}

const pct = (part: number, whole: number) => `${Math.min(100, Math.round((part / whole) * 100))}%`;

/** The bottleneck of each measured store, in one sentence each, from its rows. */
export function bottlenecks(rows: readonly BenchRow[]): string[] {
  const stores = [...new Set(rows.map((r) => r.store))];
  return stores.map((store) => {
    const get = (name: string) => rows.find((r) => r.store === store && r.case.startsWith(name));
    const single = get("journal append, 1");
    const batched = get("journal append, 100");
    const floor = get("JSON.stringify");
    const save = get("decisions save");
    const load = get("decisions read");
    const perCall = single && batched ? single.ms / batched.ms : 1;
    const jsonShare = floor && save && load ? floor.ms / (save.ms + load.ms) : 0;
    const appends =
      perCall >= 3
        ? "bound by per-call cost (one transaction or round trip per call; one promise for memory)"
        : "bound by per-line work (serialising and writing each line)";
    const document =
      jsonShare >= 0.5 ? "bound by JSON encode/decode" : "bound by the backend (moving and writing the document)";
    return (
      `${store}: journal appends are ${appends}; batching 100 lines per call is ${perCall.toFixed(1)}× faster per ` +
      `line. The 1M decision set is ${document}: JSON alone is ${Math.min(100, Math.round(jsonShare * 100))}% of save+read.`
    );
  });
}

/** Prints the rows as a table and the bottlenecks below it. */
export function printTable(rows: readonly BenchRow[]): void {
  const header = ["store", "case", "items", "ms", "throughput", "note"];
  const cells = rows.map((r) => [
    r.store,
    r.case,
    String(r.items),
    String(r.ms),
    `${r.perSecond.toLocaleString("en-US")} ${r.unit}`,
    r.note,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
  const line = (c: readonly string[]) => `| ${c.map((v, i) => v.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const c of cells) console.log(line(c));
  console.log("");
  for (const sentence of bottlenecks(rows)) console.log(`bottleneck — ${sentence}`);
}

/** Writes the rows as JSON to `<dir>/<name>-<timestamp>.json` (bench/results is git-ignored). */
export function saveResults(dir: string, name: string, rows: readonly BenchRow[]): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const environment = { node: process.version, platform: `${process.platform}-${process.arch}` };
  writeFileSync(file, `${JSON.stringify({ name, environment, rows, bottlenecks: bottlenecks(rows) }, null, 2)}\n`);
  return file;
}
