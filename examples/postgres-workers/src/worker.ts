// One worker process: a `@rostersync/fleet` worker on the shared PostgreSQL. pg-boss hands it one school's
// job at a time (never two workers on one school); the fleet runs the school's unattended sync, or resumes the
// run a dead worker left open. This file only says how a school's sync is built (the shared store, the
// school's FACTS, the school's account directory) and counts the directory writes it makes, so that "who
// wrote what" is measured. With `crashAfterCreates` it kills itself (SIGKILL) in the middle of an apply.
import type { CreateResult, DirectoryError, TargetDirectory } from "@rostersync/core";
import { createPostgresFleet } from "@rostersync/fleet";
import { createPostgresStore } from "@rostersync/storage-postgres";
import { ResultAsync } from "neverthrow";
import { FLEET_WINDOWS, fleetSchemaOf, KEYS, openSchool, type RunningSchool } from "./schools.ts";

/** What main.ts passes a worker (as JSON in argv[2]). */
export interface WorkerSetup {
  readonly name: string;
  readonly url: string;
  readonly schema: string;
  readonly dataDir: string;
  readonly schools: readonly RunningSchool[];
  readonly lockTtlMs: number;
  /** Jobs this worker runs at once (each on another school). */
  readonly concurrency: number;
  /** Kill this process (SIGKILL) right after this many accounts were created: a crash mid-apply. */
  readonly crashAfterCreates?: number | undefined;
}

/** One step a worker reports. */
export type WorkerEvent =
  | { readonly type: "ready"; readonly worker: string }
  | {
      /** A sync job ended (`retry`: it failed and pg-boss tries it again). */
      readonly type: "job";
      readonly worker: string;
      readonly school: string;
      /** What the fleet did: `applied`, `resumed` (a dead worker's run), `finished-before`, `held`, … */
      readonly did: string;
      readonly runId: string | null;
      readonly error: string | null;
      readonly retry: boolean;
      /** Directory writes this worker made in this job (0: the run was finished already). */
      readonly writes: number;
      /** Accounts this worker created (a create repeated on resume finds the account already there). */
      readonly created: number;
      readonly ms: number;
    }
  | { readonly type: "crashing"; readonly worker: string; readonly school: string; readonly created: number };

const setup = JSON.parse(process.argv[2] ?? "{}") as WorkerSetup;
const report = (event: WorkerEvent) => process.send?.(event);

const opened = await createPostgresStore({ connectionString: setup.url, schema: setup.schema });
if (opened.isErr()) throw new Error(`${setup.name}: cannot open the store: ${opened.error.message}`);
const store = opened.value;

/** Directory writes of the job in hand, per school (pg-boss gives this worker one job per school at a time). */
interface Writes {
  calls: number;
  created: number;
  startedAt: number;
}
const writes = new Map<string, Writes>();

/** The directory, with every write this process makes counted. */
function counting(directory: TargetDirectory, counter: Writes): TargetDirectory {
  const count = <T>(result: ResultAsync<T, DirectoryError>) => {
    counter.calls++;
    return result;
  };
  return {
    ...directory,
    createField: (field) => count(directory.createField(field)),
    createAccount: (account, key) =>
      count(directory.createAccount(account, key)).map((r) => {
        if (r.created) counter.created++;
        return r;
      }),
    linkAccount: (id, sourceId, patch) => count(directory.linkAccount(id, sourceId, patch)),
    updateAccount: (id, patch) => count(directory.updateAccount(id, patch)),
    restoreAccount: (id, patch) => count(directory.restoreAccount(id, patch)),
    archiveAccount: (id) => count(directory.archiveAccount(id)),
  };
}

/**
 * The crash: after the `limit`-th account is written, the process dies before the journal hears of it and
 * without releasing the school's lease or finishing its pg-boss job.
 */
function crashAfter(limit: number, school: string, directory: TargetDirectory): TargetDirectory {
  let created = 0;
  return {
    ...directory,
    createAccount(account, key) {
      const result = directory.createAccount(account, key);
      if (++created < limit) return result;
      report({ type: "crashing", worker: setup.name, school, created });
      setTimeout(() => process.kill(process.pid, "SIGKILL"), 100); // time for the IPC message to leave
      return new ResultAsync<CreateResult, DirectoryError>(new Promise(() => undefined)); // never answers
    },
  };
}

const byTenant = new Map(setup.schools.map((s) => [s.tenantId, s]));
const fleet = await createPostgresFleet({
  connectionString: setup.url,
  schema: fleetSchemaOf(setup.schema),
  windows: FLEET_WINDOWS,
  concurrency: setup.concurrency,
  // A dead worker's job is failed after 10 s without a heartbeat and retried at once elsewhere.
  heartbeatSeconds: 10,
  pollingIntervalSeconds: 0.5,
  retry: { limit: 10, delaySeconds: 1, maxDelaySeconds: 4 },
  boss: { monitorIntervalSeconds: 1, superviseIntervalSeconds: 1 },
  async open(school, ctx) {
    const spec = byTenant.get(school.tenantId);
    if (spec === undefined) throw new Error(`${school.tenantId} is not one of the district's schools`);
    const counter: Writes = { calls: 0, created: 0, startedAt: performance.now() };
    writes.set(school.tenantId, counter);
    const { sync, directory } = await openSchool(spec, store, setup.dataDir, {
      lockTtlMs: setup.lockTtlMs,
      budget: ctx.budget(KEYS.subscriptionKey),
      wrapDirectory: (d) => {
        const counted = counting(d, counter);
        return setup.crashAfterCreates === undefined
          ? counted
          : crashAfter(setup.crashAfterCreates, spec.tenantId, counted);
      },
    });
    return { sync, store, close: () => directory.close() };
  },
  onJob(job, outcome) {
    if (job.kind !== "sync") return;
    const counter = writes.get(job.tenantId) ?? { calls: 0, created: 0, startedAt: performance.now() };
    report({
      type: "job",
      worker: setup.name,
      school: job.tenantId,
      did: outcome.did,
      runId: outcome.runId ?? null,
      error: outcome.error === undefined ? null : `${outcome.error.type}: ${outcome.error.message}`,
      retry: outcome.retry,
      writes: counter.calls,
      created: counter.created,
      ms: Math.round(performance.now() - counter.startedAt),
    });
  },
});
if (fleet.isErr()) throw new Error(`${setup.name}: cannot open the fleet: ${fleet.error.message}`);
const started = await fleet.value.start();
if (started.isErr()) throw new Error(`${setup.name}: cannot start: ${started.error.message}`);
report({ type: "ready", worker: setup.name });

process.on("message", async (m: { stop?: boolean }) => {
  if (!m.stop) return;
  await fleet.value.close();
  await store.close();
  process.disconnect?.();
});
