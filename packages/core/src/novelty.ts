/**
 * R5 — New?. A person is new when their `sourceId` was never reviewed; a reviewed parent sharing a
 * family with a new parent is shown as family context; an error is new when its fingerprint was not in
 * the last reviewed report.
 *
 * @module
 */

import type { Decisions, LastRun, Reason } from "./types.js";

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
