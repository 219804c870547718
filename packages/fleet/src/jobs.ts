// One job for one school, whichever engine runs it (pg-boss or the embedded loop). The engine gives at-least-
// once delivery; this makes the sync exactly once: the first attempt writes down the school's runs it found,
// and a later attempt of the same job resumes the run that is not among them (the journal makes the resume
// exactly once) or, when that run completed, stops there. A new run starts only when the job has none.
import type { Logger, RunRecord, SyncStore } from "@rostersync/core";
import type { RequestBudget } from "@rostersync/facts";
import type { SyncError } from "@rostersync/sync";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { isTimeZone, parseCron } from "./cron.js";
import { EMPTY_STATUS, makeDigest, pauseAt, type StoredStatus, schoolProblems, schoolStatus } from "./status.js";
import type {
  Fleet,
  FleetError,
  FleetSchool,
  FleetStoreError,
  JobKind,
  OpenedSchool,
  OpenSchool,
  TypedError,
} from "./types.js";

/** Where the jobs keep what they learn; PostgreSQL or SQLite. */
export interface FleetTables {
  saveSchool(school: FleetSchool): Promise<void>;
  removeSchool(tenantId: string): Promise<void>;
  school(tenantId: string): Promise<FleetSchool | null>;
  schools(): Promise<readonly FleetSchool[]>;
  statuses(): Promise<ReadonlyMap<string, StoredStatus>>;
  /** Read-modify-write of one school's status, atomic against other workers. */
  updateStatus(tenantId: string, change: (current: StoredStatus) => StoredStatus): Promise<StoredStatus>;
  /** Records a job's first attempt with the runs the school had then; later attempts get the first list back. */
  jobStarted(jobId: string, tenantId: string, kind: JobKind, knownRuns: readonly string[]): Promise<readonly string[]>;
  close(): Promise<void>;
}

/** One job as the engine hands it over. */
export interface JobRequest {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly tenantId: string;
  readonly exportName?: string | undefined;
  /** 0 on the first attempt. */
  readonly attempt: number;
}

/** What the engine should do after a job. */
export interface JobOutcome {
  /** Fail the attempt so that the engine retries it with backoff. */
  readonly retry: boolean;
  readonly error?: TypedError | undefined;
  /** Export jobs to queue (an export's next run). */
  readonly exports: readonly { readonly name: string; readonly at: Date }[];
  /** For tests and logs: what the job did. */
  readonly did:
    | "applied"
    | "resumed"
    | "finished-before"
    | "held"
    | "new-errors"
    | "read-only"
    | "pushed"
    | "skipped"
    | "exported"
    | "failed";
  readonly runId?: string | undefined;
}

/** Everything a job needs from its engine. */
export interface JobEnvironment {
  readonly tables: FleetTables;
  readonly open: OpenSchool;
  readonly budget: (tenantId: string, key: string) => RequestBudget;
  readonly now: () => Date;
  readonly logger?: Logger | undefined;
}

/** Errors that another attempt cannot fix: a person must act (set up, review, fix input). */
const NEEDS_A_PERSON = new Set([
  "NoProfile",
  "InvalidInput",
  "InvalidDecision",
  "ProfileMismatch",
  "WrongTenant",
  "NoPlan",
  "Held",
  "HoursSyncOff",
]);

const typed = (e: { readonly type: string; readonly message: string }): TypedError => ({
  type: e.type,
  message: e.message,
});

const unfinished = (r: RunRecord) => r.status !== "completed";

async function listRuns(store: SyncStore, tenantId: string): Promise<readonly RunRecord[]> {
  const runs = await store.listRuns(tenantId, { limit: 50 });
  if (runs.isErr()) throw new Error(`${runs.error.type}: ${runs.error.message}`);
  return runs.value;
}

