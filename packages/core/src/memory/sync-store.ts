import { err, ok, type Result } from "neverthrow";
import {
  type AuditKind,
  type AuditRecord,
  auditKindOf,
  checkJournalBatch,
  type ExportLedgerEntry,
  type ExportRecord,
  type HoursLedgerEntry,
  type JournalEntry,
  type Lease,
  type RunRecord,
  type StoreError,
  type SyncStore,
  storeError,
  type Versioned,
} from "../ports/sync-store.js";
import { defineSyncStore, type SyncStoreOperations } from "../ports/sync-store-factory.js";
import type { Decisions, JsonValue, LastRun, SyncProfile } from "../types.js";

/** A stored document as JSON text, so that callers never share objects with the store. */
interface Doc {
  readonly json: string;
  readonly version: number;
}

interface StoredRun {
  /** Creation order, to break `startedAt` ties in `listRuns`. */
  readonly order: number;
  record: string;
  startedAt: string;
  readonly journal: { readonly seq: number; readonly json: string }[];
}

interface School {
  profile?: Doc;
  decisions?: Doc;
  lastRun?: string;
  readonly runs: Map<string, StoredRun>;
  readonly audit: {
    readonly order: number;
    readonly at: string;
    readonly kind: AuditKind;
    readonly json: string;
  }[];
  readonly auditIds: Set<string>;
  readonly hours: Map<string, string>;
  readonly watermarks: Map<string, string>;
  readonly exports: Map<string, Doc>;
  readonly exportLedgers: Map<string, Map<string, string>>;
  lock?: Lease;
}

/** The in-memory store: the whole state of every school in this process. */
export interface MemoryStore extends SyncStore {
  /** The underlying maps, keyed by tenant id (for tests and debugging; do not mutate). */
  getInstance(): ReadonlyMap<string, unknown>;
}

const parse = <T>(json: string): T => JSON.parse(json) as T;

/** Every school's state in one store, and the counters its rows and leases take numbers from. */
interface Memory {
  readonly schools: Map<string, School>;
  /** The creation order of runs and audit rows (one counter for both). */
  order: number;
  /** The number of the last lease handed out. */
  tokens: number;
}

type Operations = SyncStoreOperations;

/**
 * A {@link SyncStore} that keeps everything in this process's memory: for tests, demos and single-run
 * scripts. Values are kept as JSON text, so what you read back is a copy with the same semantics as the
 * SQLite and PostgreSQL stores (`undefined` properties are dropped). Nothing survives `close()`.
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * const version = await store.saveDecisions("school-1", EMPTY_DECISIONS, null); // ok(1)
 * ```
 */
export function createMemoryStore(): MemoryStore {
  const memory: Memory = { schools: new Map(), order: 0, tokens: 0 };
  const operations: Operations = {
    ...documentOperations(memory),
    ...runOperations(memory),
    ...ledgerOperations(memory),
    ...lockOperations(memory),
  };
  const close = async () => {
    memory.schools.clear();
  };
  return { ...defineSyncStore({ name: "memory", operations, close }), getInstance: () => memory.schools };
}

/** The state of one school, made empty on its first write. */
function schoolOf(memory: Memory, tenantId: string): School {
  let found = memory.schools.get(tenantId);
  if (!found) {
    found = {
      runs: new Map(),
      audit: [],
      auditIds: new Set(),
      hours: new Map(),
      watermarks: new Map(),
      exports: new Map(),
      exportLedgers: new Map(),
    };
    memory.schools.set(tenantId, found);
  }
  return found;
}

/** Stores `value` as the next version of a document when `expectedVersion` is the version it is at. */
function saveDoc(
  current: Doc | undefined,
  expectedVersion: number | null,
  what: string,
  value: unknown,
  put: (doc: Doc) => void,
): Result<number, StoreError> {
  const have = current?.version ?? null;
  if (have !== expectedVersion) {
    return err(storeError("Conflict", `${what} is at version ${have ?? "none"}, not ${expectedVersion ?? "none"}`));
  }
  const version = (have ?? 0) + 1;
  put({ json: JSON.stringify(value), version });
  return ok(version);
}

const readDoc = <T>(doc: Doc | undefined): Versioned<T> | null =>
  doc ? { value: parse<T>(doc.json), version: doc.version } : null;

