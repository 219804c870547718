/**
 * R10 — safety. A plan is held when it would archive or update too much, when a whole slice of the
 * roster (a school, a grade) disappears, or when the source, the profile's scope or the host's directory
 * shrank sharply since the last successful run (the sign of a truncated read). Applying a held plan needs
 * an acknowledgement of that plan's hash. What trips each hold: docs/safety-holds.md.
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
    sliceShrink: t.sliceShrink ?? DEFAULT_THRESHOLDS.sliceShrink,
  };
}

/**
 * One slice of the profile's people (R10): a school, or for students a grade of a school.
 * @internal
 */
export interface SliceFacts {
  /** As in `LastRun.inScopeSlices`: `school:<code>` or `grade:["<code>","<grade>"]`. */
  readonly key: string;
  /** The profile's own managed accounts (not archived) of people in this slice. */
  readonly managed: number;
  /** How many of those the plan archives. */
  readonly archived: number;
}

/** What {@link holdsFor} looks at. */
export interface SafetyFacts {
  readonly archives: number;
  readonly updates: number;
  /**
   * The profile's own managed accounts: managed, not archived, linked, and not linked to a person of the
   * other role. The base of the archive ratio, compared with `lastRun.managedCount`.
   */
  readonly managedAccounts: number;
  /** Every managed account that is not archived (both roles): the base of the update ratio. */
  readonly allManagedAccounts?: number | undefined;
  readonly sourceCount: number;
  /** People in the profile's scope now: compared with `lastRun.inScopeCount`. */
  readonly inScopeCount?: number | undefined;
  /** The slices of the profile's own managed accounts, with what the plan archives of each. */
  readonly slices?: readonly SliceFacts[] | undefined;
  /** In-scope people per slice now: compared with `lastRun.inScopeSlices`. */
  readonly inScopeSlices?: Readonly<Record<string, number>> | undefined;
  readonly lastRun?: LastRun | null | undefined;
}

const percent = (ratio: number): string => `${Math.round(ratio * 1000) / 10}%`;

/** A slice key as words: `school MAIN`, `grade 05 of school MAIN`. */
export function sliceLabel(key: string): string {
  if (key.startsWith("school:")) return `school ${key.slice("school:".length)}`;
  if (key.startsWith("grade:")) {
    try {
      const [school, grade] = JSON.parse(key.slice("grade:".length)) as [string, string | null];
      return `grade ${grade ?? "(none)"} of school ${school}`;
    } catch {
      return key;
    }
  }
  return key;
}

/** The slice key of a school. */
export const schoolSlice = (schoolCode: string): string => `school:${schoolCode}`;
/** The slice key of a grade of a school (students). */
export const gradeSlice = (schoolCode: string, gradeLevel: string | null): string =>
  `grade:${JSON.stringify([schoolCode, gradeLevel])}`;

interface SliceLoss {
  readonly key: string;
  readonly lost: number;
  readonly of: number;
  readonly share: number;
  readonly how: "archived" | "gone";
}

/**
 * The slices that lose more than `sliceShrink` (and more than `archiveMin` people): archived of their own
 * managed accounts by this plan, or gone from their in-scope people since the last run. A grade inside a
 * school that is lost as a whole is not repeated.
 */
