// The fleet on PostgreSQL: pg-boss runs the jobs (one queue, one active job per school through the
// `singleton` policy keyed by the school, crons in each school's time zone, retries with backoff, a job
// whose worker stops beating is failed and retried elsewhere), jobs.ts makes each one exactly once, and
// every worker takes its FACTS requests from one PostgreSQL budget per key (docs/fleet.md).
import { createHash } from "node:crypto";
import type { Logger } from "@rostersync/core";
import type { BudgetWindow, RequestBudget } from "@rostersync/facts";
import type { ResultAsync } from "neverthrow";
import pg from "pg";
import { type ConstructorOptions, PgBoss } from "pg-boss";
import { createPostgresBudget, type PostgresBudget, type PostgresBudgetOptions } from "./budget.js";
import {
  type FleetEngine,
  type FleetRetry,
  fleetOver,
  type JobEnvironment,
  type JobOutcome,
  type JobRequest,
  lift,
  retryPolicy,
  runJob,
} from "./jobs.js";
import { postgresTables } from "./pg-tables.js";
import { migrateFleetSchema } from "./schema.js";
import { DEFAULT_NIGHTLY, hoursCron } from "./status.js";
import type { Fleet, FleetError, FleetStoreError, JobKind, OpenSchool } from "./types.js";

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The pg-boss queue every school's jobs go through. */
export const FLEET_QUEUE = "rostersync-school";

/** Options of {@link createPostgresFleet}. */
export interface PostgresFleetOptions {
  /** The PostgreSQL the fleet, pg-boss and the budget share (the SyncStore may use it too). */
  readonly connectionString: string;
  /** Schema of the fleet's tables. Default `rostersync_fleet`; pg-boss uses `<schema>_boss`. */
  readonly schema?: string | undefined;
  /** Builds one school's sync for a job. */
  readonly open: OpenSchool;
  /** The FACTS budget of every key. Default FACTS's: 100 per rolling minute, 10 per second. */
  readonly windows?: readonly BudgetWindow[] | undefined;
  /** More budget options (margin, in-flight timeout). */
  readonly budget?: Omit<PostgresBudgetOptions, "key" | "pool" | "connectionString" | "schema" | "windows"> | undefined;
  /** Jobs this process works at once. Default 2. */
  readonly concurrency?: number | undefined;
  /** Retries of a failed job, with exponential backoff. Default 8 retries from 30 s, at most 30 min apart. */
  readonly retry?: FleetRetry | undefined;
  /** A job whose worker has not beaten for this long is retried elsewhere. Default 30, at least 10. */
  readonly heartbeatSeconds?: number | undefined;
  /** How often an idle worker looks for jobs. Default 2 s. */
  readonly pollingIntervalSeconds?: number | undefined;
  /** Passed to pg-boss (e.g. `monitorIntervalSeconds`, how soon a dead worker's job is noticed). */
  readonly boss?: Partial<ConstructorOptions> | undefined;
  /** Default the system clock. */
  readonly now?: (() => Date) | undefined;
  /** Told about each job's outcome. */
  readonly onJob?: ((job: JobRequest, outcome: JobOutcome) => void) | undefined;
  /** Told about pg-boss's errors and the budget's (core's `Logger`; nothing logged holds a key). */
  readonly logger?: Logger | undefined;
}

interface JobData {
  readonly tenantId: string;
  readonly kind: JobKind;
  readonly exportName?: string | undefined;
}

/** pg-boss schedule keys allow letters, digits, `_ - . /`: other tenant ids go in as their digest. */
const scheduleKey = (tenantId: string, kind: JobKind) =>
  `${/^[A-Za-z0-9_.-]+$/.test(tenantId) ? tenantId : createHash("sha256").update(tenantId).digest("hex")}/${kind}`;

/**
 * Creates the fleet of this process. Every worker process creates one and calls `start()`; any of them can
 * add schools or read `status()`.
 *
 * @example
 * ```ts
 * const opened = await createPostgresFleet({ connectionString, open });
 * if (opened.isErr()) throw new Error(opened.error.message);
 * const fleet = opened.value;
 * await fleet.addSchool({ tenantId: "school-1", timeZone: "America/Chicago", nightly: "0 2 * * *" });
 * await fleet.start();
 * ```
 */
export function createPostgresFleet(options: PostgresFleetOptions): ResultAsync<Fleet, FleetError> {
  const schema = options.schema ?? "rostersync_fleet";
  const now = options.now ?? (() => new Date());
  return lift(async () => {
    const pool = new pg.Pool({ connectionString: options.connectionString, max: 6 });
    await migrateFleetSchema(pool, schema);
    const tables = postgresTables(pool, schema);
    const boss = await startBoss(options, schema);
    const budgets = sharedBudgets(options, pool, schema);
    const env: JobEnvironment = { tables, open: options.open, budget: budgets.forSchool, now, logger: options.logger };
    return fleetOver(
      tables,
      now,
      bossEngine(options, boss, env, async () => {
        await budgets.close();
        await pool.end().catch(() => undefined);
      }),
    );
  });
}

