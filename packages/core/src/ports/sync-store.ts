import type { ResultAsync } from "neverthrow";
import type { Decisions, JsonValue, LastRun, SyncProfile } from "../types.js";
import type { PortError } from "./errors.js";

/**
 * Every error type a store reports, by name. `Conflict`: a stale write (optimistic concurrency), a
 * duplicate id or a journal sequence that does not grow. `Locked`: the run lock is held by someone else.
 * `LockLost`: a lease was released or taken over. `NotFound`: the run to journal or finish does not exist.
 * `Corrupt`: the stored data or file cannot be read. `Foreign`: the database belongs to another application.
 * `VersionTooNew`: the database was migrated by a newer release. `Unavailable`: the backend cannot be
 * reached (retryable). `AuthFailed`: the backend refused the credentials. `Invalid`: a bad argument (an empty
 * id, a NUL character, a lone surrogate, a non-integer `seq`…).
 */
export const STORE_ERROR_CODES = {
  Conflict: "Conflict",
  Locked: "Locked",
  LockLost: "LockLost",
  NotFound: "NotFound",
  Corrupt: "Corrupt",
  Foreign: "Foreign",
  VersionTooNew: "VersionTooNew",
  Unavailable: "Unavailable",
  AuthFailed: "AuthFailed",
  Invalid: "Invalid",
} as const;

/** One of {@link STORE_ERROR_CODES}. */
export type StoreErrorType = (typeof STORE_ERROR_CODES)[keyof typeof STORE_ERROR_CODES];

/** Store failures, tagged by `type` (see {@link STORE_ERROR_CODES}). */
export interface StoreError extends PortError {
  readonly type: StoreErrorType | (string & {});
}

/** Builds a {@link StoreError}. `LockLost` is fatal (stop the run); `Unavailable` and `Locked` are retryable. */
export function storeError(type: StoreErrorType, message: string): StoreError & { readonly type: StoreErrorType } {
  const fatal = type === "LockLost" || type === "AuthFailed" || type === "Corrupt" || type === "VersionTooNew";
  const retryable = type === "Unavailable" || type === "Locked";
  return { type, message, ...(fatal ? { fatal } : {}), ...(retryable ? { retryable } : {}) };
}

const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Checks an id that a store uses as a key (tenant, run, hour, export, event, watermark key, lease owner).
 * Ids must be non-empty, well-formed Unicode (no lone surrogates, which backends would fold into U+FFFD and
 * so make two ids collide) and free of NUL (which PostgreSQL cannot store). Returns an `Invalid` error or
 * `null`. Every store calls it, so a crafted id is refused the same way everywhere.
 *
 * @example
 * ```ts
 * checkStoreId("tenantId", "") // → { type: "Invalid", message: "tenantId must not be empty" }
 * ```
 */
export function checkStoreId(label: string, id: unknown): StoreError | null {
  if (typeof id !== "string") return storeError("Invalid", `${label} must be a string`);
  if (id.length === 0) return storeError("Invalid", `${label} must not be empty`);
  if (id.includes("\u0000")) return storeError("Invalid", `${label} must not contain a NUL character`);
  if (LONE_SURROGATE.test(id))
    return storeError("Invalid", `${label} must be well-formed Unicode (no lone surrogates)`);
  return null;
}

/** A stored value and its version. Versions start at 1 and grow by one per write. */
export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

/** The life of an apply run. */
export const RUN_STATUSES = ["running", "completed", "failed", "aborted"] as const;
/** A run's status. */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One apply run: the plan it applies and where it got to. */
export interface RunRecord {
  readonly runId: string;
  readonly planHash: string;
  readonly profileHash: string;
  readonly status: RunStatus;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly finishedAt?: string | undefined;
  /** Who started it (host user id, or `unattended`). */
  readonly actor?: string | undefined;
  readonly totalActions: number;
  /** The plan being applied (so that `resume` needs nothing else). */
  readonly plan: JsonValue;
  /** Final counts, once finished. */
  readonly summary?: JsonValue | undefined;
}

/** Journal phases: `intent` is written before a target write, `outcome` after it. */
export type JournalPhase = "intent" | "outcome";

