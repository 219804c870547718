// The embedded fleet: the same interface in one process over one SQLite file, for a vendor with a handful of
// schools and no server. Jobs are rows (so a job in hand when the process died is picked up again at the
// next start and resumes its run, as on pg-boss); a timer enqueues the crons and works due jobs, one per
// school at a time; one in-process FACTS budget per key (facts' createBudget) is shared by every school.
import { randomUUID } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import type { Logger } from "@rostersync/core";
import { type BudgetWindow, createBudget, type RequestBudget } from "@rostersync/facts";
import { ResultAsync } from "neverthrow";
import { nextCronTime } from "./cron.js";
import {
  type FleetEngine,
  type FleetRetry,
  type FleetTables,
  fleetOver,
  type JobEnvironment,
  type JobOutcome,
  type JobRequest,
  type RetryPolicy,
  retryPolicy,
  runJob,
  storeFailed,
} from "./jobs.js";
import { DEFAULT_NIGHTLY, EMPTY_STATUS, hoursCron, type StoredStatus } from "./status.js";
import type { Fleet, FleetSchool, FleetStoreError, JobKind, OpenSchool } from "./types.js";

/** Options of {@link createEmbeddedFleet}. */
export interface EmbeddedFleetOptions {
  /** The SQLite file of the fleet's schools, status and jobs (`:memory:` for a throwaway one). */
  readonly path: string;
  /** Builds one school's sync for a job. */
  readonly open: OpenSchool;
  /** The FACTS budget of every key. Default FACTS's: 100 per rolling minute, 10 per second. */
  readonly windows?: readonly BudgetWindow[] | undefined;
  /** Jobs at once (each school one at a time). Default 2. */
  readonly concurrency?: number | undefined;
  /** Retries of a failed job, with exponential backoff. Default 8 from 30 s, at most 30 min apart. */
  readonly retry?: FleetRetry | undefined;
  /** How often due work is looked for. Default 1 s. */
  readonly tickMs?: number | undefined;
  /** Default the system clock. */
  readonly now?: (() => Date) | undefined;
  /** Told about each job's outcome. */
  readonly onJob?: ((job: JobRequest, outcome: JobOutcome) => void) | undefined;
  /** Told when a tick fails (core's `Logger`; nothing logged holds a key). */
  readonly logger?: Logger | undefined;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS schools (tenant_id TEXT PRIMARY KEY, settings TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS status (tenant_id TEXT PRIMARY KEY, state TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS jobs (job_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, kind TEXT NOT NULL, known_runs TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS queue (
     job_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, kind TEXT NOT NULL, export_name TEXT,
     run_at INTEGER NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, active INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE IF NOT EXISTS crons (tenant_id TEXT NOT NULL, kind TEXT NOT NULL, next_at INTEGER, PRIMARY KEY (tenant_id, kind))`,
];

function sqliteTables(db: DatabaseSync): FleetTables {
  const read = (row: unknown) =>
    row === undefined ? null : (JSON.parse((row as { settings: string }).settings) as FleetSchool);
  return {
    async saveSchool(school) {
      db.prepare(
        "INSERT INTO schools (tenant_id, settings) VALUES (?, ?) ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings",
      ).run(school.tenantId, JSON.stringify(school));
    },
    async removeSchool(tenantId) {
      db.prepare("DELETE FROM schools WHERE tenant_id = ?").run(tenantId);
      db.prepare("DELETE FROM crons WHERE tenant_id = ?").run(tenantId);
    },
    async school(tenantId) {
      return read(db.prepare("SELECT settings FROM schools WHERE tenant_id = ?").get(tenantId));
    },
    async schools() {
      return db
        .prepare("SELECT settings FROM schools ORDER BY tenant_id")
        .all()
        .map((r) => read(r) as FleetSchool);
    },
    async statuses() {
      const rows = db.prepare("SELECT tenant_id, state FROM status").all() as { tenant_id: string; state: string }[];
      return new Map(rows.map((r) => [r.tenant_id, { ...EMPTY_STATUS, ...(JSON.parse(r.state) as StoredStatus) }]));
    },
    async updateStatus(tenantId, change) {
      // One process, synchronous statements: nothing runs between the read and the write.
      const row = db.prepare("SELECT state FROM status WHERE tenant_id = ?").get(tenantId) as
        | { state: string }
        | undefined;
      const next = change({ ...EMPTY_STATUS, ...(row === undefined ? {} : (JSON.parse(row.state) as StoredStatus)) });
      db.prepare(
        "INSERT INTO status (tenant_id, state) VALUES (?, ?) ON CONFLICT (tenant_id) DO UPDATE SET state = excluded.state",
      ).run(tenantId, JSON.stringify(next));
      return next;
    },
    async jobStarted(jobId, tenantId, kind, knownRuns) {
      db.prepare("INSERT OR IGNORE INTO jobs (job_id, tenant_id, kind, known_runs) VALUES (?, ?, ?, ?)").run(
        jobId,
        tenantId,
        kind,
        JSON.stringify(knownRuns),
      );
      const row = db.prepare("SELECT known_runs FROM jobs WHERE job_id = ?").get(jobId) as { known_runs: string };
      return JSON.parse(row.known_runs) as string[];
    },
    async close() {},
  };
}

/**
 * Creates the embedded fleet: no PostgreSQL, no pg-boss, one process.
 *
 * @example
 * ```ts
 * const fleet = (await createEmbeddedFleet({ path: "fleet.db", open }))._unsafeUnwrap();
 * await fleet.addSchool({ tenantId: "school-1", timeZone: "Europe/Dublin" });
 * await fleet.start();
 * // … at shutdown
 * await fleet.close();
 * ```
 *
 * @returns The fleet, or `FleetStoreFailed` when the SQLite file cannot be opened or migrated.
 */
export function createEmbeddedFleet(options: EmbeddedFleetOptions): ResultAsync<Fleet, FleetStoreError> {
  return ResultAsync.fromPromise(
    (async () => {
      const db = new DatabaseSync(options.path);
      try {
        db.exec("PRAGMA journal_mode = WAL");
        for (const sql of SCHEMA) db.exec(sql);
      } catch (e) {
        db.close();
        throw e;
      }
      return embeddedFleet(options, db);
    })(),
    storeFailed,
  );
}

/** A queued job's row. */
interface QueuedJob {
  job_id: string;
  tenant_id: string;
  kind: JobKind;
  export_name: string | null;
  attempt: number;
}

/** The embedded engine: its file, its settings, the jobs in hand (one per school) and its timer. */
interface EmbeddedLoop {
  readonly db: DatabaseSync;
  readonly options: EmbeddedFleetOptions;
  readonly tables: FleetTables;
  readonly env: JobEnvironment;
  readonly now: () => Date;
  readonly retry: RetryPolicy;
  readonly concurrency: number;
  readonly active: Map<string, { stop: AbortController; done: Promise<void> }>;
  timer: NodeJS.Timeout | undefined;
  running: boolean;
}

function embeddedFleet(options: EmbeddedFleetOptions, db: DatabaseSync): Fleet {
  const tables = sqliteTables(db);
  const now = options.now ?? (() => new Date());
  const loop: EmbeddedLoop = {
    db,
    options,
    tables,
    env: { tables, open: options.open, budget: sharedBudgets(options.windows), now, logger: options.logger },
    now,
    retry: retryPolicy(options.retry),
    concurrency: Math.max(1, options.concurrency ?? 2),
    active: new Map(),
    timer: undefined,
    running: false,
  };
  return fleetOver(tables, now, embeddedEngine(loop));
}

/** One in-process budget per FACTS key, shared by every school that sends with it. */
function sharedBudgets(windows: readonly BudgetWindow[] | undefined): JobEnvironment["budget"] {
  const budgets = new Map<string, RequestBudget>();
  return (_tenantId, key) => {
    let b = budgets.get(key);
    if (b === undefined) {
      b = createBudget(windows === undefined ? {} : { windows });
      budgets.set(key, b);
    }
    return b;
  };
}

const enqueue = (db: DatabaseSync, tenantId: string, kind: JobKind, at: number, exportName?: string) =>
  db
    .prepare("INSERT INTO queue (job_id, tenant_id, kind, export_name, run_at) VALUES (?, ?, ?, ?, ?)")
    .run(randomUUID(), tenantId, kind, exportName ?? null, at);

/** Queues the crons that came due, and notes when each fires next. */
async function queueDueCrons({ db, tables }: EmbeddedLoop, t: number) {
  for (const school of await tables.schools()) {
    for (const [kind, cron] of [
      ["sync", school.nightly ?? DEFAULT_NIGHTLY],
      ["hours", hoursCron(school)],
    ] as const) {
      const row = db.prepare("SELECT next_at FROM crons WHERE tenant_id = ? AND kind = ?").get(school.tenantId, kind) as
        | { next_at: number | null }
        | undefined;
      if (row !== undefined && row.next_at !== null && row.next_at > t) continue;
      // Occurrences missed while the process was down send one job, as pg-boss's `missed: once` would.
      if (row !== undefined && row.next_at !== null) enqueue(db, school.tenantId, kind, t);
      const next = nextCronTime(cron, school.timeZone, t)?.getTime() ?? null;
      db.prepare(
        "INSERT INTO crons (tenant_id, kind, next_at) VALUES (?, ?, ?) ON CONFLICT (tenant_id, kind) DO UPDATE SET next_at = excluded.next_at",
      ).run(school.tenantId, kind, next);
    }
  }
}

/** Runs one job, then retries it later, keeps it for the next start (stopped), or removes it. */
async function work(loop: EmbeddedLoop, job: QueuedJob, stop: AbortController) {
  const { db, retry } = loop;
  const request: JobRequest = {
    jobId: job.job_id,
    kind: job.kind,
    tenantId: job.tenant_id,
    exportName: job.export_name ?? undefined,
    attempt: job.attempt,
  };
  let outcome: JobOutcome;
  try {
    outcome = await runJob(loop.env, request, stop.signal);
  } catch (e) {
    outcome = { retry: true, error: storeFailed(e), exports: [], did: "failed" };
  }
  for (const e of outcome.exports) enqueue(db, job.tenant_id, "export", e.at.getTime(), e.name);
  if (outcome.retry && job.attempt < retry.limit && !stop.signal.aborted) {
    const delay = Math.min(retry.maxDelaySeconds * 1000, retry.delaySeconds * 1000 * 2 ** job.attempt);
    db.prepare("UPDATE queue SET active = 0, attempt = attempt + 1, run_at = ? WHERE job_id = ?").run(
      loop.now().getTime() + delay,
      job.job_id,
    );
  } else if (stop.signal.aborted) {
    // Stopped: the job stays for the next start, which resumes its run.
    db.prepare("UPDATE queue SET active = 0 WHERE job_id = ?").run(job.job_id);
  } else {
    db.prepare("DELETE FROM queue WHERE job_id = ?").run(job.job_id);
  }
  loop.options.onJob?.(request, outcome);
}

/** Queues due crons and starts due jobs, up to `concurrency` and one per school. */
async function tick(loop: EmbeddedLoop) {
  const { db, active } = loop;
  if (!loop.running) return;
  const t = loop.now().getTime();
  try {
    await queueDueCrons(loop, t);
    const due = db
      .prepare(
        "SELECT job_id, tenant_id, kind, export_name, attempt FROM queue WHERE active = 0 AND run_at <= ? ORDER BY run_at, rowid",
      )
      .all(t) as unknown as QueuedJob[];
    for (const job of due) {
      if (active.size >= loop.concurrency) break;
      if (active.has(job.tenant_id)) continue; // one job per school at a time
      db.prepare("UPDATE queue SET active = 1 WHERE job_id = ?").run(job.job_id);
      const stop = new AbortController();
      const done = work(loop, job, stop).finally(() => {
        active.delete(job.tenant_id);
        if (loop.running) setImmediate(() => void tick(loop));
      });
      active.set(job.tenant_id, { stop, done });
    }
  } catch (e) {
    loop.options.logger?.warn?.("embedded fleet tick failed", { error: e instanceof Error ? e.message : String(e) });
  }
}

/** How the embedded loop schedules, queues and runs work. */
function embeddedEngine(loop: EmbeddedLoop): FleetEngine {
  const { db } = loop;
  return {
    async schedule(school) {
      // New crons (or changed ones) are worked out again at the next tick.
      db.prepare("DELETE FROM crons WHERE tenant_id = ?").run(school.tenantId);
    },
    async unschedule(tenantId) {
      db.prepare("DELETE FROM crons WHERE tenant_id = ?").run(tenantId);
      db.prepare("DELETE FROM queue WHERE tenant_id = ? AND active = 0").run(tenantId);
    },
    async enqueue(tenantId, kind, exportName) {
      enqueue(db, tenantId, kind, loop.now().getTime(), exportName);
      if (loop.running) setImmediate(() => void tick(loop));
    },
    async start() {
      loop.running = true;
      // Jobs a dead process had in hand are due again; their runs resume.
      db.exec("UPDATE queue SET active = 0 WHERE active = 1");
      loop.timer = setInterval(() => void tick(loop), loop.options.tickMs ?? 1000);
      void tick(loop);
    },
    async close() {
      loop.running = false;
      if (loop.timer !== undefined) clearInterval(loop.timer);
      // Jobs in hand stop between two actions; the next start resumes their runs.
      for (const a of loop.active.values()) a.stop.abort(new Error("The fleet was stopped."));
      await Promise.all([...loop.active.values()].map((a) => a.done));
      db.close();
    },
  };
}
