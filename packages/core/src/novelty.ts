/**
 * R5 — New?. A person is new when their `sourceId` was never reviewed; a reviewed parent sharing a
 * family with a new parent is shown as family context; an error is new when its fingerprint was not in
 * the last reviewed report.
 *
 * @module
 */

import type { Decisions, LastRun, Reason, ReviewReport } from "./types.js";

/**
 * The fingerprint of a person's data error (R5): the reason and the ids involved. The same error on a
 * later sync has the same fingerprint, so "only new errors" can hide what the admin has already seen.
 *
 * @example
 * ```ts
 * errorFingerprint("missing-email", ["1042"]) // "missing-email:1042"
 * ```
 */
export function errorFingerprint(reason: Reason, ids: readonly string[]): string {
  return `${reason}:${ids.join(",")}`;
}

/** The error fingerprints already seen: the last run's and those the admin marked reviewed (R5). */
export function knownErrors(lastRun: LastRun | null | undefined, decisions: Decisions): Set<string> {
  const known = new Set<string>(lastRun?.errorFingerprints ?? []);
  for (const f of decisions.reviewedErrors ?? []) known.add(f);
  return known;
}

/**
 * The families that have a new parent in them (R5); reviewed parents of these families are shown as
 * family-context rows. `parents` yields each in-scope parent's family ids and whether they are new.
 */
export function familiesWithNewParents(
  parents: Iterable<{ familyIds: readonly string[]; isNew: boolean }>,
): Set<string> {
  const families = new Set<string>();
  for (const p of parents) if (p.isNew) for (const id of p.familyIds) families.add(id);
  return families;
}

/**
 * What an admin's review of a report records (R4, R5), kept apart from the decisions so that an apply can
 * store it with its run and record it when the run completes (see {@link recordSeen}).
 */
export interface SeenInReview {
  /** People the admin saw in scope: no longer New? (out-of-scope rows never count). */
  readonly reviewed: readonly string[];
  /** The selection new in-scope people got from the profile's default, for those with no decision yet (R4). */
  readonly selections: Readonly<Record<string, boolean>>;
  /** Every error fingerprint of the report: no longer new errors. */
  readonly errors: readonly string[];
  /** People seen in scope with a data error: if it is gone next time, they are marked fixed. */
  readonly withErrors: readonly string[];
}

/**
 * What reviewing `report` records (R5): the people seen **in scope** (a student in a grade the profile does
 * not sync, a Pre-Enrolled one, or a parent with no child in scope was not seen, and is New? when they
 * enter the scope), the default selections of new in-scope people, the errors and who had one.
 *
 * @example
 * ```ts
 * const seen = seenInReview(report, decisions);
 * decisions = recordSeen(decisions, seen); // what markReviewed + recordDefaults do
 * ```
 */
export function seenInReview(report: ReviewReport, decisions: Decisions): SeenInReview {
  const reviewed: string[] = [];
  const withErrors: string[] = [];
  // Null prototype: a person whose id is `__proto__` is recorded like anyone else.
  const selections = Object.create(null) as Record<string, boolean>;
  for (const row of report.rows) {
    if (row.status === "out-of-scope") continue;
    reviewed.push(row.sourceId);
    if (row.status === "excluded") withErrors.push(row.sourceId);
    if (row.isNew && typeof decisions.selections[row.sourceId] !== "boolean") selections[row.sourceId] = row.selected;
  }
  return { reviewed, selections, errors: report.errorFingerprints, withErrors };
}

/**
 * Record a review in the decisions (R4, R5): add the people and errors seen, replace who had an error,
 * and keep new people's default selections (a decision made meanwhile wins). `selections: false` leaves
 * the selections alone (that is `markReviewed`; `recordDefaults` records them).
 */
export function recordSeen(
  decisions: Decisions,
  seen: SeenInReview,
  options: { selections?: boolean } = {},
): Decisions {
  const reviewed = new Set(decisions.reviewed);
  for (const id of seen.reviewed) reviewed.add(id);
  const errors = new Set(decisions.reviewedErrors ?? []);
  for (const f of seen.errors) errors.add(f);
  return {
    ...decisions,
    ...(options.selections === false ? {} : { selections: { ...seen.selections, ...decisions.selections } }),
    reviewed: [...reviewed].sort(),
    reviewedErrors: [...errors].sort(),
    reviewedWithErrors: [...seen.withErrors].sort(),
  };
}
