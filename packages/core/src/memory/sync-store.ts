import { err, ok, type Result, ResultAsync } from "neverthrow";
import {
  type AuditKind,
  type AuditRecord,
  auditKindOf,
  checkAuditKind,
  checkExpectedVersion,
  checkJournalBatch,
  checkLimit,
  checkStoreId,
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
  const schools = new Map<string, School>();
  let order = 0;
  let tokens = 0;

  const school = (tenantId: string): School => {
    let found = schools.get(tenantId);
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
      schools.set(tenantId, found);
    }
    return found;
  };

  /** Validates the ids, then runs `body` at once (so calls take effect in call order). */
  const op = <T>(ids: Record<string, unknown>, body: () => Result<T, StoreError>): ResultAsync<T, StoreError> => {
    let result: Result<T, StoreError> | undefined;
    for (const [label, id] of Object.entries(ids)) {
      const invalid = checkStoreId(label, id);
      if (invalid) result = err(invalid);
    }
    return new ResultAsync(Promise.resolve(result ?? body()));
  };

  const saveDoc = (
    current: Doc | undefined,
    expectedVersion: number | null,
    what: string,
    value: unknown,
    put: (doc: Doc) => void,
  ): Result<number, StoreError> => {
    const invalid = checkExpectedVersion(expectedVersion);
    if (invalid) return err(invalid);
    const have = current?.version ?? null;
    if (have !== expectedVersion) {
      return err(storeError("Conflict", `${what} is at version ${have ?? "none"}, not ${expectedVersion ?? "none"}`));
    }
    const version = (have ?? 0) + 1;
    put({ json: JSON.stringify(value), version });
    return ok(version);
  };

  const readDoc = <T>(doc: Doc | undefined): Versioned<T> | null =>
    doc ? { value: parse<T>(doc.json), version: doc.version } : null;

  const newestFirst = <R extends { order: number; at: string }>(rows: R[], limit: number | undefined): R[] =>
    rows.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.order - a.order)).slice(0, limit ?? rows.length);

  return {
    name: "memory",
    getInstance: () => schools,

    getProfile: (tenantId) => op({ tenantId }, () => ok(readDoc<SyncProfile>(schools.get(tenantId)?.profile))),
    saveProfile: (tenantId, profile, expectedVersion) =>
      op({ tenantId }, () => {
        const s = school(tenantId);
        return saveDoc(s.profile, expectedVersion, "the profile", profile, (doc) => {
          s.profile = doc;
        });
      }),
    getDecisions: (tenantId) => op({ tenantId }, () => ok(readDoc<Decisions>(schools.get(tenantId)?.decisions))),
    saveDecisions: (tenantId, decisions, expectedVersion) =>
      op({ tenantId }, () => {
        const s = school(tenantId);
        return saveDoc(s.decisions, expectedVersion, "the decisions", decisions, (doc) => {
          s.decisions = doc;
        });
      }),
    getLastRun: (tenantId) =>
      op({ tenantId }, () => {
        const json = schools.get(tenantId)?.lastRun;
        return ok(json === undefined ? null : parse<LastRun>(json));
      }),
    saveLastRun: (tenantId, lastRun) =>
      op({ tenantId }, () => {
        school(tenantId).lastRun = JSON.stringify(lastRun);
        return ok(undefined);
      }),

    createRun: (tenantId, run) =>
      op({ tenantId, runId: run.runId }, () => {
        const s = school(tenantId);
        if (s.runs.has(run.runId)) return err(storeError("Conflict", `run ${run.runId} exists already`));
        s.runs.set(run.runId, { order: ++order, record: JSON.stringify(run), startedAt: run.startedAt, journal: [] });
        return ok(undefined);
      }),
    getRun: (tenantId, runId) =>
      op({ tenantId, runId }, () => {
        const run = schools.get(tenantId)?.runs.get(runId);
        return ok(run ? parse<RunRecord>(run.record) : null);
      }),
    listRuns: (tenantId, options) =>
      op({ tenantId }, () => {
        const invalid = checkLimit(options?.limit);
        if (invalid) return err(invalid);
        const runs = [...(schools.get(tenantId)?.runs.values() ?? [])].map((run) => ({ ...run, at: run.startedAt }));
        return ok(newestFirst(runs, options?.limit).map((run) => parse<RunRecord>(run.record)));
      }),
    finishRun: (tenantId, runId, update) =>
      op({ tenantId, runId }, () => {
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
      }),
    appendJournal: (tenantId, runId, entries) =>
      op({ tenantId, runId }, () => {
        const run = schools.get(tenantId)?.runs.get(runId);
        if (!run) return err(storeError("NotFound", `run ${runId} does not exist`));
        const invalid = checkJournalBatch(entries, run.journal.at(-1)?.seq ?? null);
        if (invalid) return err(invalid);
        for (const entry of entries) run.journal.push({ seq: entry.seq, json: JSON.stringify(entry) });
        return ok(undefined);
      }),
    readJournal: (tenantId, runId) =>
      op({ tenantId, runId }, () =>
        ok((schools.get(tenantId)?.runs.get(runId)?.journal ?? []).map((line) => parse<JournalEntry>(line.json))),
      ),
    appendAudit: (tenantId, record) =>
      op({ tenantId, auditId: record.auditId }, () => {
        const s = school(tenantId);
        if (s.auditIds.has(record.auditId))
          return err(storeError("Conflict", `audit ${record.auditId} exists already`));
        s.auditIds.add(record.auditId);
        s.audit.push({ order: ++order, at: record.at, kind: auditKindOf(record), json: JSON.stringify(record) });
        return ok(undefined);
      }),
    listAudit: (tenantId, options) =>
      op({ tenantId }, () => {
        const invalid = checkLimit(options?.limit) ?? checkAuditKind(options?.kind);
        if (invalid) return err(invalid);
        const kind = options?.kind;
        const rows = (schools.get(tenantId)?.audit ?? []).filter((row) => kind === undefined || row.kind === kind);
        return ok(newestFirst(rows, options?.limit).map((row) => parse<AuditRecord>(row.json)));
      }),

    getHoursLedger: (tenantId, hourIds) =>
      op({ tenantId }, () => {
        const hours = schools.get(tenantId)?.hours;
        if (!hours) return ok([]);
        const jsons = hourIds
          ? [...new Set(hourIds)].flatMap((id) => {
              const json = hours.get(id);
              return json === undefined ? [] : [json];
            })
          : [...hours.values()];
        return ok(jsons.map((json) => parse<HoursLedgerEntry>(json)));
      }),
    putHoursLedger: (tenantId, entries) =>
      op({ tenantId }, () => {
        for (const entry of entries) {
          const invalid = checkStoreId("hourId", entry.hourId);
          if (invalid) return err(invalid);
        }
        const hours = school(tenantId).hours;
        for (const entry of entries) hours.set(entry.hourId, JSON.stringify(entry));
        return ok(undefined);
      }),
    getWatermark: (tenantId, key) =>
      op({ tenantId, key }, () => ok(schools.get(tenantId)?.watermarks.get(key) ?? null)),
    setWatermark: (tenantId, key, value) =>
      op({ tenantId, key }, () => {
        school(tenantId).watermarks.set(key, value);
        return ok(undefined);
      }),

    listExports: (tenantId) =>
      op({ tenantId }, () =>
        ok(
          [...(schools.get(tenantId)?.exports.entries() ?? [])].map(
            ([exportId, doc]): ExportRecord => ({ exportId, config: parse<JsonValue>(doc.json), version: doc.version }),
          ),
        ),
      ),
    getExport: (tenantId, exportId) =>
      op({ tenantId, exportId }, () => {
        const doc = schools.get(tenantId)?.exports.get(exportId);
        return ok(doc ? { exportId, config: parse<JsonValue>(doc.json), version: doc.version } : null);
      }),
    saveExport: (tenantId, exportId, config, expectedVersion) =>
      op({ tenantId, exportId }, () => {
        const exports = school(tenantId).exports;
        return saveDoc(exports.get(exportId), expectedVersion, `export ${exportId}`, config, (doc) => {
          exports.set(exportId, doc);
        });
      }),
    deleteExport: (tenantId, exportId) =>
      op({ tenantId, exportId }, () => {
        const s = schools.get(tenantId);
        s?.exports.delete(exportId);
        s?.exportLedgers.delete(exportId);
        return ok(undefined);
      }),
    getExportLedger: (tenantId, exportId, eventIds) =>
      op({ tenantId, exportId }, () => {
        const ledger = schools.get(tenantId)?.exportLedgers.get(exportId);
        if (!ledger) return ok([]);
        const jsons = eventIds
          ? [...new Set(eventIds)].flatMap((id) => {
              const json = ledger.get(id);
              return json === undefined ? [] : [json];
            })
          : [...ledger.values()];
        return ok(jsons.map((json) => parse<ExportLedgerEntry>(json)));
      }),
    putExportLedger: (tenantId, exportId, entries) =>
      op({ tenantId, exportId }, () => {
        for (const entry of entries) {
          const invalid = checkStoreId("eventId", entry.eventId);
          if (invalid) return err(invalid);
        }
        const ledgers = school(tenantId).exportLedgers;
        let ledger = ledgers.get(exportId);
        if (!ledger) {
          ledger = new Map();
          ledgers.set(exportId, ledger);
        }
        for (const entry of entries) ledger.set(entry.eventId, JSON.stringify(entry));
        return ok(undefined);
      }),

    acquireLock: (tenantId, owner, ttlMs, now) =>
      op({ tenantId, owner }, () => {
        const invalid = checkTtl(ttlMs, now);
        if (invalid) return err(invalid);
        const s = school(tenantId);
        if (s.lock && s.lock.expiresAt > now) {
          return err(storeError("Locked", `school ${tenantId} is locked by ${s.lock.owner} until ${s.lock.expiresAt}`));
        }
        const lease: Lease = { tenantId, owner, token: `memory-${++tokens}`, expiresAt: now + ttlMs };
        s.lock = lease;
        return ok(lease);
      }),
    renewLock: (lease, ttlMs, now) =>
      op({ tenantId: lease.tenantId }, () => {
        const invalid = checkTtl(ttlMs, now);
        if (invalid) return err(invalid);
        const s = schools.get(lease.tenantId);
        if (s?.lock?.token !== lease.token) {
          return err(storeError("LockLost", `the run lock of school ${lease.tenantId} was released or taken over`));
        }
        const renewed: Lease = { ...s.lock, expiresAt: now + ttlMs };
        s.lock = renewed;
        return ok(renewed);
      }),
    releaseLock: (lease) =>
      op({ tenantId: lease.tenantId }, () => {
        const s = schools.get(lease.tenantId);
        if (s?.lock?.token === lease.token) delete s.lock;
        return ok(undefined);
      }),

    close: async () => {
      schools.clear();
    },
  };
}

function checkTtl(ttlMs: number, now: number): StoreError | null {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) return storeError("Invalid", `ttlMs must be positive, got ${ttlMs}`);
  if (!Number.isFinite(now)) return storeError("Invalid", `now must be epoch milliseconds, got ${now}`);
  return null;
}
