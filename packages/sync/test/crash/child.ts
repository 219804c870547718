/**
 * A worker process for the crash-anywhere test. It applies (or resumes) a plan against a SQLite store and
 * a SQLite directory, and dies with SIGKILL at a chosen journal append (before or after it is written),
 * or has the directory throw at a chosen write (before or after the write lands).
 */
import { readFileSync } from "node:fs";
import {
  createMemoryRosterSource,
  type JournalEntry,
  type RosterSnapshot,
  type SyncStore,
  type TargetDirectory,
} from "@rostersync/core";
import { createSqliteDirectory, createSqliteStore } from "@rostersync/storage-sqlite";
import { createSync, type TenantPlan } from "../../src/index.js";

/** What the parent asks this process to do. */
export interface ChildConfig {
  readonly storePath: string;
  readonly directoryPath: string;
  readonly planPath: string;
  /** The roster the source answers (JSON of a RosterSnapshot). */
  readonly rosterPath: string;
  readonly tenantId: string;
  /** Resume this run instead of starting one. */
  readonly resumeRunId?: string | undefined;
  readonly batchSize: number;
  /** Die at this journal append (1-based); 0: never. */
  readonly killAtAppend: number;
  /** Die after the append was written (else before). */
  readonly killAfterAppend: boolean;
  /** Throw from the directory at this write (1-based); 0: never. */
  readonly throwAtWrite: number;
  /** The write lands before the throw (a lost answer) or not at all. */
  readonly throwAfterWrite: boolean;
  /** Added to the clock, so that a later process finds an earlier one's lease expired. */
  readonly clockOffsetMs: number;
  /** Wait until this epoch millisecond before applying (lets several processes start together). */
  readonly startAt?: number | undefined;
}

const config = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as ChildConfig;
const die = () => process.kill(process.pid, "SIGKILL");

const opened = await createSqliteStore({ path: config.storePath });
if (opened.isErr()) throw new Error(opened.error.message);
const inner = opened.value;
let appends = 0;
const appendJournal = (tenantId: string, runId: string, entries: readonly JournalEntry[]) => {
  appends++;
  if (appends === config.killAtAppend && !config.killAfterAppend) die();
  const r = inner.appendJournal(tenantId, runId, entries);
  if (appends === config.killAtAppend && config.killAfterAppend) return r.map(() => die());
  return r;
};
const store = new Proxy(inner, {
  get: (target, property, receiver) =>
    property === "appendJournal" ? appendJournal : Reflect.get(target, property, receiver),
}) as SyncStore;

const sqlite = (await createSqliteDirectory({ path: config.directoryPath }))._unsafeUnwrap();
let writes = 0;
const guard =
  <A extends unknown[], R>(write: (...args: A) => R) =>
  (...args: A): R => {
    writes++;
    if (writes === config.throwAtWrite && !config.throwAfterWrite) throw new Error("directory crashed before writing");
    const r = write(...args);
    if (writes === config.throwAtWrite) throw new Error("directory crashed after writing");
    return r;
  };
const directory: TargetDirectory = {
  name: sqlite.name,
  listAccounts: () => sqlite.listAccounts(),
  listFields: () => sqlite.listFields(),
  createField: guard(sqlite.createField),
  createAccount: guard(sqlite.createAccount),
  linkAccount: guard(sqlite.linkAccount),
  updateAccount: guard(sqlite.updateAccount),
  restoreAccount: guard(sqlite.restoreAccount),
  archiveAccount: guard(sqlite.archiveAccount),
};

const plan = JSON.parse(readFileSync(config.planPath, "utf8")) as TenantPlan;
if (config.startAt !== undefined) await new Promise((r) => setTimeout(r, Math.max(0, config.startAt! - Date.now())));
const roster = JSON.parse(readFileSync(config.rosterPath, "utf8")) as RosterSnapshot;
const sync = createSync({
  tenantId: config.tenantId,
  source: createMemoryRosterSource({ snapshot: roster }),
  directory,
  store,
  clock: { now: () => Date.now() + config.clockOffsetMs },
  journalBatchSize: config.batchSize,
});
const result =
  config.resumeRunId === undefined
    ? await sync.apply(plan, { acknowledge: plan.planHash })
    : await sync.resume(config.resumeRunId);
process.stdout.write(JSON.stringify(result.isOk() ? { ok: result.value.status } : { err: result.error.type }));
await inner.close();
sqlite.close();