/** One journal line. `seq` is strictly increasing within a run. */
export interface JournalEntry {
  readonly seq: number;
  readonly actionId: string;
  readonly phase: JournalPhase;
  /** ISO 8601. */
  readonly at: string;
  /** For outcomes. */
  readonly outcome?: "done" | "failed" | undefined;
  /** For outcomes: what the write returned (e.g. `{ accountId }`). */
  readonly result?: JsonValue | undefined;
  /** For failed outcomes. */
  readonly error?: { readonly type: string; readonly message: string } | undefined;
}

/**
 * What an audit record is about. `apply`: an apply run finished (completed, failed or aborted);
 * `apply-refused`: an apply refused before writing (held, stale plan, changed setup);
 * `unattended-stopped`: an unattended run that stopped for a person; `hours-push`, `hours-import`,
 * `hours-backfill`, `hours-enabled`: the hours steps (docs/hours.md); `export`: a tardy export delivery.
 */
export const AUDIT_KINDS = [
  "apply",
  "apply-refused",
  "unattended-stopped",
  "hours-push",
  "hours-import",
  "hours-backfill",
  "hours-enabled",
  "export",
] as const;
/** One of {@link AUDIT_KINDS}. */
export type AuditKind = (typeof AUDIT_KINDS)[number];

/**
 * How the audited step ended: a run's status, or `refused` (nothing written: a held or stale plan, a guard),
 * `stopped` (an unattended run waiting for a person), `dry-run` (shown, nothing sent).
 */
export type AuditStatus = RunStatus | "refused" | "stopped" | "dry-run";

/** Who did what, when, with what outcome: kept for every step that writes (or refused to). */
export interface AuditRecord {
  readonly auditId: string;
  /** What was done. Absent on records written before kinds existed: those are `apply`. */
  readonly kind?: AuditKind | undefined;
  /** The apply run, or the id of the step (an export's run id; the audit id for the hours steps). */
  readonly runId: string;
  /** ISO 8601. */
  readonly at: string;
  /** A host user id, `unattended`, or `host` when the host did not say. */
  readonly actor: string;
  /** The plan applied or refused; `""` for steps without a plan. */
  readonly planHash: string;
  readonly status: AuditStatus;
  /** Counts of what was written (kind-specific: created/updated/deleted, add/link/…). */
  readonly counts: JsonValue;
  /** Per-item outcomes (`actionId` → `done` | `failed: …`; hour id → status), or `{}`. */
  readonly outcomes: JsonValue;
  /** Why it was refused, stopped or failed (an error type and message, or the reasons). */
  readonly reason?: string | undefined;
}

/** The kind of an audit record (records written before kinds existed are `apply`). */
export function auditKindOf(record: Pick<AuditRecord, "kind">): AuditKind {
  return record.kind ?? "apply";
}

/** Checks a `kind` option of `listAudit`: absent, or one of {@link AUDIT_KINDS}. Returns `Invalid` or `null`. */
export function checkAuditKind(kind: unknown): StoreError | null {
  if (kind === undefined || (typeof kind === "string" && (AUDIT_KINDS as readonly string[]).includes(kind))) {
    return null;
  }
  return storeError("Invalid", `kind must be one of ${AUDIT_KINDS.join(", ")}, got ${String(kind)}`);
}

/** Where an hour in the ledger came from: pushed by the host, or imported from the SIS (never echoed). */
export type HourOrigin = "host" | "sis";

/** The hours ledger: host hour id ↔ SIS service-hours id (docs/hours.md). */
export interface HoursLedgerEntry {
  readonly hourId: string;
  /** `null` while a create's outcome is unknown. */
  readonly serviceHoursId: string | null;
  readonly personId: string;
  readonly role: "student" | "parent";
  /** Digest of what was last written, to tell an edit from an unchanged entry. */
  readonly fingerprint: string;
  readonly origin: HourOrigin;
  /**
   * `pending`: a write was sent, outcome unknown; `synced`: confirmed; `deleted`: removed from the SIS;
   * `withdrawn`: removed here but still in a SIS that cannot delete (emptied and marked there, with
   * `serviceHoursId` kept so that a re-approval restores that same record).
   */
  readonly state: "pending" | "synced" | "deleted" | "withdrawn";
  /** ISO 8601. */
  readonly updatedAt: string;
}

