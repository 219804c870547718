/**
 * R4 — selections. The admin's choice per person; newly seen people get the profile's default. A
 * skipped person stays skipped until selected again. Skips are choices, exclusions are data errors.
 *
 * @module
 */

import type { Decisions, SyncProfile } from "./types.js";

/**
 * The effective selection of a person (R4): the recorded decision, else the profile's default.
 *
 * @example
 * ```ts
 * isSelected("1042", decisions, profile) // true unless the admin unselected 1042
 * ```
 */
export function isSelected(sourceId: string, decisions: Decisions, profile: SyncProfile): boolean {
  // `typeof` rather than `in`: ids such as "constructor" must not read the prototype.
  const choice = decisions.selections[sourceId];
  return typeof choice === "boolean" ? choice : profile.defaultSelection;
}