/** Runs one job. Never throws for a value error; a throw is a bug or a lost connection (the engine retries). */
export async function runJob(env: JobEnvironment, job: JobRequest, signal: AbortSignal): Promise<JobOutcome> {
  const school = await env.tables.school(job.tenantId);
  if (school === null) return { retry: false, exports: [], did: "skipped" };
  let opened: OpenedSchool;
  try {
    opened = await env.open(school, {
      tenantId: school.tenantId,
      budget: (key) => env.budget(school.tenantId, key),
      signal,
    });
  } catch (e) {
    return failed(env, job, { type: "OpenFailed", message: e instanceof Error ? e.message : String(e) }, true);
  }
  try {
    switch (job.kind) {
      case "sync":
        return await syncJob(env, job, school, opened, signal);
      case "hours":
        return await hoursJob(env, job, school, opened, signal);
      default:
        return await exportJob(env, job, school, opened, signal);
    }
  } finally {
    await opened.close?.();
  }
}

async function failed(env: JobEnvironment, job: JobRequest, error: TypedError, retry: boolean): Promise<JobOutcome> {
  const at = env.now().toISOString();
  await env.tables.updateStatus(job.tenantId, (s) => ({
    ...s,
    failed: { at, kind: job.kind, error, attempt: job.attempt },
  }));
  return { retry, error, exports: [], did: "failed" };
}

const failedSync = (env: JobEnvironment, job: JobRequest, e: SyncError) =>
  failed(env, job, typed(e), !NEEDS_A_PERSON.has(e.type));

async function succeeded(env: JobEnvironment, tenantId: string, runId: string | null): Promise<void> {
  const at = env.now().toISOString();
  await env.tables.updateStatus(tenantId, (s) => {
    const { failed: _f, held: _h, pendingWrites: _p, newErrorsSince: _n, ...rest } = s;
    return { ...rest, lastSuccess: { at, runId }, newErrors: 0 };
  });
}

/** Exports whose next run nobody has queued yet (a new school, or a new export). */
async function exportsToQueue(env: JobEnvironment, school: FleetSchool, opened: OpenedSchool) {
  const known = (await env.tables.statuses()).get(school.tenantId)?.exportsNext ?? {};
  const out: { name: string; at: Date }[] = [];
  for (const e of opened.exports ?? []) {
    // Queued already, unless it was given up (its retries ran out) or is a day overdue.
    const queued = known[e.name];
    if (queued !== undefined && queued !== null && Date.parse(queued) > env.now().getTime() - 86_400_000) continue;
    const at = e.nextRunAt(env.now());
    if (at !== null) out.push({ name: e.name, at });
  }
  if (out.length > 0) {
    await env.tables.updateStatus(school.tenantId, (s) => ({
      ...s,
      exportsNext: { ...s.exportsNext, ...Object.fromEntries(out.map((e) => [e.name, e.at.toISOString()])) },
    }));
  }
  return out;
}

/** The work of one kind of job, once its school is open. */
type SchoolJob = (
  env: JobEnvironment,
  job: JobRequest,
  school: FleetSchool,
  opened: OpenedSchool,
  signal: AbortSignal,
) => Promise<JobOutcome>;

