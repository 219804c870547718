/**
 * R9 — families. A parent account's family group is the school's override for the family, else the
 * SIS family id; a parent in several families takes the override of the first family that has one,
 * else the smallest family id.
 *
 * @module
 */

import type { SourcePerson, SyncProfile } from "./types.js";

/**
 * The `familyGroupId` a parent's account should carry (R9), or `undefined` for a person without a
 * family (and for students, whose accounts carry none).
 *
 * @example
 * ```ts
 * familyGroupId(parent, { ...profile, familyOverrides: { F12: "smith-family" } }) // "smith-family"
 * ```
 */
export function familyGroupId(person: SourcePerson, profile: SyncProfile): string | undefined {
  if (person.role !== "parent") return undefined;
  const families = person.families;
  if (families.length === 0) return undefined;
  const overrides = profile.familyOverrides;
  let smallest = (families[0] as (typeof families)[number]).familyId;
  for (const link of families) {
    if (overrides !== undefined) {
      const override = overrides[link.familyId];
      if (typeof override === "string") return override;
    }
    if (link.familyId < smallest) smallest = link.familyId;
  }
  return smallest;
}