/** Starts pg-boss in `<schema>_boss` and creates the fleet's queue when no worker has yet. */
async function startBoss(options: PostgresFleetOptions, schema: string): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: `${schema}_boss`,
    max: 4,
    ...options.boss,
  });
  boss.on("error", (e: unknown) => options.logger?.warn?.("pg-boss error", { error: messageOf(e) }));
  await boss.start();
  const existing = await boss.getQueue(FLEET_QUEUE);
  if (existing === null || existing === undefined) {
    const retry = retryPolicy(options.retry);
    await boss
      .createQueue(FLEET_QUEUE, {
        policy: "singleton",
        retryLimit: retry.limit,
        retryDelay: retry.delaySeconds,
        retryBackoff: true,
        retryDelayMax: retry.maxDelaySeconds,
        heartbeatSeconds: Math.max(10, Math.round(options.heartbeatSeconds ?? 30)),
        // A sync of a large school may take hours under the shared budget; the heartbeat notices a death.
        expireInSeconds: 6 * 3600,
      })
      // Another worker created it between our look and our create.
      .catch(async (e: unknown) => {
        if ((await boss.getQueue(FLEET_QUEUE)) == null) throw e;
      });
  }
  return boss;
}

/** One PostgreSQL budget per FACTS key, opened when a school first sends with it, seen through each school. */
function sharedBudgets(options: PostgresFleetOptions, pool: pg.Pool, schema: string) {
  const budgets = new Map<string, ResultAsync<PostgresBudget, FleetStoreError>>();
  const budgetOf = (key: string) => {
    let b = budgets.get(key);
    if (b === undefined) {
      b = createPostgresBudget({
        ...options.budget,
        key,
        pool,
        schema,
        ...(options.windows === undefined ? {} : { windows: options.windows }),
      });
      budgets.set(key, b);
    }
    return b;
  };
  const forSchool = (tenantId: string, key: string): RequestBudget => {
    let ready: RequestBudget | null = null;
    const got = (async () => {
      const b = await budgetOf(key);
      if (b.isErr()) throw new Error(b.error.message);
      ready = b.value.forSchool(tenantId);
      return ready;
    })();
    return {
      take: (signal) => got.then((b) => b.take(signal)),
      pause: (ms) => void got.then((b) => b.pause(ms)),
      estimate: (n) => (ready === null ? 0 : (ready as RequestBudget).estimate(n)),
      get spent() {
        return ready === null ? 0 : (ready as RequestBudget).spent;
      },
    };
  };
  const close = async () => {
    for (const b of budgets.values()) {
      const opened = await b;
      if (opened.isOk()) await opened.value.close().catch(() => undefined);
    }
  };
  return { forSchool, close };
}

/** How pg-boss schedules, queues and runs the fleet's work; `release` closes the budgets and the pool. */
function bossEngine(
  options: PostgresFleetOptions,
  boss: PgBoss,
  env: JobEnvironment,
  release: () => Promise<void>,
): FleetEngine {
  const send = (data: JobData, startAfter?: Date) =>
    boss.send(FLEET_QUEUE, data, {
      singletonKey: data.tenantId,
      ...(startAfter === undefined ? {} : { startAfter }),
    });
  return {
    async schedule(school) {
      const base = { tz: school.timeZone, singletonKey: school.tenantId };
      await boss.schedule(
        FLEET_QUEUE,
        school.nightly ?? DEFAULT_NIGHTLY,
        { tenantId: school.tenantId, kind: "sync" },
        { ...base, key: scheduleKey(school.tenantId, "sync") },
      );
      await boss.schedule(
        FLEET_QUEUE,
        hoursCron(school),
        { tenantId: school.tenantId, kind: "hours" },
        { ...base, key: scheduleKey(school.tenantId, "hours") },
      );
    },
    async unschedule(tenantId) {
      await boss.unschedule(FLEET_QUEUE, scheduleKey(tenantId, "sync"));
      await boss.unschedule(FLEET_QUEUE, scheduleKey(tenantId, "hours"));
    },
    async enqueue(tenantId, kind, exportName) {
      await send({ tenantId, kind, ...(exportName === undefined ? {} : { exportName }) });
    },
    async start() {
      await boss.work<JobData>(
        FLEET_QUEUE,
        {
          localConcurrency: Math.max(1, options.concurrency ?? 2),
          batchSize: 1,
          pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
        },
        async ([job]) => {
          if (job === undefined) return;
          const request: JobRequest = {
            jobId: job.id,
            kind: job.data.kind,
            tenantId: job.data.tenantId,
            exportName: job.data.exportName,
            attempt: job.retryCount,
          };
          const outcome = await runJob(env, request, job.signal);
          for (const e of outcome.exports) {
            await send({ tenantId: request.tenantId, kind: "export", exportName: e.name }, e.at);
          }
          options.onJob?.(request, outcome);
          // pg-boss retries a failed attempt with backoff.
          if (outcome.retry) throw new Error(`${outcome.error?.type}: ${outcome.error?.message}`);
          return { did: outcome.did, runId: outcome.runId ?? null };
        },
      );
    },
    async close() {
      await boss.stop({ graceful: true, timeout: 10_000 }).catch(() => undefined);
      await release();
    },
  };
}