/** Newest `at` first, ties by the later creation order; at most `limit` rows. Sorts `rows` in place. */
const newestFirst = <R extends { order: number; at: string }>(rows: R[], limit: number | undefined): R[] =>
  rows.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.order - a.order)).slice(0, limit ?? rows.length);

/** The raw operations on the profile, the decisions and the last run. */
function documentOperations(memory: Memory) {
  const { schools } = memory;
  return {
    getProfile: (tenantId) => ok(readDoc<SyncProfile>(schools.get(tenantId)?.profile)),
    saveProfile: (tenantId, profile, expectedVersion) => {
      const s = schoolOf(memory, tenantId);
      return saveDoc(s.profile, expectedVersion, "the profile", profile, (doc) => {
        s.profile = doc;
      });
    },
    getDecisions: (tenantId) => ok(readDoc<Decisions>(schools.get(tenantId)?.decisions)),
    saveDecisions: (tenantId, decisions, expectedVersion) => {
      const s = schoolOf(memory, tenantId);
      return saveDoc(s.decisions, expectedVersion, "the decisions", decisions, (doc) => {
        s.decisions = doc;
      });
    },
    getLastRun: (tenantId) => {
      const json = schools.get(tenantId)?.lastRun;
      return ok(json === undefined ? null : parse<LastRun>(json));
    },
    saveLastRun: (tenantId, lastRun) => {
      schoolOf(memory, tenantId).lastRun = JSON.stringify(lastRun);
      return ok(undefined);
    },
  } satisfies Partial<Operations>;
}

/** The raw operations on runs, their journals and the audit. */
function runOperations(memory: Memory) {
  const { schools } = memory;
  return {
    createRun: (tenantId, run) => {
      const s = schoolOf(memory, tenantId);
      if (s.runs.has(run.runId)) return err(storeError("Conflict", `run ${run.runId} exists already`));
      s.runs.set(run.runId, {
        order: ++memory.order,
        record: JSON.stringify(run),
        startedAt: run.startedAt,
        journal: [],
      });
      return ok(undefined);
    },
    getRun: (tenantId, runId) => {
      const run = schools.get(tenantId)?.runs.get(runId);
      return ok(run ? parse<RunRecord>(run.record) : null);
    },
    listRuns: (tenantId, options) => {
      const runs = [...(schools.get(tenantId)?.runs.values() ?? [])].map((run) => ({ ...run, at: run.startedAt }));
      return ok(newestFirst(runs, options?.limit).map((run) => parse<RunRecord>(run.record)));
    },
    finishRun: (tenantId, runId, update) => {
      const run = schools.get(tenantId)?.runs.get(runId);
      if (!run) return err(storeError("NotFound", `run ${runId} does not exist`));
      const record = parse<RunRecord>(run.record);
      const finished: RunRecord = {
        ...record,
        status: update.status,
        finishedAt: update.finishedAt,
        ...(update.summary === undefined ? {} : { summary: update.summary }),
      };
      run.record = JSON.stringify(finished);
      return ok(undefined);
    },
    appendJournal: (tenantId, runId, entries) => {
      const run = schools.get(tenantId)?.runs.get(runId);
      if (!run) return err(storeError("NotFound", `run ${runId} does not exist`));
      const invalid = checkJournalBatch(entries, run.journal.at(-1)?.seq ?? null);
      if (invalid) return err(invalid);
      for (const entry of entries) run.journal.push({ seq: entry.seq, json: JSON.stringify(entry) });
      return ok(undefined);
    },
    readJournal: (tenantId, runId) =>
      ok((schools.get(tenantId)?.runs.get(runId)?.journal ?? []).map((line) => parse<JournalEntry>(line.json))),
    appendAudit: (tenantId, record) => {
      const s = schoolOf(memory, tenantId);
      if (s.auditIds.has(record.auditId)) return err(storeError("Conflict", `audit ${record.auditId} exists already`));
      s.auditIds.add(record.auditId);
      s.audit.push({ order: ++memory.order, at: record.at, kind: auditKindOf(record), json: JSON.stringify(record) });
      return ok(undefined);
    },
    listAudit: (tenantId, options) => {
      const kind = options?.kind;
      const rows = (schools.get(tenantId)?.audit ?? []).filter((row) => kind === undefined || row.kind === kind);
      return ok(newestFirst(rows, options?.limit).map((row) => parse<AuditRecord>(row.json)));
    },
  } satisfies Partial<Operations>;
}

