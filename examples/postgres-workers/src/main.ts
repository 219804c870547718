// Several worker processes of `@rostersync/fleet` share one PostgreSQL and apply the nightly syncs of a
// district's schools. pg-boss hands each school's job to one worker at a time; the fleet runs the school's
// unattended sync under one FACTS budget shared by every worker. First, one worker is killed in the middle of
// an apply: its run stays open and its job active until its heartbeat is missed; then pg-boss retries the job
// on another worker, which resumes that same run. At the end every school has exactly one completed run
// tonight, one apply audit record per run, and every person one account; a worker that applies a plan made
// before the night is refused (the plan is stale) and that refusal is audited apart.
import { fork } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { SyncProfile } from "@rostersync/core";
import { createPostgresFleet } from "@rostersync/fleet";
import { createPostgresStore, type PostgresStore } from "@rostersync/storage-postgres";
import type { Sync, TenantPlan } from "@rostersync/sync";
import type { Result } from "neverthrow";
import { startLocalPostgres, whyNoPostgres } from "./pg.ts";
import {
  districtSchools,
  FLEET_WINDOWS,
  fleetSchemaOf,
  openSchool,
  PROFILE,
  type RunningSchool,
  startFacts,
} from "./schools.ts";
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
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
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
  for (const s of [schema, fleetSchemaOf(schema), `${fleetSchemaOf(schema)}_boss`]) {
    await store.getInstance().query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  }
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
  out(`\n1. The district's admin sets up ${schools.length} schools (first sync by hand, then every grade)`);
  const ports = schools.map((s) => s.factsUrl.replace("http://127.0.0.1", ""));
  out(`   each school's roster comes from its own FACTS (simulator) on 127.0.0.1${ports.join(" ")}`);
  /** Accounts of the admin's attended first sync, per school. */
  const firstAccounts = new Map<string, number>();
  let stalePlan: TenantPlan | null = null;
  const second = schools[1] as RunningSchool;
  for (const spec of schools) {
    const { sync, directory } = await openSchool(spec, pg, dataDir);
    // A school's first sync is attended (an unattended run never applies it): the kindergarten, by hand.
    await review(sync, { ...PROFILE, gradeLevels: ["K"] }, spec.tenantId);
    const first = must(await sync.plan(), spec.tenantId);
    must(await sync.apply(first, { acknowledge: first.planHash, actor: "admin" }), spec.tenantId);
    firstAccounts.set(spec.tenantId, must(await directory.listAccounts(), spec.tenantId).length);
    // Then every grade; the fleet's night applies the rest.
    const decided = await review(sync, PROFILE, spec.tenantId);
    // A plan made now and kept: after the night it is stale (someone else's apply changed the school).
    if (spec === second) stalePlan = must(await sync.plan(), spec.tenantId);
    out(
      `   ${spec.tenantId}: ${firstAccounts.get(spec.tenantId)} accounts (K) by hand; ${decided.totals.toSync} to sync, ${decided.totals.toExclude} excluded`,
    );
    await directory.close();
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
      if (event.type === "job") {
        const what =
          event.did === "failed"
            ? `failed (${event.error}), retried`
            : event.writes === 0
              ? "0 writes"
              : `${event.writes} writes, ${event.created} accounts created`;
        const run = event.runId === null ? "" : `: run ${event.runId.slice(0, 8)}`;
        out(`   ${since()} ${event.worker} ${event.did} ${event.school}${run}, ${what}`);
      } else if (event.type === "crashing") {
        out(`   ${since()} ${event.worker} is killed on ${event.school} after writing ${event.created} accounts`);
      }
    });
    const ready = new Promise<void>((resolve) =>
      child.on("message", (event: WorkerEvent) => event.type === "ready" && resolve()),
    );
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    return { child, ready, exited };
  };
  const base = { url, schema, dataDir, schools, lockTtlMs: LOCK_TTL_MS };

  // The host's control process: it adds the schools and queues their night; it works no jobs.
  const control = must(
    await createPostgresFleet({
      connectionString: url,
      schema: fleetSchemaOf(schema),
      windows: FLEET_WINDOWS,
      open: () => {
        throw new Error("the control process works no jobs");
      },
    }),
    "fleet",
  );
  try {
    for (const spec of schools) must(await control.addSchool({ tenantId: spec.tenantId, timeZone: "UTC" }), "fleet");

    let crashedRun: string | null = null;
    const first = schools[0] as RunningSchool;
    if (!values["no-crash"]) {
      out(`\n2. A worker dies in the middle of applying ${first.tenantId}`);
      const crasher = spawnWorker({ ...base, name: "worker-0", concurrency: 1, crashAfterCreates: 40 });
      await crasher.ready;
      must(await control.runNow(first.tenantId, "sync"), "fleet");
      const { code, signal } = await crasher.exited;
      const runs = must(await pg.listRuns(first.tenantId), first.tenantId);
      crashedRun = runs.find((r) => r.status === "running")?.runId ?? null;
      if (signal !== "SIGKILL" || crashedRun === null) {
        throw new Error(`worker-0 was to be killed mid-run, but it ended with code ${code}, signal ${signal}`);
      }
      out(
        `   worker-0 ended by ${signal}; run ${crashedRun.slice(0, 8)} is still "running", its pg-boss job active until its heartbeat is missed`,
      );
    }

    out(`\n3. ${WORKERS} fleet workers start; the night's sync of every school is queued`);
    const workers = Array.from({ length: WORKERS }, (_, i) =>
      spawnWorker({ ...base, name: `worker-${i + 1}`, concurrency: 2 }),
    );
    await Promise.all(workers.map((w) => w.ready));
    for (const spec of schools) {
      // The crashed school's job is still pg-boss's (retried once its heartbeat is missed): queueing it again
      // is a no-op under the singleton policy.
      if (spec === first && crashedRun !== null) continue;
      must(await control.runNow(spec.tenantId, "sync"), "fleet");
    }
    const ended = (school: string) =>
      events.some((e) => e.type === "job" && e.school === school && e.worker !== "worker-0" && !e.retry);
    const deadline = Date.now() + 120_000;
    while (!schools.every((s) => ended(s.tenantId)) && Date.now() < deadline) await sleep(200);
    for (const w of workers) w.child.send({ stop: true });
    const exits = await Promise.all(workers.map((w) => w.exited));
    const failedWorkers = exits.filter((e) => e.code !== 0).length;

    // A worker from before the fleet, still holding the plan it made before the night: its apply is refused
    // (the school changed under the plan) and audited apart from the applies.
    let staleRefused = false;
    if (stalePlan !== null) {
      out(`\n4. A stale worker applies the plan of ${second.tenantId} it made before the night`);
      const { sync, directory } = await openSchool(second, pg, dataDir);
      const late = await sync.apply(stalePlan, { actor: "stale-worker" });
      await directory.close();
      staleRefused = late.isErr() && late.error.type === "StalePlan";
      out(`   ${late.isErr() ? `refused: ${late.error.type}` : "applied (it should not have been)"}`);
    }

    out("\n5. What happened to each school");
    const header = ["school", "run", "written by (accounts created)", "runs tonight", "accounts", "people twice"];
    const rows: string[][] = [];
    const summary = [];
    let allOnce = failedWorkers === 0 && (stalePlan === null || staleRefused);
    for (const spec of schools) {
      const school = spec.tenantId;
      const tonight = must(await pg.listRuns(school), school).filter((r) => r.actor !== "admin");
      const jobs = events.filter(
        (e): e is Extract<WorkerEvent, { type: "job" }> => e.type === "job" && e.school === school,
      );
      const writers = jobs.filter((e) => e.writes > 0);
      const crash = events.find((e) => e.type === "crashing" && e.school === school);
      const crashCreated = crash?.type === "crashing" ? crash.created : 0;
      // Runs started for this school: applies (the crash started one too); a resume continues one.
      const runsStarted = jobs.filter((e) => e.did === "applied").length + (crash ? 1 : 0);
      const { directory } = await openSchool(spec, pg, dataDir);
      const accounts = must(await directory.listAccounts(), school);
      await directory.close();
      const sourceIds = accounts.map((a) => a.sourceId);
      const twice = sourceIds.length - new Set(sourceIds).size;
      const completed = tonight.filter((r) => r.status === "completed");
      const created = crashCreated + writers.reduce((n, e) => n + e.created, 0);
      const once =
        tonight.length === 1 &&
        completed.length === 1 &&
        writers.every((e) => e.runId === completed[0]?.runId) &&
        runsStarted === 1 &&
        twice === 0 &&
        created === accounts.length - (firstAccounts.get(school) ?? 0);
      allOnce &&= once;
      rows.push([
        school,
        (completed[0]?.runId ?? "none").slice(0, 8),
        [
          ...(crash ? [`worker-0 (${crashCreated}, killed)`] : []),
          ...writers.map((e) => `${e.worker}${e.did === "resumed" ? " resuming" : ""} (${e.created})`),
        ].join(", "),
        `${tonight.length} (${completed.length} completed)`,
        String(accounts.length),
        String(twice),
      ]);
      summary.push({
        school,
        once,
        runsStarted,
        firstAccounts: firstAccounts.get(school) ?? 0,
        writers: writers.map((e) => ({
          worker: e.worker,
          type: e.did,
          runId: e.runId,
          writes: e.writes,
          created: e.created,
        })),
        crashCreated,
        runs: tonight.map((r) => ({ runId: r.runId, status: r.status, actor: r.actor ?? null })),
        accounts: accounts.length,
        twice,
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
        `${JSON.stringify(
          {
            crashedRun,
            staleSchool: stalePlan === null ? null : second.tenantId,
            staleRefused,
            leftLeases,
            failedWorkers,
            schools: summary,
            events,
          },
          null,
          2,
        )}\n`,
      );
    }
    return allOnce && leftLeases === 0;
  } finally {
    await control.close();
  }
}

/** The admin's review: the profile, a read, decisions (each shared email to the person listed first). */
async function review(sync: Sync, profile: SyncProfile, school: string) {
  must(await sync.setup(profile), school);
  const read = must(await sync.refresh(), school);
  return must(
    await sync.decide((d) => {
      let draft = d;
      for (const g of read.duplicateGroups) draft = draft.resolveDuplicate(g.email, [...g.members].sort()[0] ?? "");
      return draft.recordDefaults().markReviewed();
    }),
    school,
  );
}

/** The value of a result, or a throw naming the school and the error. */
function must<T, E extends { readonly type: string; readonly message: string }>(result: Result<T, E>, what: string): T {
  if (result.isErr()) throw new Error(`${what}: ${result.error.type}: ${result.error.message}`);
  return result.value;
}

try {
  process.exitCode = (await main()) ? 0 : 1;
} catch (error) {
  console.error(`postgres-workers: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
