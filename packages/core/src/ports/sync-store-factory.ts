import { err, type Result, ResultAsync } from "neverthrow";
import {
  checkAuditKind,
  checkExpectedVersion,
  checkJournalBatch,
  checkLimit,
  checkStoreId,
  type StoreError,
  type SyncStore,
  storeError,
} from "./sync-store.js";

/**
 * What a raw store operation returns: a result at once (a store in this process) or a promise of one (a
 * store behind a connection). A raw operation may also throw: the factory maps what it throws.
 */
export type StoreOutcome<T, E> = Result<T, E> | Promise<Result<T, E>>;

/** One `SyncStore` method as a store writes it: the same arguments, answering a {@link StoreOutcome}. */
export type RawOperation<F> = F extends (...args: infer A) => ResultAsync<infer T, infer E>
  ? (...args: A) => StoreOutcome<T, E>
  : never;

/**
 * The operations a store writes itself: every method of {@link SyncStore} but `name` and `close`, with the
 * same arguments, returning a {@link StoreOutcome}. {@link defineSyncStore} calls them only with arguments
 * it has checked (ids, `limit`, `kind`, `expectedVersion`, the journal batch's own order, `ttlMs` and
 * `now`), and only while the store is open. What is left to them is what needs the stored state: versions,
 * existence, whether a journal batch follows the stored one (`checkJournalBatch(entries, lastSeq)`), who holds
 * a lock.
 */
export type SyncStoreOperations<E extends StoreError = StoreError> = {
  readonly [K in Exclude<keyof SyncStore<E>, "name" | "close">]: RawOperation<SyncStore<E>[K]>;
};

/** What a store gives {@link defineSyncStore}. */
export interface SyncStoreDefinition<E extends StoreError> {
  /** The store's `name` (`memory`, `sqlite`, `postgres`…). */
  readonly name: string;
  /** The raw operations (see {@link SyncStoreOperations}). */
  readonly operations: SyncStoreOperations<E>;
  /** Releases what the store holds (connections, files). Called once, by the first `close()`. */
  readonly close: () => Promise<void>;
  /**
   * Maps what a raw operation throws (a driver error, unreadable JSON) to the store's error. Without it, a
   * throw is not caught: it reaches the caller as it was thrown.
   */
  readonly toStoreError?: ((cause: unknown) => E) | undefined;
  /**
   * The error of a call made after `close()`. Without it, calls after `close()` still reach the operations
   * (the memory store: nothing is held, so nothing can be closed under a call).
   */
  readonly closedError?: (() => E) | undefined;
}

/**
 * Checks a lease's `ttlMs` (a positive finite number) and `now` (epoch milliseconds: a number that rounds to
 * a safe integer). Returns `Invalid` or `null`.
 */
export function checkLeaseTime(ttlMs: number, now: number): StoreError | null {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) return storeError("Invalid", `ttlMs must be positive, got ${ttlMs}`);
  if (!Number.isSafeInteger(Math.round(now))) {
    return storeError("Invalid", `now must be epoch milliseconds, got ${now}`);
  }
  return null;
}

/** The first id that {@link checkStoreId} refuses, in the order given. */
function firstInvalidId(ids: Readonly<Record<string, unknown>>): StoreError | null {
  for (const [label, id] of Object.entries(ids)) {
    const invalid = checkStoreId(label, id);
    if (invalid) return invalid;
  }
  return null;
}

function firstInvalidEntry<T>(label: string, entries: readonly T[], id: (entry: T) => unknown): StoreError | null {
  for (const entry of entries) {
    const invalid = checkStoreId(label, id(entry));
    if (invalid) return invalid;
  }
  return null;
}

const noCheck = (): null => null;

/**
 * Builds a {@link SyncStore} from a store's raw operations. The plumbing every store shares lives here once,
 * so that a crafted call is refused the same way by every store (docs/architecture.md, "The adapter
 * contract"):
 *
 * 1. every id that keys a row is checked with {@link checkStoreId} (tenant, run, audit, hour, event and
 *    export ids, watermark keys, lock owners), the first bad one answered `Invalid`;
 * 2. a call after `close()` is answered with `closedError()` (when given);
 * 3. the arguments are checked: `limit`, the audit `kind`, `expectedVersion`, the journal batch's own `seq`s,
 *    `ttlMs` and `now`;
 * 4. only then the raw operation runs, at once, so that calls take effect in call order; whatever it throws
 *    (or its promise rejects with) goes through `toStoreError`.
 *
 * `close()` releases once: later calls resolve at once. Pure: it only wraps the functions it is given.
 *
 * @example
 * ```ts
 * const store = defineSyncStore({
 *   name: "my-store",
 *   operations: { getProfile: (tenantId) => ok(rows.get(tenantId) ?? null), ... },
 *   close: async () => rows.clear(),
 *   toStoreError: (cause) => storeError("Unavailable", String(cause)),
 * });
 * ```
 */