/** The raw operations on the hours ledger, the watermarks, the exports and their ledgers. */
function ledgerOperations(memory: Memory) {
  const { schools } = memory;
  return {
    getHoursLedger: (tenantId, hourIds) =>
      ok(pick(schools.get(tenantId)?.hours, hourIds).map((json) => parse<HoursLedgerEntry>(json))),
    putHoursLedger: (tenantId, entries) => {
      const hours = schoolOf(memory, tenantId).hours;
      for (const entry of entries) hours.set(entry.hourId, JSON.stringify(entry));
      return ok(undefined);
    },
    getWatermark: (tenantId, key) => ok(schools.get(tenantId)?.watermarks.get(key) ?? null),
    setWatermark: (tenantId, key, value) => {
      schoolOf(memory, tenantId).watermarks.set(key, value);
      return ok(undefined);
    },

    listExports: (tenantId) =>
      ok(
        [...(schools.get(tenantId)?.exports.entries() ?? [])].map(
          ([exportId, doc]): ExportRecord => ({ exportId, config: parse<JsonValue>(doc.json), version: doc.version }),
        ),
      ),
    getExport: (tenantId, exportId) => {
      const doc = schools.get(tenantId)?.exports.get(exportId);
      return ok(doc ? { exportId, config: parse<JsonValue>(doc.json), version: doc.version } : null);
    },
    saveExport: (tenantId, exportId, config, expectedVersion) => {
      const exports = schoolOf(memory, tenantId).exports;
      return saveDoc(exports.get(exportId), expectedVersion, `export ${exportId}`, config, (doc) => {
        exports.set(exportId, doc);
      });
    },
    deleteExport: (tenantId, exportId) => {
      const s = schools.get(tenantId);
      s?.exports.delete(exportId);
      s?.exportLedgers.delete(exportId);
      return ok(undefined);
    },
    getExportLedger: (tenantId, exportId, eventIds) =>
      ok(
        pick(schools.get(tenantId)?.exportLedgers.get(exportId), eventIds).map((json) =>
          parse<ExportLedgerEntry>(json),
        ),
      ),
    putExportLedger: (tenantId, exportId, entries) => {
      const ledgers = schoolOf(memory, tenantId).exportLedgers;
      let ledger = ledgers.get(exportId);
      if (!ledger) {
        ledger = new Map();
        ledgers.set(exportId, ledger);
      }
      for (const entry of entries) ledger.set(entry.eventId, JSON.stringify(entry));
      return ok(undefined);
    },
  } satisfies Partial<Operations>;
}

/** The raw operations on the run lock: one lease a school, taken over once it has expired. */
function lockOperations(memory: Memory) {
  const { schools } = memory;
  return {
    acquireLock: (tenantId, owner, ttlMs, now) => {
      const s = schoolOf(memory, tenantId);
      if (s.lock && s.lock.expiresAt > now) {
        return err(storeError("Locked", `school ${tenantId} is locked by ${s.lock.owner} until ${s.lock.expiresAt}`));
      }
      const lease: Lease = { tenantId, owner, token: `memory-${++memory.tokens}`, expiresAt: now + ttlMs };
      s.lock = lease;
      return ok(lease);
    },
    renewLock: (lease, ttlMs, now) => {
      const s = schools.get(lease.tenantId);
      if (s?.lock?.token !== lease.token) {
        return err(storeError("LockLost", `the run lock of school ${lease.tenantId} was released or taken over`));
      }
      const renewed: Lease = { ...s.lock, expiresAt: now + ttlMs };
      s.lock = renewed;
      return ok(renewed);
    },
    releaseLock: (lease) => {
      const s = schools.get(lease.tenantId);
      if (s?.lock?.token === lease.token) delete s.lock;
      return ok(undefined);
    },
  } satisfies Partial<Operations>;
}

/** The JSON of the given ids (unknown ids left out, each id once), or of every entry when no ids are given. */
function pick(rows: ReadonlyMap<string, string> | undefined, ids: readonly string[] | undefined): string[] {
  if (!rows) return [];
  if (!ids) return [...rows.values()];
  return [...new Set(ids)].flatMap((id) => {
    const json = rows.get(id);
    return json === undefined ? [] : [json];
  });
}
