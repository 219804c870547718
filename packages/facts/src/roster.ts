/**
 * The roster as FACTS lists it, and how it becomes core's `RosterSnapshot`, as pure functions of the
 * records read: which endpoints a full read lists ({@link ROSTER_READS}, the one table the source reads
 * from), students joined to People by `studentId == personId`, parents through ParentStudent, families with
 * their order, and user-defined values routed by group type. A record that cannot be placed fails the whole
 * snapshot with `InvalidPayload`; nothing is dropped.
 *
 * @module
 */
import type {
  FamilyLink,
  PersonStatus,
  RosterSnapshot,
  SourceGradeLevel,
  SourcePerson,
  SourceSchool,
} from "@rostersync/core";
import { type Err, err, ok, type Result } from "neverthrow";
import type { z } from "zod";
import type { FactsError } from "./errors.js";
import { invalidPayload } from "./http-errors.js";
import {
  type FactsFamily,
  type FactsGradeLevel,
  type FactsParentStudent,
  type FactsPerson,
  type FactsPersonFamily,
  type FactsSchool,
  type FactsStudent,
  type FactsUdfData,
  type FactsUdfField,
  type FactsUdfGroup,
  familySchema,
  gradeLevelSchema,
  parentStudentSchema,
  personFamilySchema,
  personSchema,
  schoolSchema,
  studentSchema,
  udfDataSchema,
  udfFieldSchema,
  udfGroupSchema,
} from "./schemas.js";

/** Every record a full roster read lists, by what it is. */
export interface RosterData {
  readonly schools: readonly FactsSchool[];
  readonly gradeLevels: readonly FactsGradeLevel[];
  readonly students: readonly FactsStudent[];
  readonly people: readonly FactsPerson[];
  readonly parentStudents: readonly FactsParentStudent[];
  readonly personFamilies: readonly FactsPersonFamily[];
  readonly families: readonly FactsFamily[];
  readonly udfGroups: readonly FactsUdfGroup[];
  readonly udfFields: readonly FactsUdfField[];
  readonly udfData: readonly FactsUdfData[];
}

/** One paged read of a full roster read: the endpoint and the schema of its records. */
export interface RosterRead<T> {
  readonly endpoint: string;
  readonly schema: z.ZodType<T>;
}

/**
 * The endpoints a full roster read lists, in the order their first pages are asked for, each with its
 * record schema. Records are named and checked for repeats by the endpoint's key in `RECORD_KEYS`.
 * `/UserDefinedGroups` is read once per group type (see `readUdfGroups`).
 */
export const ROSTER_READS = {
  schools: { endpoint: "/SchoolConfigurations", schema: schoolSchema },
  gradeLevels: { endpoint: "/Academics/GradeLevels", schema: gradeLevelSchema },
  students: { endpoint: "/Students", schema: studentSchema },
  people: { endpoint: "/People", schema: personSchema },
  parentStudents: { endpoint: "/People/ParentStudent", schema: parentStudentSchema },
  personFamilies: { endpoint: "/People/PersonFamily", schema: personFamilySchema },
  families: { endpoint: "/Families", schema: familySchema },
  udfGroups: { endpoint: "/UserDefinedGroups", schema: udfGroupSchema },
  udfFields: { endpoint: "/UserDefinedFields", schema: udfFieldSchema },
  udfData: { endpoint: "/UserDefinedData", schema: udfDataSchema },
} as const satisfies { readonly [K in keyof RosterData]: RosterRead<RosterData[K][number]> };

/** An endpoint a full roster read lists. */
export type RosterEndpoint = (typeof ROSTER_READS)[keyof RosterData]["endpoint"];

/** The endpoints a full roster read lists, in the order their first pages are asked for. */
export const ROSTER_ENDPOINTS: readonly RosterEndpoint[] = Object.freeze(
  Object.values(ROSTER_READS).map((r) => r.endpoint),
);

/**
 * The failure of a record that cannot be placed, which fails the whole snapshot: the record of `endpoint`
 * named `recordId` has a `field` naming something the read did not list.
 */
