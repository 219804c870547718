/**
 * The counts every hours step that writes reports (a push, a backfill). They are counted from settled
 * batches only, so an entry is counted when this step wrote it, never each time it is looked at again (a
 * `withdrawn` entry stays `withdrawn` on every later push, but counts once). Pure.
 *
 * @internal
 * @module
 */

import type { SettledBatch } from "./reconcile.js";
import type { HourEntryOutcome } from "./types.js";

/** What the writes of one hours step did: the counts a push and a backfill share. */
export interface HoursCounts {
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  /** Entries removed here whose SIS record could only be emptied and marked (FACTS cannot delete). */
  readonly withdrawn: number;
  /** Writes that failed: retried on the next push (or the next backfill). */
  readonly failed: number;
  /** Entries with something a person must do in the SIS (their `attention`), for an admin to see. */
  readonly needsAttention: readonly HourEntryOutcome[];
}

/** No writes: every count zero. @internal */
export const NO_COUNTS: HoursCounts = {
  created: 0,
  updated: 0,
  deleted: 0,
  withdrawn: 0,
  failed: 0,
  needsAttention: [],
};

/**
 * Counts what the writes of the given batches did. It takes settled batches, not outcomes, because only
 * a batch's outcomes are the step's own writes. @internal
 */
export function countWrites(batches: readonly SettledBatch[]): HoursCounts {
  let created = 0;
  let updated = 0;
  let deleted = 0;
  let withdrawn = 0;
  let failed = 0;
  const needsAttention: HourEntryOutcome[] = [];
  for (const batch of batches) {
    for (const o of batch.outcomes) {
      if (o.status === "created") created++;
      else if (o.status === "updated") updated++;
      else if (o.status === "deleted") deleted++;
      else if (o.status === "withdrawn") withdrawn++;
      else if (o.status === "failed") failed++;
      if (o.attention !== undefined) needsAttention.push(o);
    }
  }
  return { created, updated, deleted, withdrawn, failed, needsAttention };
}