const syncJob: SchoolJob = async (env, job, school, opened, signal) => {
  const { sync, store } = opened;
  const exports = await exportsToQueue(env, school, opened);
  const runs = await listRuns(store, school.tenantId);
  const known = new Set(
    await env.tables.jobStarted(
      job.jobId,
      school.tenantId,
      "sync",
      runs.map((r) => r.runId),
    ),
  );
  const ours = runs.filter((r) => !known.has(r.runId));
  const open = ours.find(unfinished);
  if (open !== undefined) {
    // This job's run was interrupted (its worker died, or lost its lease): finish that run, never a new one.
    const resumed = await sync.resume(open.runId, { actor: "fleet", signal });
    if (resumed.isErr()) return { ...(await failedSync(env, job, resumed.error)), exports };
    await succeeded(env, school.tenantId, open.runId);
    return { retry: false, exports, did: "resumed", runId: open.runId };
  }
  const done = ours.find((r) => r.status === "completed");
  if (done !== undefined) {
    // The worker died after its run completed and before the engine heard: the night's sync is done.
    await succeeded(env, school.tenantId, done.runId);
    return { retry: false, exports, did: "finished-before", runId: done.runId };
  }
  const pause = pauseAt(school, env.now());
  if (pause !== undefined) {
    // Reads and reviews go on inside a pause; only the apply waits.
    const review = await sync.refresh({ signal });
    if (review.isErr()) return { ...(await failedSync(env, job, review.error)), exports };
    const plan = await sync.plan();
    if (plan.isErr()) return { ...(await failedSync(env, job, plan.error)), exports };
    const c = plan.value.counts;
    const pendingWrites = c.add + c.link + c.update + c.restore + c.archive + c.createField;
    const newErrors = review.value.rows.filter((r) => r.isNewError).length;
    await env.tables.updateStatus(school.tenantId, (s) => ({
      ...s,
      pendingWrites,
      newErrors,
      ...(newErrors > 0 && s.newErrors === 0 ? { newErrorsSince: env.now().toISOString() } : {}),
    }));
    return { retry: false, exports, did: "read-only" };
  }
  const result = await sync.run({ unattended: true, signal });
  if (result.isErr()) return { ...(await failedSync(env, job, result.error)), exports };
  const r = result.value;
  if (r.applied) {
    await succeeded(env, school.tenantId, r.run.runId);
    return { retry: false, exports, did: "applied", runId: r.run.runId };
  }
  const now = env.now().toISOString();
  const { holds, newErrors } = r.needsAttention;
  await env.tables.updateStatus(school.tenantId, (s) => {
    const { failed: _f, ...rest } = s;
    return {
      ...rest,
      newErrors: newErrors.length,
      ...(newErrors.length > 0 && s.newErrors === 0 ? { newErrorsSince: now } : {}),
      ...(holds.length === 0
        ? { held: undefined }
        : {
            // Held still (even with another plan hash): the same "requires review", reported once.
            held: {
              planHash: r.plan.planHash,
              since: s.held?.since ?? now,
              holds: holds.map((h) => ({ type: h.type, message: h.message })),
              reportedAt: s.held?.reportedAt ?? null,
            },
          }),
    };
  });
  return { retry: false, exports, did: holds.length > 0 ? "held" : "new-errors" };
};

const hoursJob: SchoolJob = async (env, job, school, opened) => {
  if (pauseAt(school, env.now()) !== undefined) return { retry: false, exports: [], did: "skipped" };
  const profile = await opened.sync.profile();
  if (profile.isErr()) return failedSync(env, job, profile.error);
  // Only while write-back is on; the schedule keeps ticking so that switching it on needs no fleet call.
  if (profile.value?.hoursSync.enabled !== true) return { retry: false, exports: [], did: "skipped" };
  const pushed = await opened.sync.pushHours();
  if (pushed.isErr()) return failedSync(env, job, pushed.error);
  const p = pushed.value;
  const at = env.now().toISOString();
  await env.tables.updateStatus(school.tenantId, (s) => {
    const { failed: f, ...rest } = s;
    return {
      ...rest,
      // A sync failure stays until a sync succeeds; an hours failure until hours succeed.
      ...(f !== undefined && f.kind !== "hours" ? { failed: f } : {}),
      lastHoursPush: at,
      hoursPending: p.settled ? 0 : Math.max(p.failed, p.entries - p.created - p.updated - p.deleted),
    };
  });
  return { retry: false, exports: [], did: "pushed" };
};

const exportJob: SchoolJob = async (env, job, school, opened, signal) => {
  const exp = opened.exports?.find((e) => e.name === job.exportName);
  if (exp === undefined) return { retry: false, exports: [], did: "skipped" };
  const next = () => {
    const at = exp.nextRunAt(env.now());
    return at === null ? [] : [{ name: exp.name, at }];
  };
  const record = async (queued: readonly { name: string; at: Date }[], error?: TypedError) => {
    await env.tables.updateStatus(school.tenantId, (s) => {
      const { failed: f, ...rest } = s;
      return {
        ...rest,
        ...(error !== undefined
          ? { failed: { at: env.now().toISOString(), kind: "export" as const, error, attempt: job.attempt } }
          : f !== undefined && f.kind !== "export"
            ? { failed: f }
            : {}),
        exportsNext: { ...s.exportsNext, [exp.name]: queued[0]?.at.toISOString() ?? null },
      };
    });
  };
  if (pauseAt(school, env.now()) !== undefined) {
    const queued = next();
    await record(queued);
    return { retry: false, exports: queued, did: "skipped" };
  }
  const ran = await exp.run(signal);
  if (!ran.ok) {
    await record([], ran.error);
    return { retry: true, error: ran.error, exports: [], did: "failed" };
  }
  const queued = next();
  await record(queued);
  return { retry: false, exports: queued, did: "exported" };
};

