/**
 * R3 — duplicates. In-scope people who share a normalised email form a group. Unresolved: everyone is
 * excluded (red). Resolved: the chosen one is importable, the others excluded (gray). A resolution made
 * for another member set is stale: red again, a new error.
 *
 * @module
 */

import type { DuplicateResolution } from "./types.js";

/** Where a duplicate group stands against the admin's decision. */
export type ResolutionState = "unresolved" | "resolved" | "stale";

/**
 * Judge a group's resolution (R3). `members` must be sorted. A resolution is only good for the exact
 * member set it was made for, and only when it chose one of them.
 *
 * @example
 * ```ts
 * resolutionState({ chosen: "2", members: ["1", "2"] }, ["1", "2", "3"]) // "stale"
 * ```
 */
export function resolutionState(
  resolution: DuplicateResolution | undefined,
  members: readonly string[],
): ResolutionState {
  if (resolution === undefined || typeof resolution !== "object") return "unresolved";
  const made = resolution.members;
  if (made.length !== members.length) return "stale";
  // Decisions may come back from storage unsorted; compare as sets.
  const sortedMade = isSorted(made) ? made : [...made].sort();
  for (let i = 0; i < members.length; i++) if (sortedMade[i] !== members[i]) return "stale";
  return members.includes(resolution.chosen) ? "resolved" : "stale";
}

function isSorted(ids: readonly string[]): boolean {
  for (let i = 1; i < ids.length; i++) if ((ids[i - 1] as string) > (ids[i] as string)) return false;
  return true;
}

/** The error fingerprint of a red duplicate group (R5): reason, email and members. */
export function duplicateFingerprint(email: string, members: readonly string[], stale: boolean): string {
  // A stale group gets its own fingerprint so that it is new even if this member set was seen before.
  return `${stale ? "duplicate-stale" : "duplicate-unresolved"}:${email}:${members.join(",")}`;
}
