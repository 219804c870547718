import type { DirectoryError, Hold, InputProblem, PortError, StoreError } from "@rostersync/core";

/**
 * Every error code `@rostersync/sync` returns, as a constant so that hosts can `switch` on
 * `error.type` without string typos.
 *
 * @example
 * ```ts
 * const result = await sync.apply(plan);
 * result.match(
 *   (run) => showRun(run),
 *   (error) => (error.type === syncErrorCodes.Held ? askForAcknowledgement(error.holds) : showError(error)),
 * );
 * ```
 */
export const syncErrorCodes = {
  StalePlan: "StalePlan",
  Held: "Held",
  Locked: "Locked",
  LockLost: "LockLost",
  NoPlan: "NoPlan",
  NoProfile: "NoProfile",
  WrongTenant: "WrongTenant",
  ProfileMismatch: "ProfileMismatch",
  OutOfStep: "OutOfStep",
  RunNotFound: "RunNotFound",
  Conflict: "Conflict",
  InvalidDecision: "InvalidDecision",
  InvalidInput: "InvalidInput",
  SourceFailed: "SourceFailed",
  StoreFailed: "StoreFailed",
  DirectoryFailed: "DirectoryFailed",
  HoursFailed: "HoursFailed",
  Aborted: "Aborted",
  HoursSyncOff: "HoursSyncOff",
  HoursNotConfigured: "HoursNotConfigured",
  HistoricHoursUnseen: "HistoricHoursUnseen",
} as const;

/**
 * The sync error codes under their old name.
 *
 * @deprecated Use {@link syncErrorCodes}; this alias goes in the next release.
 */
export const codes = syncErrorCodes;

/** One of the {@link syncErrorCodes}. */
export type SyncErrorCode = (typeof syncErrorCodes)[keyof typeof syncErrorCodes];

/** The plan's inputs changed since it was made (R11). Nothing was written. */
export interface StalePlanError {
  readonly type: "StalePlan";
  readonly message: string;
  /** The hash of the plan passed to `apply`. */
  readonly planHash: string;
  /** The hash of a plan made now from the same kind of inputs. */
  readonly currentHash: string;
}
/** The plan is held (R10) and the call did not acknowledge its hash. Nothing was written. */
export interface HeldError {
  readonly type: "Held";
  readonly message: string;
  readonly planHash: string;
  readonly holds: readonly Hold[];
}
/** Another worker holds the school's run lock. Nothing was written. */
export interface LockedError {
  readonly type: "Locked";
  readonly message: string;
}
/**
 * The run lock could not be proven held while applying (another worker took the expired lease, or renewing
 * it took more than half of `lockTtlMs`): the run stopped before its next write, recording nothing more, and
 * stays `running`; `resume(runId)` finishes it once the lease is free.
 */