function unplaced(endpoint: RosterEndpoint, recordId: number, field: string, message: string): Err<never, FactsError> {
  return err(invalidPayload("GET", endpoint, String(recordId), [field], `GET ${endpoint}: ${message}`));
}

/** What decides a person's status and where user-defined values go. */
export interface RosterRules {
  /** FACTS student status, trimmed and lower case → core status; anything else is `inactive`. */
  readonly statusMap: ReadonlyMap<string, PersonStatus>;
  /** Which user-defined field group types (upper case) land in whose `fields`. */
  readonly groupTypes: {
    readonly student: ReadonlySet<string>;
    readonly parent: ReadonlySet<string>;
    readonly family: ReadonlySet<string>;
  };
}

const DEFAULT_STATUS: Readonly<Record<string, PersonStatus>> = {
  enrolled: "enrolled",
  graduated: "graduated",
  withdrawn: "withdrawn",
};

/**
 * The {@link RosterRules} of a source's options: the status map merged over the default (`Enrolled`,
 * `Graduated`, `Withdrawn`), group types `STUDENT`, `PARENT`, `FAMILY` unless given.
 *
 * @example
 * ```ts
 * const rules = rosterRules({ statusMap: { "Pre-Enrolled": "enrolled" } });
 * ```
 */
export function rosterRules(
  options: {
    readonly statusMap?: Readonly<Record<string, PersonStatus>> | undefined;
    readonly udfGroupTypes?:
      | {
          readonly student?: readonly string[] | undefined;
          readonly parent?: readonly string[] | undefined;
          readonly family?: readonly string[] | undefined;
        }
      | undefined;
  } = {},
): RosterRules {
  const statusMap = new Map<string, PersonStatus>();
  for (const [k, v] of Object.entries({ ...DEFAULT_STATUS, ...options.statusMap })) {
    statusMap.set(k.trim().toLowerCase(), v);
  }
  const upper = (types: readonly string[]) => new Set(types.map((t) => t.toUpperCase()));
  return {
    statusMap,
    groupTypes: {
      student: upper(options.udfGroupTypes?.student ?? ["STUDENT"]),
      parent: upper(options.udfGroupTypes?.parent ?? ["PARENT"]),
      family: upper(options.udfGroupTypes?.family ?? ["FAMILY"]),
    },
  };
}

/** Every group type the rules route somewhere, sorted: the `type`s `/UserDefinedGroups` is read with. */
export function groupTypeList(rules: RosterRules): string[] {
  const { student, parent, family } = rules.groupTypes;
  return [...new Set([...student, ...parent, ...family])].sort();
}

/** A FACTS status as core's: by the rules' map, `inactive` when it names none. */
export function statusOf(rules: RosterRules, raw: string | null | undefined): PersonStatus {
  return rules.statusMap.get((raw ?? "").trim().toLowerCase()) ?? "inactive";
}

type Values = Record<string, string | null>;

/** User-defined values by owner id: students', parents' (`udf:<name>`) and families' (`family:<name>`). */
export interface UdfValues {
  readonly student: ReadonlyMap<number, Values>;
  readonly parent: ReadonlyMap<number, Values>;
  readonly family: ReadonlyMap<number, Values>;
}

/**
 * Routes every user-defined value to its owner: the group type of its field decides whether `linkedId` is
 * a student, a parent or a family. A field without a name or a group cannot be placed: its values go to
 * nobody. A value naming a field `/UserDefinedFields` does not list fails the read.
 */
