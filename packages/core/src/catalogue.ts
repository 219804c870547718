/**
 * The setup catalogue (what a school's SIS offers: schools, grades, user types, fields) and the check of a
 * profile against it. A profile naming a school code the SIS does not have syncs nobody; the check says so
 * before anything is saved, listing every problem at once (see `docs/concepts.md`).
 *
 * @module
 */

import type { RosterSnapshot, SourceCatalogue, SourceField } from "./ports/roster-source.js";
import type { Role, SourcePerson, SyncProfile } from "./types.js";
import { EMPTY_DECISIONS, ROLES } from "./types.js";
import { checkSettings, type InputProblem } from "./validate.js";

/** Attributes every person carries outside `fields`, usable as a `FieldMapping.source` (see `sourceValue`). */
export const BUILTIN_SOURCE_FIELDS: readonly SourceField[] = Object.freeze([
  { source: "schoolCode", label: "School", kind: "builtin", roles: ["student", "parent"] },
  { source: "gradeLevel", label: "Grade level", kind: "builtin", roles: ["student"] },
  { source: "birthDate", label: "Birth date", kind: "builtin", roles: ["student", "parent"] },
] satisfies SourceField[]);

const ROLE_LABEL: Readonly<Record<Role, string>> = { student: "Students", parent: "Parents" };

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A catalogue made from a snapshot already in memory (the memory source uses it; a source that can only
 * read everything can too). Schools and grades the snapshot lists come first; codes only people carry are
 * added after them, so a profile naming them is not refused. Fields are the keys people carry, by role.
 *
 * @example
 * ```ts
 * const catalogue = catalogueFromSnapshot(snapshot);
 * catalogue.schools.map((s) => s.schoolCode); // ["MAIN"]
 * ```
 */
export function catalogueFromSnapshot(snapshot: RosterSnapshot): SourceCatalogue {
  const schools = [...snapshot.schools];
  const schoolCodes = new Set(schools.map((s) => s.schoolCode));
  const gradeLevels = [...snapshot.gradeLevels].sort((a, b) => a.sortOrder - b.sortOrder);
  const gradeCodes = new Set(gradeLevels.map((g) => g.code));
  const extraSchools = new Set<string>();
  const extraGrades = new Set<string>();
  const counts: Record<Role, number> = { student: 0, parent: 0 };
  const keys = new Map<string, Set<Role>>();
  for (const p of snapshot.people as readonly SourcePerson[]) {
    counts[p.role] += 1;
    if (p.schoolCode !== "" && !schoolCodes.has(p.schoolCode)) extraSchools.add(p.schoolCode);
    if (p.role === "student" && typeof p.gradeLevel === "string" && !gradeCodes.has(p.gradeLevel)) {
      extraGrades.add(p.gradeLevel);
    }
    for (const key in p.fields) {
      let roles = keys.get(key);
      if (roles === undefined) {
        roles = new Set();
        keys.set(key, roles);
      }
      roles.add(p.role);
    }
  }
  // People add to a list the snapshot gives; a snapshot that lists no schools (or grades) gets none here,
  // since a list read off this year's people would call valid codes unknown (an empty grade, a new school).
  if (schools.length > 0) {
    for (const code of [...extraSchools].sort(byCode)) schools.push({ schoolCode: code, name: code, active: true });
  }
  let order = gradeLevels.reduce((max, g) => Math.max(max, g.sortOrder), 0);
  for (const code of gradeLevels.length > 0 ? [...extraGrades].sort(byCode) : []) {
    order += 1;
    gradeLevels.push({ code, name: code, sortOrder: order, final: false });
  }
  const fields: SourceField[] = [...BUILTIN_SOURCE_FIELDS];
  const udfs: SourceField[] = [];
  for (const key of [...keys.keys()].sort(byCode)) {
    const roles = ROLES.filter((r) => keys.get(key)?.has(r));
    const udf = key.startsWith("udf:") || key.startsWith("family:");
    const label = udf ? key.slice(key.indexOf(":") + 1) : key;
    (udf ? udfs : fields).push({ source: key, label, kind: udf ? "udf" : "builtin", roles });
  }
  return {
    schools,
    gradeLevels,
    userTypes: ROLES.map((role) => ({ role, label: ROLE_LABEL[role], count: counts[role] })),
    fields: [...fields, ...udfs],
  };
}

