/**
 * Realistic reports for the tests: a generated school reviewed in its first year (some duplicates resolved,
 * a few people unselected, everyone marked reviewed), then the next school year reviewed again, so that the
 * report has every kind of row: new and reviewed people, family-context parents, red and gray flags,
 * missing and invalid emails, skipped and out-of-scope people, and new errors next to known ones. One new
 * person is hostile: markup in the name and a `</script>` breakout in the email.
 */

import {
  decisionsBuilder,
  EMPTY_DECISIONS,
  type PlanInput,
  type ReviewReport,
  type Role,
  review,
  type SourcePerson,
  type SyncProfile,
} from "@rostersync/core";
import { type GeneratedSchool, generatedProfile, generateSchool, nextSchoolYear } from "@rostersync/core/testing";

/** The hostile person's fields; each would run script if it reached the page unescaped. */
export const HOSTILE = {
  sourceId: "999001",
  firstName: "<script>window.__pwned = 'name'</script>",
  lastName: `<img src=x onerror="window.__pwned = 'img'">`,
  // Invalid (no single @), so the person is excluded and this string lands in the embedded error report.
  email: "</script><script>window.__pwned = 'csv'</script><!--",
} as const;

/** The input of a generated school's first review under `profile`: no decisions yet, no run before. */
export function firstInput(school: GeneratedSchool, profile: SyncProfile): PlanInput {
  const { people, accounts } = school;
  return { people, accounts, profile, decisions: EMPTY_DECISIONS, lastRun: null };
}

/** A second-year review of a generated school for one role, with {@link HOSTILE} joining an existing family. */
export function secondYearReport(role: Role, people = 400, seed = 11): ReviewReport {
  const school = generateSchool({ seed, people, sharedEmailRate: 0.08 });
  const profile = generatedProfile(school, role);
  const first = review(firstInput(school, profile));
  let builder = decisionsBuilder(EMPTY_DECISIONS, first);
  // Resolve every other duplicate group: next year those members are gray, the rest still red.
  first.duplicateGroups.forEach((group, i) => {
    if (i % 2 === 0) builder = builder.resolveDuplicate(group.email, group.members[0] as string);
  });
  const unselected = first.rows
    .filter((r) => r.status === "importable")
    .slice(0, 5)
    .map((r) => r.sourceId);
  const decisions = builder.unselect(unselected).recordDefaults().markReviewed().done();

  const next = nextSchoolYear(school, { seed: seed + 1 });
  // Join the family of the first enrolled parent who has a child still enrolled next year, so that a
  // parents' review shows that family's reviewed parents as family-context rows (R5).
  const enrolled = new Set(
    next.people.filter((p) => p.role === "student" && p.status === "enrolled").map((p) => p.sourceId),
  );
  const host = next.people.find(
    (p) => p.role === "parent" && p.status === "enrolled" && p.studentIds.some((id) => enrolled.has(id)),
  ) as SourcePerson;
  const family = host.families[0]?.familyId as string;
  const hostile: SourcePerson = {
    sourceId: HOSTILE.sourceId,
    role,
    firstName: HOSTILE.firstName,
    lastName: HOSTILE.lastName,
    email: HOSTILE.email,
    schoolCode: host.schoolCode,
    gradeLevel: role === "student" ? "03" : null,
    status: "enrolled",
    families:
      role === "parent" ? [{ familyId: family, relationship: "Guardian", parentOrder: 9 }] : [{ familyId: family }],
    studentIds: role === "parent" ? host.studentIds.filter((id) => enrolled.has(id)) : [],
    fields: {},
  };
  return review({
    people: [...next.people, hostile],
    accounts: next.accounts,
    profile,
    decisions,
    lastRun: { sourceCount: school.people.length, errorFingerprints: first.errorFingerprints },
  });
}
