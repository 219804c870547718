// Several worker processes share one PostgreSQL store and apply the syncs of a district's schools. Each
// school's lease (a row in `<schema>.locks`) lets exactly one worker apply it; the others hear `Locked` and
// move on. First, one worker is killed in the middle of an apply: its run stays open and its lease stays
// taken until it expires; then a worker resumes that same run. At the end every school has exactly one
// completed run, and every person one account.
import { fork } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createPostgresStore, type PostgresStore } from "@rostersync/storage-postgres";
import { startLocalPostgres, whyNoPostgres } from "./pg.ts";
import { districtSchools, openSchool, PROFILE, type RunningSchool, startFacts } from "./schools.ts";
import type { WorkerEvent, WorkerSetup } from "./worker.ts";

const { values } = parseArgs({
  options: {
    workers: { type: "string", default: "4" },
    schools: { type: "string", default: "6" },
    people: { type: "string", default: "300" },
    "pg-url": { type: "string" },
    schema: { type: "string", default: "rostersync_workers" },
    data: { type: "string" },
    json: { type: "string" },
    "no-crash": { type: "boolean", default: false },
    /** How long a school's lease lasts between renewals. */
    "lease-ms": { type: "string", default: "5000" },
  },
});
const WORKERS = Number(values.workers);
const LOCK_TTL_MS = Number(values["lease-ms"]);
const out = (line = "") => process.stdout.write(`${line}\n`);
const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");