function lostSlices(facts: SafetyFacts, thresholds: Thresholds): SliceLoss[] {
  const losses = new Map<string, SliceLoss>();
  const consider = (loss: SliceLoss): void => {
    if (loss.lost <= thresholds.archiveMin || loss.share <= thresholds.sliceShrink) return;
    const seen = losses.get(loss.key);
    if (seen === undefined || seen.share < loss.share) losses.set(loss.key, loss);
  };
  for (const slice of facts.slices ?? []) {
    if (slice.managed > 0) {
      const share = slice.archived / slice.managed;
      consider({ key: slice.key, lost: slice.archived, of: slice.managed, share, how: "archived" });
    }
  }
  const before = facts.lastRun?.inScopeSlices;
  if (before !== undefined && before !== null) {
    const now = facts.inScopeSlices ?? {};
    for (const key of Object.keys(before)) {
      const then = before[key] as number;
      const left = Object.hasOwn(now, key) ? (now[key] as number) : 0;
      if (then > 0 && left < then) {
        consider({ key, lost: then - left, of: then, share: (then - left) / then, how: "gone" });
      }
    }
  }
  const lostSchools = new Set<string>();
  for (const key of losses.keys()) if (key.startsWith("school:")) lostSchools.add(key.slice("school:".length));
  const result: SliceLoss[] = [];
  for (const loss of losses.values()) {
    if (loss.key.startsWith("grade:")) {
      try {
        const [school] = JSON.parse(loss.key.slice("grade:".length)) as [string];
        if (lostSchools.has(school)) continue;
      } catch {
        // not a key this module made: keep it
      }
    }
    result.push(loss);
  }
  return result.sort((x, y) => y.share - x.share || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

/**
 * The holds a plan needs (R10), as docs/safety-holds.md lists them:
 * - `archive-threshold`: archives exceed both `archiveRatio` of the profile's own managed accounts and
 *   `archiveMin`;
 * - `update-threshold`: updates exceed `updateRatio` of the managed accounts;
 * - `source-shrink`: the source, or the people in the profile's scope, shrank by more than `sourceShrink`
 *   against the last successful run;
 * - `slice-shrink`: a school, or a grade of a school (students), loses more than `sliceShrink` of its
 *   people (archived by the plan, or gone from the scope since the last run) and more than `archiveMin`;
 * - `directory-shrink`: the host lists more than `sourceShrink` (and more than `archiveMin`) fewer of the
 *   profile's own managed accounts than the last successful run left (a truncated host read).
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
  const allManaged = facts.allManagedAccounts ?? managed;
  const updateLimit = thresholds.updateRatio * allManaged;
  if (allManaged > 0 && facts.updates > updateLimit) {
    holds.push({
      type: "update-threshold",
      message: `The plan updates ${facts.updates} of ${allManaged} managed accounts (more than ${percent(thresholds.updateRatio)}).`,
      observed: facts.updates,
      limit: updateLimit,
    });
  }
  const lastRun = facts.lastRun ?? null;
  const before = lastRun?.sourceCount ?? 0;
  const shrink = before > 0 ? (before - facts.sourceCount) / before : 0;
  const scopeBefore = lastRun?.inScopeCount ?? 0;
  const scopeNow = facts.inScopeCount;
  const scopeShrink = scopeBefore > 0 && scopeNow !== undefined ? (scopeBefore - scopeNow) / scopeBefore : 0;
  if (shrink > thresholds.sourceShrink) {
    holds.push({
      type: "source-shrink",
      message: `The source returned ${facts.sourceCount} people, ${percent(shrink)} fewer than the ${before} of the last successful run: was the read cut short?`,
      observed: shrink,
      limit: thresholds.sourceShrink,
    });
  } else if (scopeShrink > thresholds.sourceShrink) {
    holds.push({
      type: "source-shrink",
      message: `The source returned ${scopeNow} people in this profile's scope, ${percent(scopeShrink)} fewer than the ${scopeBefore} of the last successful run: was the read cut short?`,
      observed: scopeShrink,
      limit: thresholds.sourceShrink,
    });
  }
  const slices = lostSlices(facts, thresholds);
  if (slices.length > 0) {
    const shown = slices
      .slice(0, 5)
      .map((s) =>
        s.how === "archived"
          ? `${sliceLabel(s.key)}: ${s.lost} of ${s.of} managed accounts archived`
          : `${sliceLabel(s.key)}: ${s.of - s.lost} people in scope, ${s.of} at the last successful run`,
      );
    const more = slices.length > 5 ? ` and ${slices.length - 5} more` : "";
    holds.push({
      type: "slice-shrink",
      message: `A whole slice of the roster disappears (${shown.join("; ")}${more}): was a grade or a school dropped from the read or from the setup?`,
      observed: (slices[0] as SliceLoss).share,
      limit: thresholds.sliceShrink,
    });
  }
  const listedBefore = lastRun?.managedCount;
  if (listedBefore !== undefined && listedBefore > 0) {
    const missing = listedBefore - managed;
    const ratio = missing / listedBefore;
    if (missing > thresholds.archiveMin && ratio > thresholds.sourceShrink) {
      holds.push({
        type: "directory-shrink",
        message: `The host listed ${managed} managed accounts of this profile, ${percent(ratio)} fewer than the ${listedBefore} the last successful run left: was the host's read cut short?`,
        observed: ratio,
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