/** A stored tardy export config (its shape belongs to `@rostersync/hero`). */
export interface ExportRecord {
  readonly exportId: string;
  readonly config: JsonValue;
  readonly version: number;
}

/** What a tardy export has sent for one event (docs/hero-export.md). */
export interface ExportLedgerEntry {
  readonly eventId: string;
  /** Digest of what was sent; a change means a correction is due. */
  readonly fingerprint: string;
  readonly status: "sent" | "voided";
  /** ISO 8601. */
  readonly sentAt: string;
  /** The SIS's id for the written record, when the sink returns one. */
  readonly externalId?: string | undefined;
}

/** A held run lock. Pass it back to renew or release. */
export interface Lease {
  readonly tenantId: string;
  readonly owner: string;
  /** Unique per acquisition; a renewal with an old token fails with `LockLost`. */
  readonly token: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/**
 * Everything a school's sync remembers between runs. Every method is scoped by `tenantId` (the school):
 * one tenant can never read or overwrite another's state, whatever the ids look like.
 */
export interface SyncStore<E extends StoreError = StoreError> {
  readonly name: string;

  getProfile(tenantId: string): ResultAsync<Versioned<SyncProfile> | null, E>;
  /** `expectedVersion` `null` creates; a mismatch is `Conflict`. Resolves to the new version. */
  saveProfile(tenantId: string, profile: SyncProfile, expectedVersion: number | null): ResultAsync<number, E>;
  getDecisions(tenantId: string): ResultAsync<Versioned<Decisions> | null, E>;
  saveDecisions(tenantId: string, decisions: Decisions, expectedVersion: number | null): ResultAsync<number, E>;
  getLastRun(tenantId: string): ResultAsync<LastRun | null, E>;
  saveLastRun(tenantId: string, lastRun: LastRun): ResultAsync<void, E>;

  /** A `runId` that exists already is `Conflict`. The run's journal starts empty. */
  createRun(tenantId: string, run: RunRecord): ResultAsync<void, E>;
  getRun(tenantId: string, runId: string): ResultAsync<RunRecord | null, E>;
  /** Newest first (by `startedAt`, then by creation). */
  listRuns(tenantId: string, options?: { readonly limit?: number | undefined }): ResultAsync<readonly RunRecord[], E>;
  /**
   * Sets a run's status, `finishedAt` and `summary` (the plan and journal are kept). A missing run is
   * `NotFound`. Write the last journal entries before finishing: a finished run's journal is complete.
   */
  finishRun(
    tenantId: string,
    runId: string,
    update: { readonly status: RunStatus; readonly finishedAt: string; readonly summary?: JsonValue | undefined },
  ): ResultAsync<void, E>;
  /**
   * Appends atomically; each `seq` (a non-negative safe integer) must exceed the previous one in the batch
   * and the run's last one (else `Conflict`, nothing written). A missing run is `NotFound`.
   */
  appendJournal(tenantId: string, runId: string, entries: readonly JournalEntry[]): ResultAsync<void, E>;
  /** In `seq` order. */
  readJournal(tenantId: string, runId: string): ResultAsync<readonly JournalEntry[], E>;
  /** An `auditId` that exists already is `Conflict`. */
  appendAudit(tenantId: string, record: AuditRecord): ResultAsync<void, E>;
  /**
   * Newest first (by `at`, then by insertion). `kind` keeps the records of one kind (a record without a
   * kind is `apply`); an unknown kind is `Invalid`.
   */
  listAudit(
    tenantId: string,
    options?: { readonly limit?: number | undefined; readonly kind?: AuditKind | undefined },
  ): ResultAsync<readonly AuditRecord[], E>;

  /** All entries, or those with the given hour ids (unknown ids are left out), in no particular order. */
  getHoursLedger(tenantId: string, hourIds?: readonly string[]): ResultAsync<readonly HoursLedgerEntry[], E>;
  /** Upsert by `hourId`, atomically. */
  putHoursLedger(tenantId: string, entries: readonly HoursLedgerEntry[]): ResultAsync<void, E>;
  getWatermark(tenantId: string, key: string): ResultAsync<string | null, E>;
  setWatermark(tenantId: string, key: string, value: string): ResultAsync<void, E>;

