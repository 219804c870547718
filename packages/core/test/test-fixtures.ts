/**
 * Small builders for the example tests: one student, one parent, one account, one profile. Not part of
 * the public API.
 *
 * @internal
 * @module
 */

import type { Account, Decisions, PlanInput, Role, SourcePerson, SyncProfile } from "../src/types.js";
import { EMPTY_DECISIONS } from "../src/types.js";

/**
 * What {@link student} and {@link parent} share, in a person's own key order: an enrolled Lee of MAIN,
 * first name `Kid{id}` or `Parent{id}` by role.
 */
function enrolledLee(
  sourceId: string,
  role: Role,
  email: string,
  gradeLevel: string | null,
): Omit<SourcePerson, "families" | "studentIds" | "fields"> {
  const firstName = `${role === "student" ? "Kid" : "Parent"}${sourceId}`;
  return { sourceId, role, firstName, lastName: "Lee", email, schoolCode: "MAIN", gradeLevel, status: "enrolled" };
}

/** An enrolled grade-5 student of MAIN in family F1 (override anything). */
export function student(sourceId: string, over: Partial<SourcePerson> = {}): SourcePerson {
  return {
    ...enrolledLee(sourceId, "student", `kid${sourceId}@school.org`, "05"),
    families: [{ familyId: "F1" }],
    studentIds: [],
    fields: { homeroom: "5A" },
    ...over,
  };
}

/** An enrolled parent of MAIN in family F1, first-listed mother of `children` (override anything). */
export function parent(sourceId: string, children: readonly string[], over: Partial<SourcePerson> = {}): SourcePerson {
  return {
    ...enrolledLee(sourceId, "parent", `parent${sourceId}@mail.org`, null),
    families: [{ familyId: "F1", relationship: "Mother", listedFirst: true, parentOrder: 1 }],
    studentIds: children,
    fields: { phone: "555-0100" },
    ...over,
  };
}

/** A managed, active account linked to `sourceId`, matching {@link student}'s defaults. */
export function account(accountId: string, over: Partial<Account> = {}): Account {
  return {
    accountId,
    email: `${accountId}@host.org`,
    archived: false,
    managed: true,
    fields: {},
    neverAccessed: false,
    ...over,
  };
}

/**
 * An account the family made on the host themselves (unmanaged, linked to nobody) for the child
 * `student("1")` is: Kid1 Lee under `email`, a look-alike unless the email matches (R6).
 */
export function familyAccount(accountId: string, email: string, over: Partial<Account> = {}): Account {
  return account(accountId, { email, managed: false, firstName: "Kid1", lastName: "Lee", ...over });
}

/** The account a sync would have made for a {@link student}. */
export function linkedStudentAccount(accountId: string, person: SourcePerson, over: Partial<Account> = {}): Account {
  return account(accountId, {
    email: person.email ?? "",
    firstName: person.firstName,
    lastName: person.lastName,
    sourceId: person.sourceId,
    fields: { Homeroom: person.fields.homeroom ?? null },
    ...over,
  });
}

/** A students profile: MAIN, every grade, homeroom → Homeroom, default selected. */
export function studentProfile(over: Partial<SyncProfile> = {}): SyncProfile {
  return {
    role: "student",
    schools: ["MAIN"],
    gradeLevels: ["K", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"],
    fieldMap: [{ source: "homeroom", target: "Homeroom" }],
    defaultSelection: true,
    hoursSync: { enabled: false, historicImportDone: false },
    ...over,
  };
}

/** A parents profile over the same school, phone → Phone. */
export function parentProfile(over: Partial<SyncProfile> = {}): SyncProfile {
  return studentProfile({ role: "parent", fieldMap: [{ source: "phone", target: "Phone" }], ...over });
}

/** A plan input with empty decisions unless given. */
export function inputOf(
  people: readonly SourcePerson[],
  accounts: readonly Account[] = [],
  over: Partial<PlanInput> & { decisions?: Decisions } = {},
): PlanInput {
  return { people, accounts, profile: studentProfile(), decisions: EMPTY_DECISIONS, ...over };
}