export interface LockLostError {
  readonly type: "LockLost";
  readonly message: string;
  readonly runId: string;
}
/** `apply` was called without a plan (or with something that is not one). */
export interface NoPlanError {
  readonly type: "NoPlan";
  readonly message: string;
}
/** No profile was set up for the school yet: call `sync.setup(profile)` first. */
export interface NoProfileError {
  readonly type: "NoProfile";
  readonly message: string;
}
/** The plan (or run) belongs to another school than this `createSync` instance. */
export interface WrongTenantError {
  readonly type: "WrongTenant";
  readonly message: string;
  readonly expected: string;
  readonly actual: string;
}
/** The plan was made with another profile (setup) than the school's current one. */
export interface ProfileMismatchError {
  readonly type: "ProfileMismatch";
  readonly message: string;
  readonly planProfileHash: string;
  readonly currentProfileHash: string;
}
/** The store's journal and the directory disagree (e.g. a journalled create whose account is missing). */
export interface OutOfStepError {
  readonly type: "OutOfStep";
  readonly message: string;
  readonly runId: string;
  readonly actionId: string;
}
/** `resume` was given a run id the school's store does not know. */
export interface RunNotFoundError {
  readonly type: "RunNotFound";
  readonly message: string;
  readonly runId: string;
}
/** Someone else saved the profile or decisions since they were read (optimistic versions). */
export interface ConflictError {
  readonly type: "Conflict";
  readonly message: string;
}
/** A decision could not be made (core refused it, e.g. a duplicate resolution naming a non-member). */
export interface InvalidDecisionError {
  readonly type: "InvalidDecision";
  readonly message: string;
}
/** The roster or the accounts are malformed (core lists every problem; nothing was planned). */
export interface InvalidInputError {
  readonly type: "InvalidInput";
  readonly message: string;
  readonly problems: readonly InputProblem[];
}
/** The roster source failed. */
export interface SourceFailedError {
  readonly type: "SourceFailed";
  readonly message: string;
  readonly cause: PortError;
}
/** The store failed. */
export interface StoreFailedError {
  readonly type: "StoreFailed";
  readonly message: string;
  readonly cause: StoreError;
}
/** The target directory failed fatally (auth, unavailable on read, or a thrown exception). */
export interface DirectoryFailedError {
  readonly type: "DirectoryFailed";
  readonly message: string;
  readonly cause: DirectoryError;
  /** The run that stopped, when it happened during an apply. */
  readonly runId?: string | undefined;
}
/** The hours source or sink failed as a whole (auth, abort); per-entry failures are outcomes instead. */
export interface HoursFailedError {
  readonly type: "HoursFailed";
  readonly message: string;
  readonly cause: PortError;
}
/** The caller's `AbortSignal` fired; the run can be resumed. */
export interface AbortedError {
  readonly type: "Aborted";
  readonly message: string;
  /** The run to resume; absent when the signal fired before a run was stored (nothing was written). */
  readonly runId?: string | undefined;
}
/** Hours write-back is switched off in the profile. */
export interface HoursSyncOffError {
  readonly type: "HoursSyncOff";
  readonly message: string;
}
/** `hours` (sink) or `hoursSource` was not passed to `createSync`. */
export interface HoursNotConfiguredError {
  readonly type: "HoursNotConfigured";
  readonly message: string;
}
/** Enabling hours sync while the SIS holds hours the ledger has never seen (docs/hours.md). */
export interface HistoricHoursUnseenError {
  readonly type: "HistoricHoursUnseen";
  readonly message: string;
  /** How many SIS hour records the ledger does not know. */
  readonly unseen: number;
}

/** Everything `@rostersync/sync` can return as an error. Switch on `type` (see {@link syncErrorCodes}). */
export type SyncError =
  | StalePlanError
  | HeldError
  | LockedError
  | LockLostError
  | NoPlanError
  | NoProfileError
  | WrongTenantError
  | ProfileMismatchError
  | OutOfStepError
  | RunNotFoundError
  | ConflictError
  | InvalidDecisionError
  | InvalidInputError
  | SourceFailedError
  | StoreFailedError
  | DirectoryFailedError
  | HoursFailedError
  | AbortedError
  | HoursSyncOffError
  | HoursNotConfiguredError
  | HistoricHoursUnseenError;

/** The school has no setup yet: the one `NoProfile` error every method returns. @internal */
export const noProfile = (): NoProfileError => ({
  type: "NoProfile",
  message: "This school has no setup yet: call sync.setup(profile) first.",
});

/** A store's error as sync's: `Conflict` and `Locked` keep their type, anything else is `StoreFailed`. @internal */
export const storeFailed = (cause: StoreError): SyncError =>
  cause.type === "Conflict"
    ? { type: "Conflict", message: `Someone else saved this first: ${cause.message}` }
    : cause.type === "Locked"
      ? { type: "Locked", message: cause.message }
      : { type: "StoreFailed", message: `The store failed: ${cause.message}`, cause };

/** @internal */
export const sourceFailed = (cause: PortError): SyncError => ({
  type: "SourceFailed",
  message: `Reading the roster failed: ${cause.message}`,
  cause,
});

/** @internal */
export const directoryFailed = (cause: DirectoryError, runId?: string): SyncError => ({
  type: "DirectoryFailed",
  message: `The account directory failed: ${cause.message}`,
  cause,
  ...(runId === undefined ? {} : { runId }),
});

/** @internal Turns a thrown value into a port error, so nothing throws across our boundary. */
export const thrownToPortError = (thrown: unknown): DirectoryError => ({
  type: "Thrown",
  message: thrown instanceof Error ? thrown.message : String(thrown),
  fatal: true,
});
