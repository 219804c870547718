import type { PortError } from "@rostersync/core";

/**
 * Every error code `@rostersync/hero` returns, so a host can `switch` on `error.type` without typos.
 *
 * @example
 * ```ts
 * const report = await runExport(config, options);
 * if (report.isErr() && report.error.type === heroErrorCodes.InvalidExport) show(report.error.problems);
 * ```
 */
export const heroErrorCodes = {
  /** The export's settings have problems an administrator must fix first (see `problems`). */
  InvalidExport: "InvalidExport",
  /** A stored export config no longer matches the schema. */
  CorruptExport: "CorruptExport",
  /** The export config does not exist in the store. */
  ExportNotFound: "ExportNotFound",
  /** The config names a sink the host did not provide. */
  UnknownSink: "UnknownSink",
  /** The store failed (its own `type` is kept in `cause`). */
  StoreFailed: "StoreFailed",
  /** The behaviour system (Hero) failed. */
  SourceFailed: "SourceFailed",
  /** The sink failed; nothing of this run is recorded as sent except `deliveredEventIds`. */
  DeliveryFailed: "DeliveryFailed",
  /** The run was cancelled. */
  Aborted: "Aborted",
} as const;

/**
 * The old name of {@link heroErrorCodes}.
 *
 * @deprecated Use `heroErrorCodes` (every package's codes now have their own name).
 */
export const codes = heroErrorCodes;

/** One of the {@link heroErrorCodes}. */
export type HeroErrorCode = (typeof heroErrorCodes)[keyof typeof heroErrorCodes];

/** One thing wrong with an export's settings, in an administrator's words. */
export interface ExportProblem {
  /** One of {@link problemCodes}. */
  readonly code: ExportProblemCode;
  /** What is wrong and how to fix it, for the administrator. */
  readonly message: string;
  /** Where in the config (`["fields", 2, "field"]`). */
  readonly path: readonly (string | number)[];
}

/**
 * Every problem {@link validateExport} reports, by name.
 *
 * @example
 * ```ts
 * problems.filter((p) => p.code === problemCodes.SchoolWithoutSchedule);
 * ```
 */
export const problemCodes = {
  InvalidSetting: "InvalidSetting",
  EmptyName: "EmptyName",
  NoSchools: "NoSchools",
  UnknownSchool: "UnknownSchool",
  NoBehaviorCodes: "NoBehaviorCodes",
  UnknownBehaviorCode: "UnknownBehaviorCode",
  EmptyExternalReferenceCode: "EmptyExternalReferenceCode",
  DuplicateExternalReferenceCode: "DuplicateExternalReferenceCode",
  ExternalReferenceCodeNotInSis: "ExternalReferenceCodeNotInSis",
  EmptyFieldList: "EmptyFieldList",
  UnknownField: "UnknownField",
  DuplicateField: "DuplicateField",
  DuplicateHeader: "DuplicateHeader",
  FieldNotConfigured: "FieldNotConfigured",
  SchoolWithoutSchedule: "SchoolWithoutSchedule",
  PresetNeedsField: "PresetNeedsField",
  UnknownTimezone: "UnknownTimezone",
  InvalidTimeOfDay: "InvalidTimeOfDay",
  NoWeekdays: "NoWeekdays",
  UnknownSink: "UnknownSink",
} as const;

/** One of the {@link problemCodes}. */
export type ExportProblemCode = (typeof problemCodes)[keyof typeof problemCodes];

/** Fields every hero error carries (compatible with core's `PortError`). */
interface HeroErrorBase extends PortError {
  readonly message: string;
}

/** The settings are not valid; every problem is listed. */
export interface InvalidExportError extends HeroErrorBase {
  readonly type: "InvalidExport";
  readonly problems: readonly ExportProblem[];
}
/** A stored config that no longer parses. */
export interface CorruptExportError extends HeroErrorBase {
  readonly type: "CorruptExport";
  readonly exportId: string;
}
/** No such export. */
export interface ExportNotFoundError extends HeroErrorBase {
  readonly type: "ExportNotFound";
  readonly exportId: string;
}
/** The config's sink reference names no sink the host gave. */
export interface UnknownSinkError extends HeroErrorBase {
  readonly type: "UnknownSink";
  readonly sink: string;
}
/** The store failed. */
export interface StoreFailedError extends HeroErrorBase {
  readonly type: "StoreFailed";
  readonly cause: PortError;
}
/** The behaviour system failed. */
export interface SourceFailedError extends HeroErrorBase {
  readonly type: "SourceFailed";
  readonly cause: PortError;
}
/** The sink failed. */
export interface DeliveryFailedError extends HeroErrorBase {
  readonly type: "DeliveryFailed";
  readonly cause: PortError;
  /** Events the sink wrote before it failed; they are recorded in the ledger, so they are not sent twice. */
  readonly deliveredEventIds: readonly string[];
}
/** Cancelled by the caller's signal. */
export interface AbortedError extends HeroErrorBase {
  readonly type: "Aborted";
}

/** Every error `@rostersync/hero` returns, tagged by `type`. */
export type HeroError =
  | InvalidExportError
  | CorruptExportError
  | ExportNotFoundError
  | UnknownSinkError
  | StoreFailedError
  | SourceFailedError
  | DeliveryFailedError
  | AbortedError;

/** Wraps a store error. */
export function storeFailed(cause: PortError): StoreFailedError {
  return {
    type: "StoreFailed",
    cause,
    message: `The export's store failed: ${cause.message}`,
    ...(cause.retryable === undefined ? {} : { retryable: cause.retryable }),
    ...(cause.fatal === undefined ? {} : { fatal: cause.fatal }),
  };
}

/** Wraps a behaviour-system error. */
export function sourceFailed(cause: PortError): SourceFailedError {
  return {
    type: "SourceFailed",
    cause,
    message: `Reading tardies from Hero failed: ${cause.message}`,
    ...(cause.retryable === undefined ? {} : { retryable: cause.retryable }),
  };
}

/**
 * A sink error that says which events were written before the failure (`deliveredEventIds`,
 * `externalIds`). Sinks that write record by record (the FACTS sink) return it so that the run records
 * what did go through.
 */
export interface PartialDeliveryError extends PortError {
  readonly deliveredEventIds: readonly string[];
  readonly externalIds?: Readonly<Record<string, string>> | undefined;
}

/** True when a sink error carries the events written before it failed. */
export function isPartialDelivery(error: PortError): error is PartialDeliveryError {
  return Array.isArray((error as Partial<PartialDeliveryError>).deliveredEventIds);
}

/**
 * Error codes of the file-directory and callback sinks (the FACTS sink's are `factsSinkCodes`).
 * `WriteFailed`: the file could not be written (nothing was left under its name); `Aborted`: cancelled
 * before writing; `CallbackFailed`: the host's callback threw or rejected.
 *
 * @example
 * ```ts
 * if (error.type === heroErrorCodes.DeliveryFailed && error.cause.type === sinkCodes.WriteFailed) checkDisk();
 * ```
 */
export const sinkCodes = {
  WriteFailed: "WriteFailed",
  Aborted: "Aborted",
  CallbackFailed: "CallbackFailed",
} as const;
