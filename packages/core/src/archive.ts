/**
 * R7 — archive. A managed account whose person is out of scope or gone from the source is archived
 * (softly: restorable with its history). Unmanaged accounts are never archived; skipped people's and
 * excluded linked people's accounts are skipped instead (an error must never remove anyone).
 *
 * @module
 */

import type { Account, Reason, ReviewStatus } from "./types.js";

/**
 * Why a linked account should be archived (R7), or `null` to leave it. `personStatus` is the review
 * status of the person it is linked to, or `null` when that person is gone from the source; `scopeReason`
 * is why they are out of scope. People of the other role are never archived by this profile: a school
 * runs a students profile and a parents profile side by side.
 *
 * @example
 * ```ts
 * archiveReason(account, null) // "gone-from-source" (when managed and not yet archived)
 * archiveReason(account, "skipped") // null: a skip never archives
 * ```
 */
export function archiveReason(
  account: Account,
  personStatus: ReviewStatus | null,
  scopeReason: Reason | null = null,
): Reason | null {
  if (!account.managed || account.archived || account.sourceId === undefined) return null;
  if (personStatus === null) return "gone-from-source";
  // A person of the other role belongs to the school's other profile: this profile leaves them alone.
  if (personStatus === "out-of-scope" && scopeReason !== "wrong-role") return "out-of-scope";
  return null;
}