export function udfValues(
  d: Pick<RosterData, "udfGroups" | "udfFields" | "udfData">,
  rules: RosterRules,
): Result<UdfValues, FactsError> {
  const groupTypeById = new Map<number, string>();
  for (const g of d.udfGroups) groupTypeById.set(g.groupId, (g.groupType ?? "").toUpperCase());
  const fieldById = new Map<number, { name: string; type: string }>();
  for (const f of d.udfFields) {
    fieldById.set(f.fieldId, {
      name: f.fieldName ?? "",
      type: f.fieldName ? (groupTypeById.get(f.groupId ?? -1) ?? "") : "",
    });
  }
  const student = new Map<number, Values>();
  const parent = new Map<number, Values>();
  const family = new Map<number, Values>();
  const put = (m: Map<number, Values>, key: number, name: string, value: string | null) => {
    let rec = m.get(key);
    if (rec === undefined) {
      rec = {};
      m.set(key, rec);
    }
    rec[name] = value;
  };
  for (const v of d.udfData) {
    const field = fieldById.get(v.fieldId);
    if (field === undefined) {
      return unplaced(
        "/UserDefinedData",
        v.linkedId,
        "fieldId",
        `a value of person or family ${v.linkedId} names field ${v.fieldId}, which /UserDefinedFields does not list.`,
      );
    }
    const data = v.data ?? null;
    if (rules.groupTypes.student.has(field.type)) put(student, v.linkedId, `udf:${field.name}`, data);
    if (rules.groupTypes.parent.has(field.type)) put(parent, v.linkedId, `udf:${field.name}`, data);
    if (rules.groupTypes.family.has(field.type)) put(family, v.linkedId, `family:${field.name}`, data);
  }
  return ok({ student, parent, family });
}

/** Who belongs to which family, and who is listed first in each. */
export interface FamilyIndex {
  /** A person's family links. */
  readonly familiesOf: ReadonlyMap<number, readonly FactsPersonFamily[]>;
  /** A family's first parent: the lowest `familyOrder` among its parents, ties to the lowest `personId`. */
  readonly firstParentOf: ReadonlyMap<number, number>;
}

/** The {@link FamilyIndex} of the person–family links. */
export function familyIndex(personFamilies: readonly FactsPersonFamily[]): FamilyIndex {
  const familiesOf = new Map<number, FactsPersonFamily[]>();
  const parentsOfFamily = new Map<number, FactsPersonFamily[]>();
  for (const pf of personFamilies) {
    const list = familiesOf.get(pf.personId);
    if (list === undefined) familiesOf.set(pf.personId, [pf]);
    else list.push(pf);
    if (pf.parent) {
      const parents = parentsOfFamily.get(pf.familyId);
      if (parents === undefined) parentsOfFamily.set(pf.familyId, [pf]);
      else parents.push(pf);
    }
  }
  const firstParentOf = new Map<number, number>();
  for (const [familyId, parents] of parentsOfFamily) {
    let best: FactsPersonFamily | undefined;
    for (const p of parents) {
      const order = p.familyOrder ?? Number.POSITIVE_INFINITY;
      const bestOrder = best?.familyOrder ?? Number.POSITIVE_INFINITY;
      if (best === undefined || order < bestOrder || (order === bestOrder && p.personId < best.personId)) best = p;
    }
    if (best !== undefined) firstParentOf.set(familyId, best.personId);
  }
  return { familiesOf, firstParentOf };
}

const str = (v: string | number | boolean | null | undefined): string | null =>
  v === null || v === undefined ? null : String(v);
const day = (v: string | null | undefined): string | null => (v ? v.slice(0, 10) : null);
const byNumber = (a: number, b: number) => a - b;

/** Everything the people are built from, indexed once. */
interface Lookups {
  readonly rules: RosterRules;
  readonly peopleById: ReadonlyMap<number, FactsPerson>;
  readonly schoolById: ReadonlyMap<number, FactsSchool>;
  readonly familyById: ReadonlyMap<number, FactsFamily>;
  readonly families: FamilyIndex;
  readonly udf: UdfValues;
}

/** A student's school code: its own, else its configuration school's, else empty. */
const schoolCodeOf = (l: Lookups, s: FactsStudent): string | undefined =>
  s.schoolCode ?? l.schoolById.get(s.configSchoolId ?? -1)?.schoolCode ?? undefined;

/** The family fields of a person: every family id, and the lowest-numbered family's name, code and values. */
function familyFields(l: Lookups, personId: number): Values {
  const links = (l.families.familiesOf.get(personId) ?? []).map((f) => f.familyId).sort(byNumber);
  const primary = links[0];
  if (primary === undefined) return {};
  const family = l.familyById.get(primary);
  return {
    familyIds: links.join(","),
    familyName: family?.familyName ?? null,
    familyCode: family?.familyUDID ?? null,
    ...l.udf.family.get(primary),
  };
}

