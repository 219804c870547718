// The fleet on PostgreSQL: pg-boss runs the jobs (one queue, one active job per school through the
// `singleton` policy keyed by the school, crons in each school's time zone, retries with backoff, a job
// whose worker stops beating is failed and retried elsewhere), jobs.ts makes each one exactly once, and
// every worker takes its FACTS requests from one PostgreSQL budget per key (docs/fleet.md).
import { createHash } from "node:crypto";
import type { BudgetWindow, RequestBudget } from "@rostersync/facts";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import pg from "pg";
import { type ConstructorOptions, PgBoss } from "pg-boss";
import { createPostgresBudget, type PostgresBudget, type PostgresBudgetOptions } from "./budget.js";
import { isTimeZone, parseCron } from "./cron.js";
import { type JobEnvironment, type JobOutcome, type JobRequest, runJob } from "./jobs.js";
import { postgresTables } from "./pg-tables.js";
import { migrateFleetSchema } from "./schema.js";
import { DEFAULT_NIGHTLY, hoursCron, makeDigest, schoolProblems, schoolStatus } from "./status.js";
import type { Fleet, FleetError, JobKind, OpenSchool } from "./types.js";

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
  readonly retry?:
    | {
        readonly limit?: number | undefined;
        readonly delaySeconds?: number | undefined;
        readonly maxDelaySeconds?: number | undefined;
      }
    | undefined;
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
  readonly logger?: { warn?(message: string, detail?: unknown): void } | undefined;
}

interface JobData {
  readonly tenantId: string;
  readonly kind: JobKind;
  readonly exportName?: string | undefined;
}

/** pg-boss schedule keys allow letters, digits, `_ - . /`: other tenant ids go in as their digest. */
const scheduleKey = (tenantId: string, kind: JobKind) =>
  `${/^[A-Za-z0-9_.-]+$/.test(tenantId) ? tenantId : createHash("sha256").update(tenantId).digest("hex")}/${kind}`;

const storeFailed = (e: unknown): FleetError => ({
  type: "FleetStoreFailed",
  message: e instanceof Error ? e.message : String(e),
});
const lift = <T>(p: () => Promise<T>): ResultAsync<T, FleetError> => ResultAsync.fromPromise(p(), storeFailed);

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
    const boss = new PgBoss({
      connectionString: options.connectionString,
      schema: `${schema}_boss`,
      max: 4,
      ...options.boss,
    });
    boss.on("error", (e: unknown) => options.logger?.warn?.("pg-boss error", e));
    await boss.start();
    const existing = await boss.getQueue(FLEET_QUEUE);
    if (existing === null || existing === undefined) {
      await boss
        .createQueue(FLEET_QUEUE, {
          policy: "singleton",
          retryLimit: options.retry?.limit ?? 8,
          retryDelay: options.retry?.delaySeconds ?? 30,
          retryBackoff: true,
          retryDelayMax: options.retry?.maxDelaySeconds ?? 1800,
          heartbeatSeconds: Math.max(10, Math.round(options.heartbeatSeconds ?? 30)),
          // A sync of a large school may take hours under the shared budget; the heartbeat notices a death.
          expireInSeconds: 6 * 3600,
        })
        // Another worker created it between our look and our create.
        .catch(async (e: unknown) => {
          if ((await boss.getQueue(FLEET_QUEUE)) == null) throw e;
        });
    }

    const budgets = new Map<string, Promise<PostgresBudget>>();
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
    const schoolBudget = (tenantId: string, key: string): RequestBudget => {
      let ready: RequestBudget | null = null;
      const got = budgetOf(key).then((b) => {
        ready = b.forSchool(tenantId);
        return ready;
      });
      return {
        take: (signal) => got.then((b) => b.take(signal)),
        pause: (ms) => void got.then((b) => b.pause(ms)),
        estimate: (n) => (ready === null ? 0 : (ready as RequestBudget).estimate(n)),
        get spent() {
          return ready === null ? 0 : (ready as RequestBudget).spent;
        },
      };
    };
    const env: JobEnvironment = { tables, open: options.open, budget: schoolBudget, now, logger: options.logger };

    const send = (data: JobData, startAfter?: Date) =>
      boss.send(FLEET_QUEUE, data, {
        singletonKey: data.tenantId,
        ...(startAfter === undefined ? {} : { startAfter }),
      });

    let working = false;
    const fleet: Fleet = {
      addSchool(school) {
        const problems = schoolProblems(school, isTimeZone, parseCron);
        if (problems.length > 0) {
          return errAsync({
            type: "InvalidSchool",
            message: `School ${school.tenantId}: ${problems.join("; ")}`,
            problems,
          });
        }
        return lift(async () => {
          await tables.saveSchool(school);
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
          return school;
        });
      },
      removeSchool(tenantId) {
        return lift(async () => {
          await boss.unschedule(FLEET_QUEUE, scheduleKey(tenantId, "sync"));
          await boss.unschedule(FLEET_QUEUE, scheduleKey(tenantId, "hours"));
          await tables.removeSchool(tenantId);
        });
      },
      runNow(tenantId, kind, runOptions = {}) {
        return lift(async () => {
          const school = await tables.school(tenantId);
          if (school === null) return false;
          await send({
            tenantId,
            kind,
            ...(runOptions.exportName === undefined ? {} : { exportName: runOptions.exportName }),
          });
          return true;
        }).andThen((known) =>
          known
            ? okAsync(undefined)
            : errAsync<void, FleetError>({
                type: "UnknownSchool",
                message: `No school ${tenantId} in the fleet.`,
                tenantId,
              }),
        );
      },
      start() {
        return lift(async () => {
          if (working) return;
          working = true;
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
        });
      },
      status() {
        return lift(async () => {
          const [schools, statuses] = await Promise.all([tables.schools(), tables.statuses()]);
          const at = now();
          return schools.map((s) =>
            schoolStatus(s, statuses.get(s.tenantId) ?? { newErrors: 0, hoursPending: 0, exportsNext: {} }, at),
          );
        });
      },
      digest({ since }) {
        return fleet.status().andThen((statuses) =>
          lift(async () => {
            const { digest, reported } = makeDigest(statuses, since, now());
            for (const tenantId of reported) {
              await tables.updateStatus(tenantId, (s) =>
                s.held === undefined ? s : { ...s, held: { ...s.held, reportedAt: digest.at } },
              );
            }
            return digest;
          }),
        );
      },
      async stop() {
        await boss.stop({ graceful: true, timeout: 10_000 }).catch(() => undefined);
        for (const b of budgets.values()) await (await b).close().catch(() => undefined);
        await pool.end().catch(() => undefined);
      },
    };
    return fleet;
  });
}
