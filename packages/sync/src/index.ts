/**
 * `@rostersync/sync`: the one package that sequences I/O. Refresh the roster, review it, decide, plan,
 * apply exactly once (journalled, locked, resumable), and push approved hours back to the SIS.
 *
 * @packageDocumentation
 */

export type { ActionFailure, ApplyResult, Logger, RunTimings } from "./apply.js";
export * from "./errors.js";
export {
  type BackfillHoursOptions,
  type BackfillWrite,
  HOURS_PARKED,
  HOURS_WATERMARK,
  type HourEntryOutcome,
  type HoursBackfillResult,
  type HoursCounts,
  type HoursImportResult,
  type HoursPushResult,
  hourFingerprint,
  type PushHoursOptions,
} from "./hours.js";
export type { ProgressListener, SyncProgress } from "./progress.js";
export type { Acknowledgement, PlanReference } from "./reference.js";
export { describeProblems } from "./setup.js";
export {
  type ApplyOptions,
  createSync,
  type Sync,
  type SyncOptions,
  type TenantPlan,
  type UnattendedResult,
  type UnattendedStopReason,
} from "./sync.js";
