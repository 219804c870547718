/**
 * What the steps of a sync share: the school's ports and knobs, and the little a `Sync` instance remembers
 * between calls. `createSync` builds one and hands it to every step module.
 *
 * @internal
 * @module
 */

import type {
  Clock,
  Logger,
  ReviewReport,
  RosterSnapshot,
  RosterSource,
  SyncStore,
  TargetDirectory,
} from "@rostersync/core";
import type { ProgressListener } from "./progress.js";

/** What one `Sync` instance remembers between calls. @internal */
export interface SyncState {
  /** The last refresh's roster; `null` until a refresh, and again after an apply completed. */
  roster: RosterSnapshot | null;
  /** The last review made, for `decide`'s builder; `null` like `roster`. */
  lastReview: ReviewReport | null;
  /** The profile version this instance last read or wrote (`undefined`: not read yet). */
  profileVersion: number | null | undefined;
}

/** The school's ports and knobs, and the instance's state: the explicit input of every step. @internal */
export interface SyncContext {
  readonly tenantId: string;
  readonly source: RosterSource;
  readonly directory: TargetDirectory;
  readonly store: SyncStore;
  readonly clock: Clock;
  /** Makes run, audit and lock-owner ids. */
  readonly newId: () => string;
  readonly logger?: Logger | undefined;
  readonly onProgress?: ProgressListener | undefined;
  readonly lockTtlMs: number;
  readonly journalBatchSize: number | "auto";
  readonly state: SyncState;
}

/** The actor of unattended runs in runs and audit records. @internal */
export const UNATTENDED = "unattended";