export function defineSyncStore<E extends StoreError>(definition: SyncStoreDefinition<E>): SyncStore<E> {
  const { operations: raw, toStoreError, closedError } = definition;
  let closed = false;

  const thrown = (cause: unknown): Result<never, E> => {
    if (!toStoreError) throw cause;
    return err(toStoreError(cause));
  };

  const call = <T>(
    ids: Readonly<Record<string, unknown>>,
    check: () => StoreError | null,
    operation: () => StoreOutcome<T, E>,
  ): ResultAsync<T, E> => {
    let outcome: StoreOutcome<T, E>;
    try {
      const refused = firstInvalidId(ids) ?? (closed && closedError ? closedError() : null) ?? check();
      outcome = refused ? err(refused as E) : operation();
    } catch (cause) {
      outcome = thrown(cause);
    }
    return new ResultAsync(Promise.resolve(outcome).catch(thrown));
  };
  // The saves of a versioned document (profile, decisions, an export): `expectedVersion` checked first.
  const save = <T>(
    ids: Readonly<Record<string, unknown>>,
    expectedVersion: number | null,
    operation: () => StoreOutcome<T, E>,
  ): ResultAsync<T, E> => call(ids, () => checkExpectedVersion(expectedVersion), operation);

  return {
    name: definition.name,

    getProfile: (tenantId) => call({ tenantId }, noCheck, () => raw.getProfile(tenantId)),
    saveProfile: (tenantId, profile, expectedVersion) =>
      save({ tenantId }, expectedVersion, () => raw.saveProfile(tenantId, profile, expectedVersion)),
    getDecisions: (tenantId) => call({ tenantId }, noCheck, () => raw.getDecisions(tenantId)),
    saveDecisions: (tenantId, decisions, expectedVersion) =>
      save({ tenantId }, expectedVersion, () => raw.saveDecisions(tenantId, decisions, expectedVersion)),
    getLastRun: (tenantId) => call({ tenantId }, noCheck, () => raw.getLastRun(tenantId)),
    saveLastRun: (tenantId, lastRun) => call({ tenantId }, noCheck, () => raw.saveLastRun(tenantId, lastRun)),

    createRun: (tenantId, run) => call({ tenantId, runId: run.runId }, noCheck, () => raw.createRun(tenantId, run)),
    getRun: (tenantId, runId) => call({ tenantId, runId }, noCheck, () => raw.getRun(tenantId, runId)),
    listRuns: (tenantId, options) =>
      call(
        { tenantId },
        () => checkLimit(options?.limit),
        () => raw.listRuns(tenantId, options),
      ),
    finishRun: (tenantId, runId, update) =>
      call({ tenantId, runId }, noCheck, () => raw.finishRun(tenantId, runId, update)),
    appendJournal: (tenantId, runId, entries) =>
      call(
        { tenantId, runId },
        () => checkJournalBatch(entries, null),
        () => raw.appendJournal(tenantId, runId, entries),
      ),
    readJournal: (tenantId, runId) => call({ tenantId, runId }, noCheck, () => raw.readJournal(tenantId, runId)),
    appendAudit: (tenantId, record) =>
      call({ tenantId, auditId: record.auditId }, noCheck, () => raw.appendAudit(tenantId, record)),
    listAudit: (tenantId, options) =>
      call(
        { tenantId },
        () => checkLimit(options?.limit) ?? checkAuditKind(options?.kind),
        () => raw.listAudit(tenantId, options),
      ),

    getHoursLedger: (tenantId, hourIds) => call({ tenantId }, noCheck, () => raw.getHoursLedger(tenantId, hourIds)),
    putHoursLedger: (tenantId, entries) =>
      call(
        { tenantId },
        () => firstInvalidEntry("hourId", entries, (entry) => entry.hourId),
        () => raw.putHoursLedger(tenantId, entries),
      ),
    getWatermark: (tenantId, key) => call({ tenantId, key }, noCheck, () => raw.getWatermark(tenantId, key)),
    setWatermark: (tenantId, key, value) =>
      call({ tenantId, key }, noCheck, () => raw.setWatermark(tenantId, key, value)),

    listExports: (tenantId) => call({ tenantId }, noCheck, () => raw.listExports(tenantId)),
    getExport: (tenantId, exportId) => call({ tenantId, exportId }, noCheck, () => raw.getExport(tenantId, exportId)),
    saveExport: (tenantId, exportId, config, expectedVersion) =>
      save({ tenantId, exportId }, expectedVersion, () => raw.saveExport(tenantId, exportId, config, expectedVersion)),
    deleteExport: (tenantId, exportId) =>
      call({ tenantId, exportId }, noCheck, () => raw.deleteExport(tenantId, exportId)),
    getExportLedger: (tenantId, exportId, eventIds) =>
      call({ tenantId, exportId }, noCheck, () => raw.getExportLedger(tenantId, exportId, eventIds)),
    putExportLedger: (tenantId, exportId, entries) =>
      call(
        { tenantId, exportId },
        () => firstInvalidEntry("eventId", entries, (entry) => entry.eventId),
        () => raw.putExportLedger(tenantId, exportId, entries),
      ),

    acquireLock: (tenantId, owner, ttlMs, now) =>
      call(
        { tenantId, owner },
        () => checkLeaseTime(ttlMs, now),
        () => raw.acquireLock(tenantId, owner, ttlMs, now),
      ),
    renewLock: (lease, ttlMs, now) =>
      call(
        { tenantId: lease.tenantId },
        () => checkLeaseTime(ttlMs, now),
        () => raw.renewLock(lease, ttlMs, now),
      ),
    releaseLock: (lease) => call({ tenantId: lease.tenantId }, noCheck, () => raw.releaseLock(lease)),

    close: async () => {
      if (closed) return;
      closed = true;
      await definition.close();
    },
  };
}