async function main(): Promise<boolean> {
  const given = values["pg-url"] ?? process.env.DATABASE_URL;
  if (given === undefined && whyNoPostgres() !== null) {
    throw new Error(`no PostgreSQL: ${whyNoPostgres()}; or pass --pg-url postgres://…`);
  }
  const server = given === undefined ? await startLocalPostgres() : null;
  const url = given ?? server?.url ?? "";
  const dataDir = values.data ?? mkdtempSync(join(tmpdir(), "rs-workers-"));
  try {
    return await district(url, dataDir);
  } finally {
    server?.stop();
    if (values.data === undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function district(url: string, dataDir: string): Promise<boolean> {
  const schema = values.schema;
  out(`PostgreSQL ${redact(url)}, schema ${schema}; account directories in ${dataDir}`);
  const opened = await createPostgresStore({ connectionString: url, schema });
  if (opened.isErr()) throw new Error(`cannot open the store: ${opened.error.message}`);
  const store = opened.value;
  // Start clean: this example owns its schema. The store creates it again (migrations) below.
  await store.getInstance().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await store.close();
  const reopened = await createPostgresStore({ connectionString: url, schema });
  if (reopened.isErr()) throw new Error(`cannot open the store: ${reopened.error.message}`);
  const pg = reopened.value;

  const facts = await startFacts(districtSchools(Number(values.schools), Number(values.people)));
  try {
    return await applyDistrict(url, schema, pg, facts.schools, dataDir);
  } finally {
    await facts.close();
    await pg.close();
  }
}

async function applyDistrict(
  url: string,
  schema: string,
  pg: PostgresStore,
  schools: readonly RunningSchool[],
  dataDir: string,
): Promise<boolean> {
  out(`\n1. The district's admin sets up ${schools.length} schools (profile + decisions, kept in PostgreSQL)`);
  const ports = schools.map((s) => s.factsUrl.replace("http://127.0.0.1", ""));
  out(`   each school's roster comes from its own FACTS (simulator) on 127.0.0.1${ports.join(" ")}`);
  for (const spec of schools) {
    const { sync, directory } = await openSchool(spec, pg, dataDir);
    const saved = await sync.setup(PROFILE);
    if (saved.isErr()) throw new Error(`${spec.tenantId}: ${saved.error.message}`);
    const review = await sync.refresh();
    if (review.isErr()) throw new Error(`${spec.tenantId}: ${review.error.message}`);
    // Each shared email goes to the person listed first; everyone seen now is reviewed.
    const decided = await sync.decide((d) => {
      let draft = d;
      for (const g of review.value.duplicateGroups)
        draft = draft.resolveDuplicate(g.email, [...g.members].sort()[0] ?? "");
      return draft.recordDefaults().markReviewed();
    });
    if (decided.isErr()) throw new Error(`${spec.tenantId}: ${decided.error.message}`);
    out(`   ${spec.tenantId}: ${decided.value.totals.toSync} to sync, ${decided.value.totals.toExclude} excluded`);
    directory.close();
  }

  const events: WorkerEvent[] = [];
  const started = performance.now();
  const since = () => `${((performance.now() - started) / 1000).toFixed(1)}s`.padStart(6);
  const spawnWorker = (setup: WorkerSetup) => {
    const child = fork(join(import.meta.dirname, "worker.ts"), [JSON.stringify(setup)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.on("message", (event: WorkerEvent) => {
      events.push(event);
      if (event.type === "applied" || event.type === "resumed") {
        const what =
          event.writes === 0
            ? "it was finished meanwhile, 0 writes"
            : `${event.writes} writes, ${event.created} accounts created`;
        out(`   ${since()} ${event.worker} ${event.type} ${event.school}: run ${event.runId.slice(0, 8)}, ${what}`);
      } else if (event.type === "interrupted") {
        out(`   ${since()} ${event.worker} lost ${event.school}'s lease during ${event.during} (machine too busy)`);
      } else if (event.type === "crashing") {
        out(`   ${since()} ${event.worker} is killed on ${event.school} after writing ${event.created} accounts`);
      } else if (event.type === "done") {
        out(`   ${since()} ${event.worker} finds every school in step (${event.rounds} rounds)`);
      }
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    return { child, exited };
  };
  const base = { url, schema, dataDir, lockTtlMs: LOCK_TTL_MS };

  let crashedRun: string | null = null;
  const first = schools[0] as RunningSchool;
  if (!values["no-crash"]) {
    out(`\n2. A worker dies in the middle of applying ${first.tenantId}`);
    const crasher = spawnWorker({
      ...base,
      name: "worker-0",
      schools: [first],
      waitForGo: false,
      crashAfterCreates: 40,
    });
    const { code, signal } = await crasher.exited;
    const runs = (await pg.listRuns(first.tenantId))._unsafeUnwrap();
    crashedRun = runs.find((r) => r.status === "running")?.runId ?? null;
    if (signal !== "SIGKILL" || crashedRun === null) {
      throw new Error(`worker-0 was to be killed mid-run, but it ended with code ${code}, signal ${signal}`);
    }
    out(
      `   worker-0 ended by ${signal}; run ${crashedRun?.slice(0, 8)} is still "running", its lease taken for ≤ ${LOCK_TTL_MS} ms`,
    );
  }

  out(`\n3. ${WORKERS} workers start at once over all ${schools.length} schools`);
  const workers = Array.from({ length: WORKERS }, (_, i) =>
    spawnWorker({ ...base, name: `worker-${i + 1}`, schools, waitForGo: true }),
  );
  await new Promise((resolve) => setTimeout(resolve, 300)); // every worker has opened its store
  for (const w of workers) w.child.send({ go: true });
  const exits = await Promise.all(workers.map((w) => w.exited));
  const failedWorkers = exits.filter((e) => e.code !== 0).length;

  out("\n4. What happened to each school");
  const header = ["school", "run", "written by (accounts created)", "runs", "accounts", "people twice", "Locked heard"];
  const rows: string[][] = [];
  const summary = [];
  let allOnce = failedWorkers === 0;
  for (const spec of schools) {
    const school = spec.tenantId;
    const runs = (await pg.listRuns(school))._unsafeUnwrap();
    const writers = events.filter(
      (e): e is Extract<WorkerEvent, { type: "applied" | "resumed" | "interrupted" }> =>
        (e.type === "applied" || e.type === "resumed" || e.type === "interrupted") &&
        e.school === school &&
        e.writes > 0,
    );
    // Runs started for this school: applies that finished or lost their lease, and the crash.
    const runsStarted = writers.filter(
      (e) => e.type === "applied" || (e.type === "interrupted" && e.during === "apply"),
    ).length;
    const crash = events.find((e) => e.type === "crashing" && e.school === school);
    const crashCreated = crash?.type === "crashing" ? crash.created : 0;
    const { directory } = await openSchool(spec, pg, dataDir);
    const accounts = (await directory.listAccounts())._unsafeUnwrap();
    await directory.close();
    const sourceIds = accounts.map((a) => a.sourceId);
    const twice = sourceIds.length - new Set(sourceIds).size;
    const locked = events.filter((e) => e.type === "locked" && e.school === school).length;
    const completed = runs.filter((r) => r.status === "completed");
    const created = crashCreated + writers.reduce((n, e) => n + e.created, 0);
    const once =
      runs.length === 1 &&
      completed.length === 1 &&
      writers.every((e) => e.runId === completed[0]?.runId) &&
      runsStarted + (crash ? 1 : 0) === 1 &&
      twice === 0 &&
      created === accounts.length;
    allOnce &&= once;
    rows.push([
      school,
      (completed[0]?.runId ?? "none").slice(0, 8),
      [
        ...(crash ? [`worker-0 (${crashCreated}, killed)`] : []),
        ...writers.map(
          (e) =>
            `${e.worker}${e.type === "resumed" ? " resuming" : ""}${e.type === "interrupted" ? " lost lease" : ""} (${e.created})`,
        ),
      ].join(", "),
      `${runs.length} (${completed.length} completed)`,
      String(accounts.length),
      String(twice),
      String(locked),
    ]);
    summary.push({
      school,
      once,
      runsStarted: runsStarted + (crash ? 1 : 0),
      writers: writers.map((e) => ({
        worker: e.worker,
        type: e.type === "interrupted" ? `interrupted during ${e.during}` : e.type,
        runId: e.runId,
        writes: e.writes,
        created: e.created,
      })),
      crashCreated,
      runs: runs.map((r) => ({ runId: r.runId, status: r.status, actor: r.actor ?? null })),
      accounts: accounts.length,
      twice,
      locked,
    });
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) => `   ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd();
  out(line(header));
  for (const r of rows) out(line(r));
  const leases = await pg.getInstance().query(`SELECT count(*)::int AS n FROM "${schema}".locks`);
  const leftLeases = Number(leases.rows[0]?.n ?? -1);
  out(`\n   leases left in ${schema}.locks: ${leftLeases}; workers that failed: ${failedWorkers}`);
  out(
    allOnce
      ? `   ✓ every school was applied exactly once${crashedRun ? ` (${first.tenantId}'s crashed run resumed, not redone)` : ""}`
      : "   ✗ a school was applied more or less than once: see above",
  );
  if (values.json) {
    writeFileSync(
      values.json,
      `${JSON.stringify({ crashedRun, leftLeases, failedWorkers, schools: summary, events }, null, 2)}\n`,
    );
  }
  return allOnce && leftLeases === 0;
}

try {
  process.exitCode = (await main()) ? 0 : 1;
} catch (error) {
  console.error(`postgres-workers: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