export { EMPTY_STATUS };

/** The fleet's own storage failed (a lost connection, a locked file): the error every engine reports. */
export const storeFailed = (e: unknown): FleetStoreError => ({
  type: "FleetStoreFailed",
  message: e instanceof Error ? e.message : String(e),
});

/** A promise of the fleet's storage as a `ResultAsync` whose error is `FleetStoreFailed`. */
export const lift = <T>(p: () => Promise<T>): ResultAsync<T, FleetError> => ResultAsync.fromPromise(p(), storeFailed);

/** How a failed job is retried: exponential backoff from `delaySeconds`, at most `maxDelaySeconds` apart. */
export interface FleetRetry {
  /** Retries at most. Default 8. */
  readonly limit?: number | undefined;
  /** The first retry's delay, in seconds. Default 30. */
  readonly delaySeconds?: number | undefined;
  /** The longest delay, in seconds. Default 1,800 (30 min). */
  readonly maxDelaySeconds?: number | undefined;
}

/** A {@link FleetRetry} with both engines' defaults filled in: 8 retries from 30 s, at most 30 min apart. */
export const retryPolicy = (retry: FleetRetry | undefined) => ({
  limit: retry?.limit ?? 8,
  delaySeconds: retry?.delaySeconds ?? 30,
  maxDelaySeconds: retry?.maxDelaySeconds ?? 1800,
});

/** What {@link retryPolicy} answers. */
export type RetryPolicy = ReturnType<typeof retryPolicy>;

/** What differs between the engines (pg-boss, the embedded loop): how work is scheduled, queued and run. */
export interface FleetEngine {
  /** Schedules (or schedules again) a saved school's crons. */
  schedule(school: FleetSchool): Promise<void>;
  /** Stops scheduling a school's work, before its row is removed. */
  unschedule(tenantId: string): Promise<void>;
  /** Queues one job now. */
  enqueue(tenantId: string, kind: JobKind, exportName?: string): Promise<void>;
  /** Starts working jobs in this process (called once). */
  start(): Promise<void>;
  /** Stops working and lets go of everything the engine holds (called once). */
  close(): Promise<void>;
}

/**
 * The fleet a host sees, the same over every engine: school validation, `UnknownSchool`, `status()` and
 * `digest()` live here once; the engine only schedules, queues and works.
 */
export function fleetOver(tables: FleetTables, now: () => Date, engine: FleetEngine): Fleet {
  let started = false;
  let closing: Promise<void> | null = null;
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
        await engine.schedule(school);
        return school;
      });
    },
    removeSchool(tenantId) {
      return lift(async () => {
        await engine.unschedule(tenantId);
        await tables.removeSchool(tenantId);
      });
    },
    runNow(tenantId, kind, runOptions = {}) {
      return lift(async () => {
        if ((await tables.school(tenantId)) === null) return false;
        await engine.enqueue(tenantId, kind, runOptions.exportName);
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
        if (started) return;
        started = true;
        await engine.start();
      });
    },
    status() {
      return lift(async () => {
        const [schools, statuses] = await Promise.all([tables.schools(), tables.statuses()]);
        const at = now();
        return schools.map((s) => schoolStatus(s, statuses.get(s.tenantId) ?? EMPTY_STATUS, at));
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
    close() {
      closing ??= engine.close();
      return closing;
    },
    stop() {
      return fleet.close();
    },
  };
  return fleet;
}