/** A student as core's person. The trap: students join People by `studentId`, never by `personStudentId`. */
function studentPerson(l: Lookups, s: FactsStudent): Result<SourcePerson, FactsError> {
  const person = l.peopleById.get(s.studentId);
  if (person === undefined) {
    return unplaced(
      "/Students",
      s.studentId,
      "studentId",
      `student ${s.studentId} has no /People record with personId ${s.studentId}.`,
    );
  }
  const families: FamilyLink[] = (l.families.familiesOf.get(s.studentId) ?? [])
    .map((f) => f.familyId)
    .sort(byNumber)
    .map((familyId) => ({ familyId: String(familyId) }));
  const school = s.school;
  return ok({
    sourceId: String(s.studentId),
    role: "student",
    firstName: person.firstName ?? "",
    lastName: person.lastName ?? "",
    email: person.email ?? null,
    schoolCode: schoolCodeOf(l, s) ?? "",
    gradeLevel: school?.gradeLevel ?? null,
    status: statusOf(l.rules, school?.status),
    birthDate: day(s.birthdate ?? person.birthdate),
    families,
    studentIds: [],
    fields: {
      personStudentId: String(s.personStudentId),
      middleName: person.middleName ?? null,
      nickName: person.nickName ?? null,
      email2: person.email2 ?? null,
      username: person.username ?? null,
      gender: s.gender ?? null,
      classYear: str(s.classYear),
      status: school?.status ?? null,
      substatus: school?.substatus ?? null,
      enrollDate: day(school?.enrollDate),
      withdrawDate: day(school?.withdrawDate),
      graduationDate: day(school?.graduationDate),
      nextStatus: school?.nextStatus ?? null,
      nextGradeLevel: school?.nextGradeLevel ?? null,
      ...familyFields(l, s.studentId),
      ...l.udf.student.get(s.studentId),
    },
  });
}

/**
 * A parent as core's person: anyone linked through ParentStudent (there is no parents resource), enrolled
 * when one of its children is.
 */
function parentPerson(
  l: Lookups,
  parentId: number,
  links: readonly FactsParentStudent[],
  studentById: ReadonlyMap<number, FactsStudent>,
): Result<SourcePerson, FactsError> {
  const person = l.peopleById.get(parentId);
  if (person === undefined) {
    return unplaced("/People/ParentStudent", parentId, "parentID", `parent ${parentId} has no /People record.`);
  }
  const childIds = [...new Set(links.map((link) => link.studentID))];
  const children = childIds.map((id) => studentById.get(id)).filter((s) => s !== undefined);
  const enrolledChild = children.find((c) => statusOf(l.rules, c.school?.status) === "enrolled");
  // `schoolCode` names one child's school, for display only: a family can span divisions, so core
  // decides a parent's scope per child through `studentIds` (R2), and `schoolCodes` lists them all.
  const anchor = enrolledChild ?? children[0];
  const schoolCodes = [...new Set(children.map((c) => schoolCodeOf(l, c) ?? ""))].filter((c) => c !== "").sort();
  const families: FamilyLink[] = (l.families.familiesOf.get(parentId) ?? [])
    .slice()
    .sort((a, b) => a.familyId - b.familyId)
    .map((pf) => {
      const inFamily = links.find((link) =>
        (l.families.familiesOf.get(link.studentID) ?? []).some((sf) => sf.familyId === pf.familyId),
      );
      const link = inFamily ?? links[0];
      return {
        familyId: String(pf.familyId),
        ...(link?.relationship ? { relationship: link.relationship } : {}),
        listedFirst: pf.parent === true && l.families.firstParentOf.get(pf.familyId) === parentId,
        ...(pf.familyOrder == null ? {} : { parentOrder: pf.familyOrder }),
        ...(link?.custody == null ? {} : { custody: link.custody }),
      };
    });
  return ok({
    sourceId: String(parentId),
    role: "parent",
    firstName: person.firstName ?? "",
    lastName: person.lastName ?? "",
    email: person.email ?? null,
    schoolCode: (anchor === undefined ? undefined : schoolCodeOf(l, anchor)) ?? "",
    status: enrolledChild === undefined ? "inactive" : "enrolled",
    birthDate: day(person.birthdate),
    families,
    studentIds: childIds.sort(byNumber).map(String),
    fields: {
      middleName: person.middleName ?? null,
      nickName: person.nickName ?? null,
      email2: person.email2 ?? null,
      username: person.username ?? null,
      relationship: links[0]?.relationship ?? null,
      custody: str(links[0]?.custody),
      schoolCodes: schoolCodes.join(","),
      ...familyFields(l, parentId),
      ...l.udf.parent.get(parentId),
    },
  });
}

