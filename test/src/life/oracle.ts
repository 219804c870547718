/**
 * The rules, written a second time in the plainest way, as the simulation's oracle: who is in a profile's
 * scope (R2, parents through any child), independent of how core computes it.
 */
import type { SourcePerson, SyncProfile } from "@rostersync/core";

const studentInScope = (p: SourcePerson, profile: SyncProfile): boolean =>
  p.role === "student" &&
  p.status === "enrolled" &&
  profile.schools.includes(p.schoolCode) &&
  p.gradeLevel != null &&
  profile.gradeLevels.includes(p.gradeLevel);

/** The `sourceId`s a profile's scope holds: students by school, grade and enrolment; parents by any in-scope child. */
export function expectedScope(people: readonly SourcePerson[], profile: SyncProfile): Set<string> {
  const scope = new Set<string>();
  const children = new Set(people.filter((p) => studentInScope(p, profile)).map((p) => p.sourceId));
  if (profile.role === "student") return children;
  const relationships = profile.parentSubset?.relationships?.map((r) => r.toLowerCase());
  for (const p of people) {
    if (p.role !== "parent" || p.status !== "enrolled") continue;
    if (!p.studentIds.some((id) => children.has(id))) continue;
    const fits =
      relationships === undefined ||
      relationships.length === 0 ||
      p.families.some((f) => relationships.includes((f.relationship ?? "").toLowerCase()));
    if (fits) scope.add(p.sourceId);
  }
  return scope;
}
