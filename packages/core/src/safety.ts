/**
 * R10 — safety. A plan is held when it would archive or update too much, or when the source shrank
 * sharply since the last successful run (the sign of a truncated fetch). Applying a held plan needs an
 * acknowledgement of that plan's hash.
 *
 * @module
 */

import type { Decisions, Hold, LastRun, SyncPlan, SyncProfile, Thresholds } from "./types.js";
import { DEFAULT_THRESHOLDS } from "./types.js";

/** The profile's thresholds, with {@link DEFAULT_THRESHOLDS} for the missing ones. */
export function thresholdsOf(profile: SyncProfile): Thresholds {
  const t = profile.thresholds ?? {};
  return {
    archiveRatio: t.archiveRatio ?? DEFAULT_THRESHOLDS.archiveRatio,
    archiveMin: t.archiveMin ?? DEFAULT_THRESHOLDS.archiveMin,
    updateRatio: t.updateRatio ?? DEFAULT_THRESHOLDS.updateRatio,
    sourceShrink: t.sourceShrink ?? DEFAULT_THRESHOLDS.sourceShrink,
  };
}

/** What {@link holdsFor} looks at. */
export interface SafetyFacts {
  readonly archives: number;
  readonly updates: number;
  /** Managed accounts that are not archived: the base of the ratios. */
  readonly managedAccounts: number;
  readonly sourceCount: number;
  readonly lastRun?: LastRun | null | undefined;
}

const percent = (ratio: number): string => `${Math.round(ratio * 1000) / 10}%`;

/**
 * The holds a plan needs (R10). Archives hold when they exceed both the ratio of managed accounts and
 * the absolute minimum; updates when they exceed their ratio of managed accounts; the source when it
 * shrank by more than its ratio against the last successful run.
 *
 * @example
 * ```ts
 * holdsFor({ archives: 40, updates: 0, managedAccounts: 100, sourceCount: 100 }, DEFAULT_THRESHOLDS)
 * // [{ type: "archive-threshold", observed: 40, limit: 10, … }]
 * ```
 */
export function holdsFor(facts: SafetyFacts, thresholds: Thresholds): Hold[] {
  const holds: Hold[] = [];
  const managed = facts.managedAccounts;
  const archiveLimit = Math.max(thresholds.archiveRatio * managed, thresholds.archiveMin);
  if (facts.archives > archiveLimit) {
    holds.push({
      type: "archive-threshold",
      message: `The plan archives ${facts.archives} of ${managed} managed accounts (more than ${percent(thresholds.archiveRatio)} and more than ${thresholds.archiveMin}).`,
      observed: facts.archives,
      limit: archiveLimit,
    });
  }
  const updateLimit = thresholds.updateRatio * managed;
  if (managed > 0 && facts.updates > updateLimit) {
    holds.push({
      type: "update-threshold",
      message: `The plan updates ${facts.updates} of ${managed} managed accounts (more than ${percent(thresholds.updateRatio)}).`,
      observed: facts.updates,
      limit: updateLimit,
    });
  }
  const before = facts.lastRun?.sourceCount ?? 0;
  if (before > 0) {
    const shrink = (before - facts.sourceCount) / before;
    if (shrink > thresholds.sourceShrink) {
      holds.push({
        type: "source-shrink",
        message: `The source returned ${facts.sourceCount} people, ${percent(shrink)} fewer than the ${before} of the last successful run: was the read cut short?`,
        observed: shrink,
        limit: thresholds.sourceShrink,
      });
    }
  }
  return holds;
}

/**
 * Whether a plan may not be applied yet (R10): it has holds and the admin has not acknowledged its hash.
 *
 * @example
 * ```ts
 * if (isHeld(plan, decisions)) decisions = acknowledgeHold(decisions, plan.planHash);
 * ```
 */
export function isHeld(plan: SyncPlan, decisions: Decisions): boolean {
  return plan.holds.length > 0 && !decisions.acknowledgedHolds.includes(plan.planHash);
}