  /** Every export config of the school, in no particular order. */
  listExports(tenantId: string): ResultAsync<readonly ExportRecord[], E>;
  getExport(tenantId: string, exportId: string): ResultAsync<ExportRecord | null, E>;
  /** Optimistic like profiles. Resolves to the new version. */
  saveExport(
    tenantId: string,
    exportId: string,
    config: JsonValue,
    expectedVersion: number | null,
  ): ResultAsync<number, E>;
  /** Deletes the config and its ledger; deleting a missing export is not an error. */
  deleteExport(tenantId: string, exportId: string): ResultAsync<void, E>;
  /** All entries of one export, or those with the given event ids, in no particular order. */
  getExportLedger(
    tenantId: string,
    exportId: string,
    eventIds?: readonly string[],
  ): ResultAsync<readonly ExportLedgerEntry[], E>;
  /** Upsert by `eventId`, atomically. */
  putExportLedger(tenantId: string, exportId: string, entries: readonly ExportLedgerEntry[]): ResultAsync<void, E>;

  /**
   * Take the school's run lock for `ttlMs` from `now` (epoch ms, the caller's clock). Held and unexpired
   * (`expiresAt > now`) → `Locked`, whoever the owner is: the same owner in two processes must not share it.
   */
  acquireLock(tenantId: string, owner: string, ttlMs: number, now: number): ResultAsync<Lease, E>;
  /**
   * Extend a held lease to `now + ttlMs`. Still ours (same token), even if expired but not taken → renewed;
   * taken by another, or released → `LockLost`.
   */
  renewLock(lease: Lease, ttlMs: number, now: number): ResultAsync<Lease, E>;
  /** Release; releasing a lease that is no longer held is not an error. */
  releaseLock(lease: Lease): ResultAsync<void, E>;

  /** Release connections and files. */
  close(): Promise<void>;
}

/**
 * Checks a journal batch against the run's last stored `seq` (`null` when the journal is empty): every
 * `seq` is a non-negative safe integer greater than the one before it. Returns `Invalid`, `Conflict` or
 * `null`. Stores call it inside the same transaction that appends, so a rejected batch writes nothing.
 */
export function checkJournalBatch(entries: readonly JournalEntry[], lastSeq: number | null): StoreError | null {
  let previous = lastSeq;
  for (const entry of entries) {
    if (!Number.isSafeInteger(entry.seq) || entry.seq < 0) {
      return storeError("Invalid", `journal seq must be a non-negative integer, got ${String(entry.seq)}`);
    }
    if (previous !== null && entry.seq <= previous) {
      return storeError("Conflict", `journal seq ${entry.seq} does not follow ${previous}`);
    }
    previous = entry.seq;
  }
  return null;
}

/**
 * Checks the `expectedVersion` of an optimistic save: `null` (create) or a positive safe integer. Anything
 * else (`"1"`, `1.5`, `NaN`, `0`) is `Invalid`, never a `Conflict` or a retryable error, so that every store
 * answers a malformed call the same way. Stores call it before touching anything.
 *
 * @example
 * ```ts
 * checkExpectedVersion("1") // → { type: "Invalid", message: "expectedVersion must be null or a positive integer, got \"1\"" }
 * ```
 */
export function checkExpectedVersion(expectedVersion: unknown): StoreError | null {
  if (expectedVersion === null || (Number.isSafeInteger(expectedVersion) && (expectedVersion as number) > 0)) {
    return null;
  }
  const shown = typeof expectedVersion === "string" ? JSON.stringify(expectedVersion) : String(expectedVersion);
  return storeError("Invalid", `expectedVersion must be null or a positive integer, got ${shown.slice(0, 40)}`);
}

/** Checks a `limit` option: absent, or a non-negative safe integer. Returns `Invalid` or `null`. */
export function checkLimit(limit: number | undefined): StoreError | null {
  if (limit === undefined || (Number.isSafeInteger(limit) && limit >= 0)) return null;
  return storeError("Invalid", `limit must be a non-negative integer, got ${String(limit)}`);
}