/** Schools as core sees them: one without a code cannot be scoped to; one without a name shows its code. */
export function sourceSchools(schools: readonly FactsSchool[]): SourceSchool[] {
  return schools
    .filter((s) => s.schoolCode)
    .map((s) => ({
      schoolCode: s.schoolCode ?? "",
      name: s.schoolName ?? s.schoolCode ?? "",
      active: s.active !== false,
    }));
}

/**
 * Grade levels as core sees them, by `sortOrder`: students name their grade by `gradeLevelName`, so a
 * grade level without one matches no student and is left out, and a repeated name is kept once.
 */
export function sourceGradeLevels(gradeLevels: readonly FactsGradeLevel[]): SourceGradeLevel[] {
  const seen = new Set<string>();
  const out: SourceGradeLevel[] = [];
  for (const g of [...gradeLevels].sort((a, b) => (a.sortOrder ?? 0) - (b.sortOrder ?? 0))) {
    const code = g.gradeLevelName;
    if (!code || seen.has(code)) continue;
    seen.add(code);
    out.push({ code, name: code, sortOrder: g.sortOrder ?? 0, final: g.finalGradeLevel === true });
  }
  return out;
}

/**
 * The snapshot of a full roster read: students by `studentId`, then parents by their id, then schools and
 * grade levels. Fails with `InvalidPayload` on the first record that cannot be placed (a student or a
 * parent without a `/People` record, a value of an unlisted field).
 *
 * @example
 * ```ts
 * const snapshot = assembleRoster(data, rosterRules());
 * if (snapshot.isOk()) snapshot.value.people.length;
 * ```
 */
export function assembleRoster(d: RosterData, rules: RosterRules): Result<RosterSnapshot, FactsError> {
  const udf = udfValues(d, rules);
  if (udf.isErr()) return err(udf.error);
  const lookups: Lookups = {
    rules,
    peopleById: new Map(d.people.map((p) => [p.personId, p])),
    schoolById: new Map(d.schools.map((s) => [s.configSchoolID, s])),
    familyById: new Map(d.families.map((f) => [f.familyID, f])),
    families: familyIndex(d.personFamilies),
    udf: udf.value,
  };
  const people: SourcePerson[] = [];
  const studentById = new Map<number, FactsStudent>();
  for (const s of [...d.students].sort((a, b) => a.studentId - b.studentId)) {
    studentById.set(s.studentId, s);
    const person = studentPerson(lookups, s);
    if (person.isErr()) return err(person.error);
    people.push(person.value);
  }
  const linksOf = new Map<number, FactsParentStudent[]>();
  for (const link of d.parentStudents) {
    const list = linksOf.get(link.parentID);
    if (list === undefined) linksOf.set(link.parentID, [link]);
    else list.push(link);
  }
  for (const parentId of [...linksOf.keys()].sort(byNumber)) {
    const links = (linksOf.get(parentId) ?? []).sort((a, b) => a.studentID - b.studentID);
    const person = parentPerson(lookups, parentId, links, studentById);
    if (person.isErr()) return err(person.error);
    people.push(person.value);
  }
  return ok({ people, schools: sourceSchools(d.schools), gradeLevels: sourceGradeLevels(d.gradeLevels) });
}
