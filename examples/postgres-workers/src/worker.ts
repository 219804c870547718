// One worker process. It goes round the district's schools until every one is in step with its roster:
// an unfinished run is resumed, otherwise the school is refreshed and planned, and a plan that writes
// anything is applied. The school's lease in PostgreSQL decides who applies; everyone else hears `Locked`
// (or `StalePlan`, when a school changed under their plan) and comes back later. Started by main.ts with
// `fork`, it reports every step to its parent over IPC.
import type { CreateResult, DirectoryError, TargetDirectory } from "@rostersync/core";
import { createPostgresStore } from "@rostersync/storage-postgres";
import type { SqliteDirectory } from "@rostersync/storage-sqlite";
import type { SyncError } from "@rostersync/sync";
import { ResultAsync } from "neverthrow";
import { openSchool, type RunningSchool, type SchoolSync, writesOf } from "./schools.ts";

/** What main.ts passes a worker (as JSON in argv[2]). */
export interface WorkerSetup {
  readonly name: string;
  readonly url: string;
  readonly schema: string;
  readonly dataDir: string;
  readonly schools: readonly RunningSchool[];
  readonly lockTtlMs: number;
  /** Wait for `{ go: true }` before starting, so that every worker starts at once. */
  readonly waitForGo: boolean;
  /** Kill this process (SIGKILL) right after this many accounts were created: a crash mid-apply. */
  readonly crashAfterCreates?: number | undefined;
}

/** One step a worker reports. */
export type WorkerEvent =
  | {
      readonly type: "applied" | "resumed";
      worker: string;
      school: string;
      runId: string;
      /** Directory writes this worker made in this run (0: someone had finished the run already). */
      writes: number;
      /** Accounts this worker created (a create repeated on resume finds the account already there). */
      created: number;
      ms: number;
    }
  | { readonly type: "locked" | "stale" | "in-step"; worker: string; school: string }
  | {
      readonly type: "interrupted";
      during: "apply" | "resume";
      worker: string;
      school: string;
      runId: string;
      writes: number;
      created: number;
    }
  | { readonly type: "crashing"; worker: string; school: string; created: number }
  | { readonly type: "done"; worker: string; rounds: number };

const setup = JSON.parse(process.argv[2] ?? "{}") as WorkerSetup;
const report = (event: WorkerEvent) => process.send?.(event);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function fail(school: string, error: SyncError | { type: string; message: string }): never {
  console.error(`${setup.name}: ${school}: ${error.type}: ${error.message}`);
  process.exit(1);
}

const opened = await createPostgresStore({ connectionString: setup.url, schema: setup.schema });
if (opened.isErr()) fail("-", opened.error);
const store = opened.value;

/** Directory writes this process made for one school, counted at the directory. */
interface Writes {
  calls: number;
  created: number;
}
const writes = new Map<string, Writes>();

const schools: SchoolSync[] = await Promise.all(
  setup.schools.map((spec) => {
    const counter: Writes = { calls: 0, created: 0 };
    writes.set(spec.tenantId, counter);
    return openSchool(spec, store, setup.dataDir, {
      lockTtlMs: setup.lockTtlMs,
      wrapDirectory: (directory) => {
        const counted = counting(directory, counter);
        return setup.crashAfterCreates === undefined ? counted : crashAfter(setup.crashAfterCreates, spec, counted);
      },
    });
  }),
);

/** The directory, with every write this process makes counted. */
function counting(directory: SqliteDirectory, counter: Writes): TargetDirectory {
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
 * without releasing the school's lease.
 */
function crashAfter(limit: number, spec: RunningSchool, directory: TargetDirectory): TargetDirectory {
  let created = 0;
  return {
    ...directory,
    createAccount(account, key) {
      const result = directory.createAccount(account, key);
      if (++created < limit) return result;
      report({ type: "crashing", worker: setup.name, school: spec.tenantId, created });
      setTimeout(() => process.kill(process.pid, "SIGKILL"), 100); // time for the IPC message to leave
      return new ResultAsync<CreateResult, DirectoryError>(new Promise(() => undefined)); // never answers
    },
  };
}

if (setup.waitForGo) {
  await new Promise<void>((resolve) => process.on("message", (m: { go?: boolean }) => m.go && resolve()));
}

/** Works on one school once; `true` when the school needs nothing more. */
async function visit({ spec, sync }: SchoolSync): Promise<boolean> {
  const school = spec.tenantId;
  const worker = setup.name;
  // This worker was too slow to renew its lease (a busy machine) and someone else took the school: the run
  // stopped at once and stays `running`; whoever gets the lease next resumes it.
  const interrupted = (during: "apply" | "resume", runId: string, done: Writes) => {
    report({ type: "interrupted", during, worker, school, runId, writes: done.calls, created: done.created });
    return false;
  };
  const counter = writes.get(school) ?? { calls: 0, created: 0 };
  counter.calls = 0;
  counter.created = 0;
  const runs = await store.listRuns(school, { limit: 10 });
  if (runs.isErr()) fail(school, runs.error);
  const open = runs.value.find((r) => r.status === "running");
  if (open !== undefined) {
    // Someone died mid-run (or is still on it: then their lease answers Locked). Finish that run.
    const started = performance.now();
    const resumed = await sync.resume(open.runId, { actor: worker });
    if (resumed.isErr()) {
      if (resumed.error.type === "LockLost") return interrupted("resume", open.runId, counter);
      if (resumed.error.type !== "Locked") fail(school, resumed.error);
      report({ type: "locked", worker, school });
      return false;
    }
    const ms = Math.round(performance.now() - started);
    report({ type: "resumed", worker, school, runId: open.runId, writes: counter.calls, created: counter.created, ms });
    return false; // plan again next round: the school may have changed since that run was planned
  }
  const review = await sync.refresh();
  if (review.isErr()) fail(school, review.error);
  const plan = await sync.plan();
  if (plan.isErr()) fail(school, plan.error);
  if (writesOf(plan.value.counts) === 0) {
    report({ type: "in-step", worker, school });
    return true;
  }
  const started = performance.now();
  const run = await sync.apply(plan.value, { actor: worker });
  if (run.isErr()) {
    if (run.error.type === "LockLost") return interrupted("apply", run.error.runId, counter);
    if (run.error.type !== "Locked" && run.error.type !== "StalePlan") fail(school, run.error);
    report({ type: run.error.type === "Locked" ? "locked" : "stale", worker, school });
    return false;
  }
  const ms = Math.round(performance.now() - started);
  report({
    type: "applied",
    worker,
    school,
    runId: run.value.runId,
    writes: counter.calls,
    created: counter.created,
    ms,
  });
  return false;
}

let pending = [...schools];
let rounds = 0;
while (pending.length > 0) {
  rounds++;
  const left: SchoolSync[] = [];
  for (const school of pending) if (!(await visit(school))) left.push(school);
  pending = left;
  if (pending.length > 0) await sleep(100);
}
report({ type: "done", worker: setup.name, rounds });
for (const s of schools) s.directory.close();
await store.close();
process.disconnect?.();
