/**
 * R8 — updates. Only mapped fields are compared and written (plus the built-ins: email, names and, for
 * parents, the family group). A mapped target that does not exist yet is created first; target fields
 * nothing maps are asked of new users at first sign-in.
 *
 * @module
 */

import type {
  Account,
  FieldChange,
  FieldMapping,
  NewAccount,
  SourcePerson,
  SyncProfile,
  TargetField,
} from "./types.js";

const NO_CHANGES: readonly FieldChange[] = Object.freeze([]);

/**
 * The built-in person attributes a {@link FieldMapping} may name as its `source` besides the keys of
 * {@link SourcePerson.fields}, so that a school can map "Grade" without the source copying it into `fields`.
 */
export const MAPPABLE_ATTRIBUTES = ["gradeLevel", "schoolCode", "birthDate"] as const;

/** One of {@link MAPPABLE_ATTRIBUTES}. */
export type MappableAttribute = (typeof MAPPABLE_ATTRIBUTES)[number];

/**
 * The value a mapping reads from a person: `fields[source]` when the source has that field, else the
 * built-in attribute of that name ({@link MAPPABLE_ATTRIBUTES}), else `null`.
 *
 * @example
 * ```ts
 * sourceValue(person, "gradeLevel") // "08", from person.gradeLevel
 * sourceValue(person, "House")      // a UDF from person.fields
 * ```
 */
export function sourceValue(person: SourcePerson, source: string): string | null {
  // Only an own string or null: `fields.constructor` of a plain object is a function, not a field.
  const value = person.fields[source];
  if (typeof value === "string" || value === null) return value;
  switch (source) {
    case "gradeLevel":
      return person.gradeLevel ?? null;
    case "schoolCode":
      return person.schoolCode;
    case "birthDate":
      return person.birthDate ?? null;
    default:
      return null;
  }
}

/** `list` with `change` appended; the list is made on the first change. */
function withChange(list: FieldChange[] | null, change: FieldChange): FieldChange[] {
  if (list === null) return [change];
  list.push(change);
  return list;
}

/**
 * What must be written to `account` so that it matches the person (R8): mapped fields, names, the
 * normalised email when it differs after normalisation, and the parent's family group (R9). Returns a
 * shared empty list when nothing changed.
 *
 * @example
 * ```ts
 * fieldChanges(person, account, profile.fieldMap, "ann@school.org", undefined)
 * // [{ field: "Homeroom", from: "7A", to: "8A" }]
 * ```
 */
export function fieldChanges(
  person: SourcePerson,
  account: Account,
  fieldMap: readonly FieldMapping[],
  email: string,
  groupId: string | undefined,
  accountEmail: string,
): readonly FieldChange[] {
  // Allocated on the first change: most linked accounts are already up to date.
  let changes: FieldChange[] | null = null;
  if (accountEmail !== email) changes = withChange(changes, { field: "email", from: account.email, to: email });
  const first = account.firstName ?? null;
  if (first !== person.firstName)
    changes = withChange(changes, { field: "firstName", from: first, to: person.firstName });
  const last = account.lastName ?? null;
  if (last !== person.lastName) changes = withChange(changes, { field: "lastName", from: last, to: person.lastName });
  if (groupId !== undefined && account.familyGroupId !== groupId) {
    changes = withChange(changes, { field: "familyGroupId", from: account.familyGroupId ?? null, to: groupId });
  }
  const target = account.fields;
  for (let m = 0; m < fieldMap.length; m++) {
    const mapping = fieldMap[m] as FieldMapping;
    const to = sourceValue(person, mapping.source);
    const current = target[mapping.target];
    const from = typeof current === "string" ? current : null;
    if (to !== from) changes = withChange(changes, { field: mapping.target, from, to });
  }
  return changes ?? NO_CHANGES;
}

/** The account a new person is created with (R6, R8, R9): every mapped field, null when the SIS has none. */
export function newAccountFor(
  person: SourcePerson,
  email: string,
  fieldMap: readonly FieldMapping[],
  groupId: string | undefined,
): NewAccount {
  // No prototype: a target named `__proto__` is a field like any other.
  const fields = Object.create(null) as Record<string, string | null>;
  for (let m = 0; m < fieldMap.length; m++) {
    const mapping = fieldMap[m] as FieldMapping;
    fields[mapping.target] = sourceValue(person, mapping.source);
  }
  return groupId === undefined
    ? { email, firstName: person.firstName, lastName: person.lastName, sourceId: person.sourceId, fields }
    : {
        email,
        firstName: person.firstName,
        lastName: person.lastName,
        sourceId: person.sourceId,
        familyGroupId: groupId,
        fields,
      };
}

/**
 * The target fields to create before any account uses them (R8): mapped targets the host does not have.
 * Dropdown options are the distinct non-empty source values of `people`, sorted. With `targetFields`
 * unknown, every target is assumed to exist.
 */
export function missingFields(
  profile: SyncProfile,
  targetFields: readonly TargetField[] | undefined,
  people: Iterable<SourcePerson>,
): TargetField[] {
  if (targetFields === undefined) return [];
  const existing = new Set(targetFields.map((f) => f.name));
  const missing = profile.fieldMap.filter((m) => !existing.has(m.target));
  if (missing.length === 0) return [];
  const options = new Map<string, Set<string>>();
  for (const m of missing) if (m.createAs === "dropdown") options.set(m.target, new Set());
  if (options.size > 0) {
    for (const person of people) {
      for (const m of missing) {
        const value = sourceValue(person, m.source);
        if (typeof value === "string" && value !== "") options.get(m.target)?.add(value);
      }
    }
  }
  return missing
    .map((m): TargetField => {
      const values = options.get(m.target);
      return values === undefined
        ? { name: m.target, kind: "text" }
        : { name: m.target, kind: "dropdown", options: [...values].sort() };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Target fields that nothing maps (R8), sorted: the host asks new users for them at first sign-in.
 * Empty when the host's fields are unknown.
 */
export function askAtFirstLogin(profile: SyncProfile, targetFields: readonly TargetField[] | undefined): string[] {
  if (targetFields === undefined) return [];
  const mapped = new Set(profile.fieldMap.map((m) => m.target));
  return targetFields
    .map((f) => f.name)
    .filter((name) => !mapped.has(name))
    .sort();
}
