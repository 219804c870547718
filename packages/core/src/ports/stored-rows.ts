// What the SQL stores (storage-sqlite, storage-postgres) share beside their SQL: the groups their raw
// operations are written in, how a stored row becomes a record, and the errors the stored state answers
// (docs/architecture.md, "The adapter contract"). Pure: JSON in, values out.
import type { Decisions, JsonValue, SyncProfile } from "../types.js";
import type { ExportRecord, RunRecord, StoreError, StoreErrorType, SyncStore, Versioned } from "./sync-store.js";
import { storeError } from "./sync-store.js";
import type { StoreOutcome, SyncStoreOperations } from "./sync-store-factory.js";

/** The raw operations on the profile, the decisions and the last run. */
export type DocumentOperations<E extends StoreError = StoreError> = Pick<
  SyncStoreOperations<E>,
  "getProfile" | "saveProfile" | "getDecisions" | "saveDecisions" | "getLastRun" | "saveLastRun"
>;

/** The versioned documents of a school: the profile and the decisions. */
export type VersionedDocumentKind = "profile" | "decisions";

/** How a store reads and saves one versioned document (see {@link versionedDocumentOperations}). */
export interface VersionedDocuments<E extends StoreError> {
  /** The document and its version, or `null` when none was saved. */
  read<T>(tenantId: string, kind: VersionedDocumentKind): StoreOutcome<Versioned<T> | null, E>;
  /**
   * Saves when the stored version is `expectedVersion` (`null`: none yet) and answers the new version; else
   * `storedStateErrors.versionConflict(what, …)`.
   */
  save(
    tenantId: string,
    kind: VersionedDocumentKind,
    expectedVersion: number | null,
    what: string,
    value: unknown,
  ): StoreOutcome<number, E>;
}

/**
 * The profile and decisions operations on a store's versioned documents: the same two documents, named the
 * same in every `Conflict`, whatever the store.
 *
 * @example
 * ```ts
 * const documents: DocumentOperations = {
 *   ...versionedDocumentOperations({ read: readDocument, save: saveDocument }),
 *   getLastRun: …,
 *   saveLastRun: …,
 * };
 * ```
 */
export function versionedDocumentOperations<E extends StoreError>(
  documents: VersionedDocuments<E>,
): Pick<SyncStoreOperations<E>, "getProfile" | "saveProfile" | "getDecisions" | "saveDecisions"> {
  return {
    getProfile: (tenantId) => documents.read<SyncProfile>(tenantId, "profile"),
    saveProfile: (tenantId, profile, expectedVersion) =>
      documents.save(tenantId, "profile", expectedVersion, "the profile", profile),
    getDecisions: (tenantId) => documents.read<Decisions>(tenantId, "decisions"),
    saveDecisions: (tenantId, decisions, expectedVersion) =>
      documents.save(tenantId, "decisions", expectedVersion, "the decisions", decisions),
  };
}

/** The raw operations on runs, their journals and the audit. */
export type RunOperations<E extends StoreError = StoreError> = Pick<
  SyncStoreOperations<E>,
  "createRun" | "getRun" | "listRuns" | "finishRun" | "appendJournal" | "readJournal" | "appendAudit" | "listAudit"
>;

/** The raw operations on the hours ledger, watermarks, tardy exports and their ledgers. */
export type LedgerOperations<E extends StoreError = StoreError> = Pick<
  SyncStoreOperations<E>,
  | "getHoursLedger"
  | "putHoursLedger"
  | "getWatermark"
  | "setWatermark"
  | "listExports"
  | "getExport"
  | "saveExport"
  | "deleteExport"
  | "getExportLedger"
  | "putExportLedger"
>;

/** The raw operations on the run lock. */
export type LockOperations<E extends StoreError = StoreError> = Pick<
  SyncStoreOperations<E>,
  "acquireLock" | "renewLock" | "releaseLock"
>;

/** A JSON column's value (a string), read back. */
export const parseStored = <T>(json: unknown): T => JSON.parse(json as string) as T;

/** A run as stored: its record without the plan, and the plan, each a JSON column. */
export interface StoredRunRow {
  readonly record?: unknown;
  readonly plan?: unknown;
}

/** The {@link RunRecord} of a stored run row. */
export const runFromRow = (row: StoredRunRow): RunRecord => ({
  ...parseStored<RunRecord>(row.record),
  plan: parseStored<JsonValue>(row.plan),
});

/** A stored run record (without its plan) after `finishRun`'s update. */
export function finishedRun(record: unknown, update: Parameters<SyncStore["finishRun"]>[2]): Omit<RunRecord, "plan"> {
  return {
    ...parseStored<Omit<RunRecord, "plan">>(record),
    status: update.status,
    finishedAt: update.finishedAt,
    ...(update.summary === undefined ? {} : { summary: update.summary }),
  };
}

/** The {@link ExportRecord} of a stored export row (`version`, `config` as JSON). */
export const exportFromRow = (exportId: string, row: { readonly version?: unknown; readonly config?: unknown }) =>
  ({ exportId, config: parseStored<JsonValue>(row.config), version: Number(row.version) }) satisfies ExportRecord;

/** A {@link StoreError} whose `type` is known where it is made (the errors of {@link storedStateErrors}). */
export type TypedStoreError = StoreError & { readonly type: StoreErrorType };

/** The errors a store answers from its stored state, worded the same by every store. */
export const storedStateErrors = {
  /** A versioned save whose `expectedVersion` is not the stored one. */
  versionConflict: (what: string, have: number | null, expected: number | null): TypedStoreError =>
    storeError("Conflict", `${what} is at version ${have ?? "none"}, not ${expected ?? "none"}`),
  runExists: (runId: string): TypedStoreError => storeError("Conflict", `run ${runId} exists already`),
  runMissing: (runId: string): TypedStoreError => storeError("NotFound", `run ${runId} does not exist`),
  auditExists: (auditId: string): TypedStoreError => storeError("Conflict", `audit ${auditId} exists already`),
  /** Another owner's lease is live. */
  locked: (tenantId: string, owner: unknown, expiresAt: unknown): TypedStoreError =>
    storeError("Locked", `school ${tenantId} is locked by ${String(owner)} until ${String(expiresAt)}`),
  lockLost: (tenantId: string): TypedStoreError =>
    storeError("LockLost", `the run lock of school ${tenantId} was released or taken over`),
} as const;