const list = (codes: readonly string[], max = 12): string =>
  codes.length === 0
    ? "none"
    : codes.length > max
      ? `${codes.slice(0, max).join(", ")} and ${codes.length - max} more`
      : codes.join(", ");

/**
 * Every problem of a profile, at once: its shape (as `review` and `plan` check it), then, with a catalogue,
 * what the SIS does not have — an unknown school or grade code, a field source no person of the profile's
 * role carries — and choices that cannot apply (a parents subset on a students profile). An empty school list is allowed (a
 * paused setup syncs nobody, knowingly).
 * An empty list means the profile can be saved.
 *
 * @example
 * ```ts
 * const problems = checkProfile({ ...profile, schools: ["HS"] }, catalogue);
 * // [{ record: "profile", path: "profile.schools[0]", message: 'School "HS" is not in the SIS, which has MAIN (Main Campus)' }]
 * ```
 */
export function checkProfile(profile: SyncProfile, catalogue?: SourceCatalogue | undefined): InputProblem[] {
  const problems: InputProblem[] = [];
  checkSettings({ people: [], accounts: [], profile, decisions: EMPTY_DECISIONS }, problems);
  if (problems.length > 0) return problems;
  const at = (path: string, message: string) => problems.push({ record: "profile", path, message });

  if (profile.role === "student" && profile.parentSubset !== undefined && profile.parentSubset !== null) {
    const subset = profile.parentSubset;
    if ((subset.relationships?.length ?? 0) > 0 || subset.listedFirstOnly === true) {
      at("profile.parentSubset", "A parents subset applies to a parents profile; this profile rosters students");
    }
  }
  if (catalogue === undefined) return problems;

  const schools = new Map(catalogue.schools.map((s) => [s.schoolCode, s]));
  const known = catalogue.schools.map((s) =>
    s.name && s.name !== s.schoolCode ? `${s.schoolCode} (${s.name})` : s.schoolCode,
  );
  // A source that lists no schools (or no grades) at all, like an in-memory roster built without them,
  // cannot say a code is wrong: those codes are checked only against a list that has entries.
  profile.schools.forEach((code, i) => {
    if (schools.size > 0 && !schools.has(code)) {
      at(`profile.schools[${i}]`, `School "${code}" is not in the SIS, which has ${list(known)}`);
    }
  });
  const grades = new Set(catalogue.gradeLevels.map((g) => g.code));
  profile.gradeLevels.forEach((code, i) => {
    if (grades.size > 0 && !grades.has(code)) {
      at(
        `profile.gradeLevels[${i}]`,
        `Grade level "${code}" is not in the SIS, which has ${list(
          catalogue.gradeLevels.map((g) => g.code),
          20,
        )}`,
      );
    }
  });
  const fields = new Map(catalogue.fields.map((f) => [f.source, f]));
  profile.fieldMap.forEach((m, i) => {
    const field = fields.get(m.source);
    if (field === undefined) {
      at(`profile.fieldMap[${i}].source`, `Field "${m.source}" does not exist in the SIS`);
    } else if (field.roles.length === 0) {
      at(
        `profile.fieldMap[${i}].source`,
        `Field "${field.label}" belongs to the ${field.groupType ?? "unknown"} group, which a sync does not read`,
      );
    } else if (!field.roles.includes(profile.role)) {
      at(
        `profile.fieldMap[${i}].source`,
        `Field "${m.source}" belongs to ${field.roles.map((r) => `${r}s`).join(" and ")}, not to the ${profile.role}s this profile rosters`,
      );
    }
  });
  return problems;
}
