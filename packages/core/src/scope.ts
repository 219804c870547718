/**
 * R2 — scope: who a profile is about. Students: role, school, enrolled, grade. Parents: role, enrolled,
 * at least one in-scope child (that child's school, grade and enrolment decide, never the parent's own
 * school code), and the parent subset (relationships, first-listed only).
 *
 * @module
 */

import type { Reason, SourcePerson, SyncProfile } from "./types.js";

/** A profile's scope, compiled once into sets for fast checks. */
export interface ScopeRules {
  readonly role: SourcePerson["role"];
  readonly schools: ReadonlySet<string>;
  readonly gradeLevels: ReadonlySet<string>;
  /** Lowercased relationships to keep; `null` keeps every relationship. */
  readonly relationships: ReadonlySet<string> | null;
  readonly listedFirstOnly: boolean;
}

/** Compile a profile's scope (R2). */
export function scopeRules(profile: SyncProfile): ScopeRules {
  const relationships = profile.parentSubset?.relationships;
  return {
    role: profile.role,
    schools: new Set(profile.schools),
    gradeLevels: new Set(profile.gradeLevels),
    relationships:
      relationships && relationships.length > 0 ? new Set(relationships.map((r) => r.trim().toLowerCase())) : null,
    listedFirstOnly: profile.parentSubset?.listedFirstOnly === true,
  };
}

/**
 * Why a student is outside the student scope (school, enrolment, grade), or `null` when in scope.
 * Parents profiles use it too: a parent needs at least one child for whom it answers `null` (R2).
 */
export function studentScopeReason(person: SourcePerson, rules: ScopeRules): Reason | null {
  if (person.role !== "student") return "wrong-role";
  if (!rules.schools.has(person.schoolCode)) return "school-not-selected";
  if (person.status !== "enrolled") return "not-enrolled";
  if (person.gradeLevel == null || !rules.gradeLevels.has(person.gradeLevel)) return "grade-not-selected";
  return null;
}

/**
 * Which parent of each family is listed first: the one flagged `listedFirst`, else the lowest
 * `parentOrder` (ties and missing orders broken by the smaller `sourceId`). Family id → sourceId.
 */
export function firstListedParents(people: readonly SourcePerson[]): Map<string, string> {
  const flagged = new Map<string, string>();
  const byOrder = new Map<string, { order: number; sourceId: string }>();
  for (const p of people) {
    if (p.role !== "parent") continue;
    for (const link of p.families) {
      if (link.listedFirst === true) {
        const known = flagged.get(link.familyId);
        if (known === undefined || p.sourceId < known) flagged.set(link.familyId, p.sourceId);
      }
      const order = link.parentOrder ?? Number.POSITIVE_INFINITY;
      const best = byOrder.get(link.familyId);
      if (best === undefined || order < best.order || (order === best.order && p.sourceId < best.sourceId)) {
        byOrder.set(link.familyId, { order, sourceId: p.sourceId });
      }
    }
  }
  const first = new Map<string, string>();
  for (const [familyId, best] of byOrder) first.set(familyId, flagged.get(familyId) ?? best.sourceId);
  return first;
}

/**
 * Why a person is out of the profile's scope (R2), or `null` when in scope. `childInScope` answers
 * whether a child's `sourceId` is an in-scope student; `firstListed` comes from {@link firstListedParents}
 * and is only read when the profile keeps first-listed parents only.
 *
 * @example
 * ```ts
 * const rules = scopeRules(profile);
 * scopeReason(person, rules, () => true, new Map()) // null, "not-enrolled", "grade-not-selected"…
 * ```
 */
export function scopeReason(
  person: SourcePerson,
  rules: ScopeRules,
  childInScope: (sourceId: string) => boolean,
  firstListed: ReadonlyMap<string, string>,
): Reason | null {
  if (person.role !== rules.role) return "wrong-role";
  if (person.role === "student") return studentScopeReason(person, rules);
  // A parent's own school code is one child's school (a family can span divisions): scope is decided
  // per child, so the parent of an HS 10th grader with a younger sibling at the MS is an HS parent too.
  if (person.status !== "enrolled") return "not-enrolled";
  if (scopeChildOf(person, childInScope) === null) return "no-child-in-scope";
  if (rules.relationships === null && !rules.listedFirstOnly) return null;
  // The subset rule holds per family: one family where the relationship fits (and, when asked, where
  // this parent is listed first) is enough.
  let relationshipFits = false;
  for (const link of person.families) {
    const fits =
      rules.relationships === null || rules.relationships.has((link.relationship ?? "").trim().toLowerCase());
    if (!fits) continue;
    relationshipFits = true;
    if (!rules.listedFirstOnly || firstListed.get(link.familyId) === person.sourceId) return null;
  }
  return relationshipFits ? "not-listed-first" : "relationship-not-selected";
}

/**
 * The child that puts a parent in scope (R2): the first of `person.studentIds` for whom `childInScope`
 * answers true, or `null` when none does. The review shows it on the parent's row.
 *
 * @example
 * ```ts
 * scopeChildOf(parent, (id) => id === "20") // "20"
 * ```
 */
export function scopeChildOf(person: SourcePerson, childInScope: (sourceId: string) => boolean): string | null {
  for (const id of person.studentIds) if (childInScope(id)) return id;
  return null;
}
