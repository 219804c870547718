import type { FamilyLink, PersonStatus, SourcePerson } from "@rostersync/core";
import {
  asciiLetters,
  FIRST_NAMES,
  GRADE_CODES,
  LAST_NAMES,
  type NextYearOptions,
  type SeededRandom,
  SIZES,
  seededRandom,
  TEAMS,
} from "@rostersync/core/testing";
import type {
  FactsFamily,
  FactsGradeLevel,
  FactsParentStudent,
  FactsPerson,
  FactsPersonFamily,
  FactsSchool,
  FactsStudent,
  FactsStudentStatus,
  FactsUdfData,
  FactsUdfField,
  FactsUdfGroup,
} from "../schemas.js";

/** The grade codes of a generated school, youngest first: FACTS's zero-padded codes. */
export const FACTS_GRADE_CODES = GRADE_CODES;

/** Student statuses a generated school uses, as FACTS spells them. */
export type FactsStudentStatusName = "Enrolled" | "Withdrawn" | "Graduated" | "Pre-Enrolled" | "Inactive";

/**
 * The FACTS records of a school, per endpoint, in the exact shapes FACTS returns. The simulator serves
 * exactly these rows (in this order); any extra endpoint path may be added with rows of any shape.
 */
export interface FactsTables {
  readonly "/SchoolConfigurations": readonly FactsSchoolRow[];
  readonly "/Academics/GradeLevels": readonly FactsGradeLevelRow[];
  readonly "/Students": readonly FactsStudentRow[];
  readonly "/People": readonly FactsPersonRow[];
  readonly "/People/ParentStudent": readonly FactsParentStudent[];
  readonly "/People/PersonFamily": readonly FactsPersonFamilyRow[];
  readonly "/Families": readonly FactsFamilyRow[];
  readonly "/UserDefinedGroups": readonly FactsUdfGroup[];
  readonly "/UserDefinedFields": readonly FactsUdfField[];
  readonly "/UserDefinedData": readonly FactsUdfDataRow[];
  readonly "/Students/Status": readonly FactsStudentStatus[];
  readonly "/Academics/AttendanceCodes": readonly FactsAttendanceCode[];
}

/** `SchoolConfigVmOut` as the simulator serves it: with the fields its definition requires. */
export type FactsSchoolRow = FactsSchool & { readonly active: boolean; readonly schoolLMS: boolean };
/** `GradeLevelsOutput` as the simulator serves it (grade levels are per school: `schoolReference`). */
export type FactsGradeLevelRow = FactsGradeLevel & {
  readonly finalGradeLevel: boolean;
  readonly absentHalf: number;
  readonly absentDay: number;
  readonly schoolReference: { readonly schoolCode: string };
};
/** `StudentModelV1_3` as the simulator serves it (`configSchoolId` is required there). */
export type FactsStudentRow = FactsStudent & { readonly configSchoolId: number };
/** `PersonVM` as the simulator serves it. */
export type FactsPersonRow = FactsPerson & { readonly hasProfilePicture: boolean };
/** `PersonFamilyVM` as the simulator serves it. */
export type FactsPersonFamilyRow = FactsPersonFamily & { readonly factsCustomer: boolean };
/** `FamilyConfigVmOutV1_1` as the simulator serves it. */
export type FactsFamilyRow = FactsFamily & { readonly parentsWebFinancialBlock: boolean };
/** `UserDefinedDataModel` as the simulator serves it (`dataId` is required there). */
export type FactsUdfDataRow = FactsUdfData & { readonly dataId: number };

/** `GET /Academics/AttendanceCodes` (`AttendanceCodesOutput`) as the simulator serves it. */
export interface FactsAttendanceCode {
  readonly code: string;
  readonly name: string;
  readonly schoolIdReference: { readonly schoolId: number };
  readonly absent: boolean;
  readonly tardy: boolean;
  readonly faculty: boolean;
  readonly excused: boolean;
  readonly lockChangesIfUsedByAdmin: boolean;
}

/**
 * The `fieldType` codes the simulator gives user-defined fields. FACTS's definition says only that
 * `fieldType` is an integer; these values are the simulator's own.
 */
export const SIM_UDF_FIELD_TYPES = { text: 1, list: 5 } as const;

/** One student of the generator's model (what the FACTS tables are projected from). */
export interface ModelStudent {
  readonly personId: number;
  /** A different id range that overlaps other people's `personId`s: the join trap of FACTS.md. */
  readonly personStudentId: number;
  readonly firstName: string;
  readonly lastName: string;
  readonly middleName: string | null;
  readonly nickName: string | null;
  readonly email: string | null;
  readonly email2: string | null;
  readonly birthdate: string;
  readonly gender: string;
  /** A zero-padded grade code (`"08"`). */
  readonly grade: string;
  readonly status: FactsStudentStatusName;
  readonly schoolIndex: number;
  readonly enrollDate: string;
  readonly withdrawDate: string | null;
  readonly graduationDate: string | null;
  readonly classYear: number;
  /** STUDENT user-defined values by field name (`null` values are not stored in FACTS). */
  readonly udf: Readonly<Record<string, string>>;
}

/** One parent (or guardian) of the model. */
export interface ModelParent {
  readonly personId: number;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string | null;
  readonly birthdate: string | null;
  readonly relationship: string;
  readonly custody: boolean;
  /** FACTS `familyOrder`; `null` for none (then the lowest `personId` counts as listed first). */
  readonly familyOrder: number | null;
  /** False for a grandparent known only through ParentStudent (no PersonFamily row). */
  readonly inFamily: boolean;
  readonly grandparent: boolean;
  /** PARENT user-defined values by field name. */
  readonly udf: Readonly<Record<string, string>>;
}

/** One family of the model. */
export interface ModelFamily {
  readonly familyId: number;
  readonly familyName: string;
  readonly familyCode: string;
  readonly students: readonly ModelStudent[];
  readonly parents: readonly ModelParent[];
  /** FAMILY user-defined values by field name. */
  readonly udf: Readonly<Record<string, string>>;
}

/** The generator's model of a school: what the tables and the expected people are both projected from. */
export interface SchoolModel {
  readonly schoolCodes: readonly string[];
  readonly schoolYear: number;
  readonly families: readonly ModelFamily[];
  readonly nextPersonId: number;
  readonly nextFamilyId: number;
}

/** A generated FACTS school. */
export interface GeneratedFactsSchool {
  readonly seed: number;
  /** The school year the roster is for (the year it ends in), e.g. 2026. */
  readonly schoolYear: number;
  /** FACTS records per endpoint, in the exact shapes FACTS returns. */
  readonly tables: FactsTables;
  /**
   * Exactly what `createFactsSource({ client }).read()` must return as `people` for these tables: students
   * by ascending `studentId`, then parents by ascending `personId`. Computed from the generator's model,
   * not by the source's mapping code. Built on first access (it is large for large schools).
   */
  readonly expectedPeople: readonly SourcePerson[];
  /** The model the tables were projected from (used by {@link nextSchoolYear}). */
  readonly model: SchoolModel;
  /** Head counts. */
  readonly counts: { readonly students: number; readonly parents: number; readonly families: number };
}

/** Options of {@link generateSchool}. Every rate is a fraction. */
export interface GenerateSchoolOptions {
  /** The same seed always gives the same school. */
  readonly seed: number;
  /** About how many people (students + parents) to generate, 100 … 1,000,000. Default 300. */
  readonly people?: number | undefined;
  /** School codes; families are spread over them. Default `["MAIN"]`. */
  readonly schools?: readonly string[] | undefined;
  /** The year the school year ends in. Default 2026. */
  readonly schoolYear?: number | undefined;
  /** Families whose parents share one family email. Default 0.1. */
  readonly sharedEmailRate?: number | undefined;
  /** People without an email (`null` or `""`). Default 0.05. */
  readonly missingEmailRate?: number | undefined;
  /** People with an email that is not a valid address. Default 0.02. */
  readonly invalidEmailRate?: number | undefined;
  /** Students who are not enrolled (withdrawn, graduated, pre-enrolled, inactive). Default 0.05. */
  readonly notEnrolledRate?: number | undefined;
  /** Families with a grandparent known only through ParentStudent. Default 0.03. */
  readonly grandparentRate?: number | undefined;
  /** Families where a parent of an earlier family is also a (step)parent: one person in two families. Default 0.02. */
  readonly blendedRate?: number | undefined;
}

const RELATIONSHIPS = ["Guardian", "Stepmother", "Stepfather", "Aunt", "Uncle"] as const;
const PARISHES = ["St Anne", "St Paul", "St Mary"] as const;
const NOT_ENROLLED: readonly FactsStudentStatusName[] = ["Withdrawn", "Pre-Enrolled", "Inactive"];

/** User-defined field ids of a generated school. */
const UDF = {
  tshirt: { fieldId: 10, groupId: 1 },
  allergies: { fieldId: 11, groupId: 1 },
  team: { fieldId: 20, groupId: 2 },
  occupation: { fieldId: 21, groupId: 2 },
  parish: { fieldId: 30, groupId: 3 },
  badge: { fieldId: 40, groupId: 4 },
} as const;

const pad2 = (n: number) => String(n).padStart(2, "0");
const gradeIndex = (grade: string): number => (grade === "K" ? 0 : Number(grade));

interface Rates {
  readonly sharedEmailRate: number;
  readonly missingEmailRate: number;
  readonly invalidEmailRate: number;
  readonly notEnrolledRate: number;
  readonly grandparentRate: number;
  readonly blendedRate: number;
}

const rates = (o: Partial<GenerateSchoolOptions>): Rates => ({
  sharedEmailRate: o.sharedEmailRate ?? 0.1,
  missingEmailRate: o.missingEmailRate ?? 0.05,
  invalidEmailRate: o.invalidEmailRate ?? 0.02,
  notEnrolledRate: o.notEnrolledRate ?? 0.05,
  grandparentRate: o.grandparentRate ?? 0.03,
  blendedRate: o.blendedRate ?? 0.02,
});

interface Builder {
  readonly random: SeededRandom;
  readonly rates: Rates;
  readonly schoolCodes: readonly string[];
  readonly schoolYear: number;
  nextPersonId: number;
  nextFamilyId: number;
}

function emailFor(b: Builder, first: string, last: string, id: number, domain: string): string | null {
  const r = b.random.next();
  const { missingEmailRate, invalidEmailRate } = b.rates;
  if (r < missingEmailRate) return b.random.chance(0.5) ? null : "";
  if (r < missingEmailRate + invalidEmailRate) {
    return b.random.pick([
      `${asciiLetters(first)} ${asciiLetters(last)}@${domain}`,
      `${asciiLetters(first)}.${id}@localhost`,
      `${asciiLetters(last)}${id}`,
    ]);
  }
  // Some SIS emails carry case and stray spaces.
  if (b.random.chance(0.03))
    return ` ${asciiLetters(first).toUpperCase()}.${asciiLetters(last)}${id}@${domain.toUpperCase()} `;
  return `${asciiLetters(first)}.${asciiLetters(last)}${id}@${domain}`;
}

function newStudent(b: Builder, last: string, schoolIndex: number, grades: readonly string[]): ModelStudent {
  const r = b.random;
  const personId = b.nextPersonId++;
  const first = r.pick(FIRST_NAMES);
  const grade = r.pick(grades);
  let status: FactsStudentStatusName = "Enrolled";
  if (r.chance(b.rates.notEnrolledRate)) status = grade === "12" ? "Graduated" : r.pick(NOT_ENROLLED);
  const born = b.schoolYear - 6 - gradeIndex(grade);
  const udf: Record<string, string> = { tshirt: r.pick(SIZES) };
  if (r.chance(0.1)) udf.allergies = "peanuts";
  return {
    personId,
    // Same range as personIds, shifted: joining on it silently finds another person.
    personStudentId: personId + 7,
    firstName: first,
    lastName: last,
    middleName: r.chance(0.3) ? r.pick(FIRST_NAMES) : null,
    nickName: r.chance(0.1) ? first.slice(0, 3) : null,
    email: emailFor(b, first, last, personId, "students.example.org"),
    email2: null,
    birthdate: `${born}-${pad2(r.int(1, 12))}-${pad2(r.int(1, 28))}T00:00:00`,
    gender: r.pick(["F", "M"]),
    grade,
    status,
    schoolIndex,
    enrollDate: `${b.schoolYear - 1 - r.int(0, gradeIndex(grade))}-08-${pad2(r.int(15, 28))}T00:00:00`,
    withdrawDate: status === "Withdrawn" ? `${b.schoolYear}-0${r.int(1, 5)}-15T00:00:00` : null,
    graduationDate: status === "Graduated" ? `${b.schoolYear - 1}-06-01T00:00:00` : null,
    classYear: b.schoolYear + 12 - gradeIndex(grade),
    udf,
  };
}

/** Adds one family (1–4 children, 1–3 parents, sometimes a grandparent) and returns it. */
function newFamily(
  b: Builder,
  earlier: readonly ModelFamily[],
  grades: readonly string[] = FACTS_GRADE_CODES,
): ModelFamily {
  const r = b.random;
  const familyId = b.nextFamilyId++;
  const last = r.pick(LAST_NAMES);
  const schoolIndex = r.int(0, b.schoolCodes.length - 1);
  const childCount = r.int(1, 4);
  const students: ModelStudent[] = [];
  for (let c = 0; c < childCount; c++) students.push(newStudent(b, last, schoolIndex, grades));
  const parentCount = r.int(1, 3);
  // "Listed first" is the lowest familyOrder, which need not be the first parent created.
  const orders = Array.from({ length: parentCount }, (_, i) => i + 1);
  for (let i = orders.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [orders[i], orders[j]] = [orders[j] as number, orders[i] as number];
  }
  const noOrder = r.chance(0.05);
  const shared =
    parentCount > 1 && r.chance(b.rates.sharedEmailRate)
      ? `${asciiLetters(last)}.family${familyId}@mail.example.com`
      : null;
  const parents: ModelParent[] = [];
  for (let p = 0; p < parentCount; p++) {
    const personId = b.nextPersonId++;
    const first = r.pick(FIRST_NAMES);
    const lastName = r.chance(0.8) ? last : r.pick(LAST_NAMES);
    const udf: Record<string, string> = {};
    if (r.chance(0.3)) udf.team = r.pick(TEAMS);
    if (r.chance(0.2)) udf.occupation = r.pick(["Nurse", "Teacher", "Engineer", "Chef"]);
    parents.push({
      personId,
      firstName: first,
      lastName,
      email: shared ?? emailFor(b, first, lastName, personId, "mail.example.com"),
      birthdate: r.chance(0.5) ? `19${r.int(70, 95)}-${pad2(r.int(1, 12))}-${pad2(r.int(1, 28))}T00:00:00` : null,
      relationship: p < 2 ? r.pick(["Mother", "Father"]) : r.pick(RELATIONSHIPS),
      custody: r.chance(0.9),
      familyOrder: noOrder ? null : (orders[p] as number),
      inFamily: true,
      grandparent: false,
      udf,
    });
  }
  // A stepparent who is already a parent in an earlier family: one person, two families.
  const other =
    earlier.length > 0 && r.chance(b.rates.blendedRate)
      ? earlier[r.int(Math.max(0, earlier.length - 50), earlier.length - 1)]
      : undefined;
  const step = other?.parents.find((p) => p.inFamily && !parents.some((q) => q.personId === p.personId));
  if (step !== undefined) {
    parents.push({
      ...step,
      relationship:
        step.relationship === "Mother" ? "Stepmother" : step.relationship === "Father" ? "Stepfather" : "Guardian",
      custody: r.chance(0.5),
      familyOrder: noOrder ? null : parentCount + 1,
    });
  }
  if (r.chance(b.rates.grandparentRate)) {
    const personId = b.nextPersonId++;
    const first = r.pick(FIRST_NAMES);
    parents.push({
      personId,
      firstName: first,
      lastName: last,
      email: emailFor(b, first, last, personId, "mail.example.com"),
      birthdate: null,
      relationship: r.pick(["Grandmother", "Grandfather"]),
      custody: false,
      familyOrder: null,
      inFamily: false,
      grandparent: true,
      udf: {},
    });
  }
  // Some children use the family's address too: siblings then share one email.
  const children = shared === null ? students : students.map((s) => (r.chance(0.2) ? { ...s, email: shared } : s));
  const udf: Record<string, string> = {};
  if (r.chance(0.5)) udf.parish = r.pick(PARISHES);
  return {
    familyId,
    familyName: `${last} Family`,
    familyCode: `F${String(familyId).padStart(6, "0")}`,
    students: children,
    parents,
    udf,
  };
}

/**
 * A seeded, realistic FACTS school: families of 1–4 children and 1–3 parents (some sharing a family
 * email, which some of their children use too), stepparents in two families, grandparents known only through ParentStudent, missing (`null` and `""`) and invalid emails,
 * graduates and other students not enrolled, user-defined fields of every group type (and a STAFF group
 * the source ignores), zero-padded grade codes (`"08"`), and `personStudentId`s that are other people's
 * `personId`s. Fast enough for 1,000,000 people (about 2 s per 100,000, expected people included).
 *
 * @example
 * ```ts
 * const school = generateSchool({ seed: 7, people: 2000 });
 * school.tables["/Students"].length; // ≈ 800
 * school.expectedPeople.length;      // every student and parent
 * ```
 */
export function generateSchool(options: GenerateSchoolOptions): GeneratedFactsSchool {
  const target = Math.max(1, Math.floor(options.people ?? 300));
  const b: Builder = {
    random: seededRandom(options.seed),
    rates: rates(options),
    schoolCodes: options.schools ?? ["MAIN"],
    schoolYear: options.schoolYear ?? 2026,
    nextPersonId: 100_001,
    nextFamilyId: 1,
  };
  const families: ModelFamily[] = [];
  // Every new person takes the next id, so ids handed out = people made (a stepparent is not made twice).
  while (b.nextPersonId - 100_001 < target) families.push(newFamily(b, families));
  return schoolFrom(options.seed, {
    schoolCodes: b.schoolCodes,
    schoolYear: b.schoolYear,
    families,
    nextPersonId: b.nextPersonId,
    nextFamilyId: b.nextFamilyId,
  });
}

/**
 * Options of {@link nextSchoolYear}: the same as core's generator takes (seed; new families 0.08;
 * enrolled students, not in the final grade, who withdraw 0.02; withdrawn students who come back, one
 * grade up, 0.3).
 */
export type NextSchoolYearOptions = NextYearOptions;

/**
 * The same school a year later (pure: the given school is not changed). Enrolled students in the final
 * grade graduate (status `Graduated`, still in grade `12`), every other enrolled student moves up one
 * grade (`K` → `01`, `08` → `09`), a few withdraw, some who had withdrawn come back, and new families
 * arrive with young children. Ids are kept: the same people keep their `personId`s.
 *
 * @example
 * ```ts
 * const next = nextSchoolYear(generateSchool({ seed: 7 }), { seed: 8 });
 * next.schoolYear; // 2027
 * ```
 */
export function nextSchoolYear(school: GeneratedFactsSchool, options: NextSchoolYearOptions): GeneratedFactsSchool {
  const model = school.model;
  const random = seededRandom(options.seed);
  const withdrawRate = options.withdrawRate ?? 0.02;
  const returnRate = options.returnRate ?? 0.3;
  const year = model.schoolYear + 1;
  const up = (grade: string) => FACTS_GRADE_CODES[FACTS_GRADE_CODES.indexOf(grade as "K") + 1] ?? grade;
  const final = FACTS_GRADE_CODES[FACTS_GRADE_CODES.length - 1];
  const advance = (s: ModelStudent): ModelStudent => {
    if (s.status === "Withdrawn") {
      if (!random.chance(returnRate)) return s;
      return {
        ...s,
        status: "Enrolled",
        withdrawDate: null,
        grade: up(s.grade),
        enrollDate: `${year - 1}-08-20T00:00:00`,
      };
    }
    if (s.status !== "Enrolled") return s;
    if (s.grade === final) return { ...s, status: "Graduated", graduationDate: `${year - 1}-06-01T00:00:00` };
    if (random.chance(withdrawRate)) return { ...s, status: "Withdrawn", withdrawDate: `${year - 1}-06-15T00:00:00` };
    return { ...s, grade: up(s.grade) };
  };
  const families: ModelFamily[] = model.families.map((f) => ({ ...f, students: f.students.map(advance) }));
  const b: Builder = {
    random,
    rates: rates({}),
    schoolCodes: model.schoolCodes,
    schoolYear: year,
    nextPersonId: model.nextPersonId,
    nextFamilyId: model.nextFamilyId,
  };
  const newFamilies = Math.max(1, Math.round(model.families.length * (options.newFamilyRate ?? 0.08)));
  for (let i = 0; i < newFamilies; i++) families.push(newFamily(b, families, ["K", "K", "01", "06", "09"]));
  return schoolFrom(options.seed, {
    schoolCodes: model.schoolCodes,
    schoolYear: year,
    families,
    nextPersonId: b.nextPersonId,
    nextFamilyId: b.nextFamilyId,
  });
}

/** Builds the school's tables from its model (and, lazily, its expected people). */
export function schoolFrom(seed: number, model: SchoolModel): GeneratedFactsSchool {
  const tables = tablesOf(model);
  let expected: readonly SourcePerson[] | undefined;
  let students = 0;
  const parentIds = new Set<number>();
  for (const f of model.families) {
    students += f.students.length;
    for (const p of f.parents) parentIds.add(p.personId);
  }
  const parents = parentIds.size;
  return {
    seed,
    schoolYear: model.schoolYear,
    tables,
    get expectedPeople() {
      expected ??= expectedPeopleOf(model);
      return expected;
    },
    model,
    counts: { students, parents, families: model.families.length },
  };
}

/** The roster tables FACTS would serve for a model, by endpoint path. */
function tablesOf(model: SchoolModel): FactsTables {
  const rows = rosterRowsOf(model);
  return {
    "/SchoolConfigurations": schoolRowsOf(model),
    "/Academics/GradeLevels": gradeLevelRowsOf(model),
    "/Students": rows.students,
    "/People": rows.people,
    "/People/ParentStudent": rows.parentStudents,
    "/People/PersonFamily": rows.personFamilies,
    "/Families": rows.families,
    "/UserDefinedGroups": UDF_GROUP_ROWS.map((g) => ({ ...g })),
    "/UserDefinedFields": udfFieldRows(),
    "/UserDefinedData": rows.udfData,
    "/Students/Status": studentStatusRows(),
    "/Academics/AttendanceCodes": attendanceCodeRowsOf(model),
  };
}

/** `/SchoolConfigurations`: one active school per code, its default year the model's. */
function schoolRowsOf(model: SchoolModel): FactsSchoolRow[] {
  return model.schoolCodes.map((code, i) => ({
    configSchoolID: i + 1,
    schoolCode: code,
    schoolName: `School ${code}`,
    active: true,
    schoolLMS: false,
    defaultYearId: model.schoolYear,
  }));
}

/** `/Academics/GradeLevels`: grade levels are per school in FACTS, the same codes once per school. */
function gradeLevelRowsOf(model: SchoolModel): FactsGradeLevelRow[] {
  const gradeLevels: FactsGradeLevelRow[] = [];
  model.schoolCodes.forEach((_, s) => {
    FACTS_GRADE_CODES.forEach((code, i) => {
      gradeLevels.push({
        gradeLevelId: s * 100 + i + 1,
        gradeLevelName: code,
        sortOrder: i,
        finalGradeLevel: i === FACTS_GRADE_CODES.length - 1,
        graduationDate: i === FACTS_GRADE_CODES.length - 1 ? `${model.schoolYear}-06-01T00:00:00` : null,
        absentHalf: 2,
        absentDay: 4,
        schoolReference: { schoolCode: model.schoolCodes[s] ?? "" },
      });
    });
  });
  return gradeLevels;
}

/** The rows of the people endpoints, filled family by family. */
interface RosterRows {
  readonly students: FactsStudentRow[];
  readonly people: FactsPersonRow[];
  readonly parentStudents: FactsParentStudent[];
  readonly personFamilies: FactsPersonFamilyRow[];
  readonly families: FactsFamilyRow[];
  readonly udfData: FactsUdfDataRow[];
  /** `modifiedDate` of every People row. */
  readonly modified: string;
  /** Parents already given a People row: a parent of two families is one person, one set of values. */
  readonly emitted: Set<number>;
}

/** Students, People, ParentStudent, PersonFamily, Families and UserDefinedData of a model. */
function rosterRowsOf(model: SchoolModel): RosterRows {
  const rows: RosterRows = {
    students: [],
    people: [],
    parentStudents: [],
    personFamilies: [],
    families: [],
    udfData: [],
    modified: `${model.schoolYear - 1}-08-01T09:30:00`,
    emitted: new Set<number>(),
  };
  for (const f of model.families) {
    rows.families.push({
      familyID: f.familyId,
      familyName: f.familyName,
      familyUDID: f.familyCode,
      parentsWebFinancialBlock: false,
    });
    addUdfData(rows.udfData, f.udf, f.familyId);
    for (const s of f.students) addStudentRows(rows, model, f, s);
    for (const p of f.parents) addParentRows(rows, f, p);
  }
  // A STAFF group whose values point at ids the source must ignore.
  rows.udfData.push({ dataId: rows.udfData.length + 1, fieldId: UDF.badge.fieldId, linkedId: 100_001, data: "B-1" });
  return rows;
}

/** UserDefinedData rows of one record's values (numbered on from the rows so far). */
function addUdfData(udfData: FactsUdfDataRow[], values: Readonly<Record<string, string>>, linkedId: number): void {
  for (const [name, data] of Object.entries(values)) {
    const field = UDF[name as keyof typeof UDF];
    if (field !== undefined) udfData.push({ dataId: udfData.length + 1, fieldId: field.fieldId, linkedId, data });
  }
}

/** A student's Students, People and PersonFamily rows, then their values. */
function addStudentRows(
  rows: RosterRows,
  model: SchoolModel,
  f: ModelFamily,
  s: ModelFamily["students"][number],
): void {
  const code = model.schoolCodes[s.schoolIndex] ?? "";
  const next = FACTS_GRADE_CODES[FACTS_GRADE_CODES.indexOf(s.grade as "K") + 1];
  rows.students.push({
    personStudentId: s.personStudentId,
    studentId: s.personId,
    configSchoolId: s.schoolIndex + 1,
    schoolCode: code,
    classYear: String(s.classYear),
    gender: s.gender,
    birthdate: s.birthdate,
    school: {
      status: s.status,
      substatus: null,
      enrollDate: s.enrollDate,
      withdrawDate: s.withdrawDate,
      graduationDate: s.graduationDate,
      gradeLevel: s.grade,
      nextStatus: s.status === "Enrolled" ? (next === undefined ? "Graduated" : "Enrolled") : null,
      nextGradeLevel: s.status === "Enrolled" ? (next ?? null) : null,
    },
  });
  rows.people.push({
    personId: s.personId,
    firstName: s.firstName,
    lastName: s.lastName,
    middleName: s.middleName,
    nickName: s.nickName,
    email: s.email,
    email2: s.email2,
    username: null,
    birthdate: s.birthdate,
    modifiedDate: rows.modified,
    hasProfilePicture: false,
  });
  rows.personFamilies.push({
    personId: s.personId,
    familyId: f.familyId,
    parent: false,
    student: true,
    familyOrder: null,
    financialResponsibility: false,
    factsCustomer: false,
  });
  addUdfData(rows.udfData, s.udf, s.personId);
}

/** A parent's People row (once per person), PersonFamily row, a ParentStudent row per child, their values. */
function addParentRows(rows: RosterRows, f: ModelFamily, p: ModelParent): void {
  const seen = rows.emitted.has(p.personId);
  rows.emitted.add(p.personId);
  if (!seen)
    rows.people.push({
      personId: p.personId,
      firstName: p.firstName,
      lastName: p.lastName,
      middleName: null,
      nickName: null,
      email: p.email,
      email2: null,
      username: null,
      birthdate: p.birthdate,
      modifiedDate: rows.modified,
      hasProfilePicture: false,
    });
  if (p.inFamily) {
    rows.personFamilies.push({
      personId: p.personId,
      familyId: f.familyId,
      parent: true,
      student: false,
      familyOrder: p.familyOrder,
      financialResponsibility: p.familyOrder === 1,
      factsCustomer: p.familyOrder === 1,
    });
  }
  for (const s of f.students) {
    rows.parentStudents.push({
      parentID: p.personId,
      studentID: s.personId,
      relationship: p.relationship,
      custody: p.custody,
      correspondence: !p.grandparent,
      grandparent: p.grandparent,
      emergencyContact: true,
      parentsWeb: !p.grandparent,
    });
  }
  if (!seen) addUdfData(rows.udfData, p.udf, p.personId);
}

/** `/UserDefinedGroups`: one group per kind of record, and a STAFF group the source must ignore. */
const UDF_GROUP_ROWS = [
  { groupId: 1, groupName: "Student info", groupType: "STUDENT" },
  { groupId: 2, groupName: "Parent info", groupType: "PARENT" },
  { groupId: 3, groupName: "Family info", groupType: "FAMILY" },
  { groupId: 4, groupName: "Staff info", groupType: "STAFF" },
] as const;

/** `/UserDefinedFields`: the fields of {@link UDF}, in their groups. */
function udfFieldRows() {
  return [
    {
      fieldId: UDF.tshirt.fieldId,
      groupId: 1,
      fieldName: "tshirt",
      fieldType: SIM_UDF_FIELD_TYPES.list,
      listItems: [...SIZES],
    },
    {
      fieldId: UDF.allergies.fieldId,
      groupId: 1,
      fieldName: "allergies",
      fieldType: SIM_UDF_FIELD_TYPES.text,
      listItems: null,
    },
    {
      fieldId: UDF.team.fieldId,
      groupId: 2,
      fieldName: "team",
      fieldType: SIM_UDF_FIELD_TYPES.list,
      listItems: [...TEAMS],
    },
    {
      fieldId: UDF.occupation.fieldId,
      groupId: 2,
      fieldName: "occupation",
      fieldType: SIM_UDF_FIELD_TYPES.text,
      listItems: null,
    },
    {
      fieldId: UDF.parish.fieldId,
      groupId: 3,
      fieldName: "parish",
      fieldType: SIM_UDF_FIELD_TYPES.list,
      listItems: [...PARISHES],
    },
    {
      fieldId: UDF.badge.fieldId,
      groupId: 4,
      fieldName: "badge",
      fieldType: SIM_UDF_FIELD_TYPES.text,
      listItems: null,
    },
  ];
}

/** `/Students/Status`: FACTS's statuses and sub-statuses (not paged). */
function studentStatusRows() {
  return [
    { status: "Enrolled", displayName: "Enrolled", subStatus: [] },
    { status: "Pre-Enrolled", displayName: "Pre-Enrolled", subStatus: [] },
    { status: "Withdrawn", displayName: "Withdrawn", subStatus: [{ id: 1, status: "Moved", schoolCode: null }] },
    { status: "Graduated", displayName: "Graduated", subStatus: [] },
    { status: "Inactive", displayName: "Inactive", subStatus: [] },
  ];
}

/** `/Academics/AttendanceCodes`: tardy, unexcused tardy, absent and present, per school. */
function attendanceCodeRowsOf(model: SchoolModel) {
  return model.schoolCodes.flatMap((_, s) =>
    [
      ["T", "Tardy"],
      ["TU", "Tardy unexcused"],
      ["A", "Absent"],
      ["P", "Present"],
    ].map(([code, name]) => ({
      code: code as string,
      name: name as string,
      schoolIdReference: { schoolId: s + 1 },
      absent: code === "A",
      tardy: code === "T" || code === "TU",
      faculty: false,
      excused: code === "T",
      lockChangesIfUsedByAdmin: false,
    })),
  );
}

const STATUS: Record<FactsStudentStatusName, PersonStatus> = {
  Enrolled: "enrolled",
  Graduated: "graduated",
  Withdrawn: "withdrawn",
  "Pre-Enrolled": "inactive",
  Inactive: "inactive",
};
const day = (v: string | null): string | null => (v ? v.slice(0, 10) : null);

/**
 * The people a FACTS roster read yields for a model, by FACTS's rules (FACTS.md): a student is a Students
 * row joined to People by `studentId`; a parent is anyone linked through ParentStudent, enrolled when one
 * of their children is; "listed first" is the lowest `familyOrder` of a family's parents.
 */
interface Membership {
  readonly family: ModelFamily;
  readonly parent: ModelParent;
  readonly listedFirst: boolean;
  readonly familyFields: Readonly<Record<string, string | null>>;
}

const udfFields = (values: Readonly<Record<string, string>>) => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) out[`udf:${k}`] = v;
  return out;
};

function expectedPeopleOf(model: SchoolModel): SourcePerson[] {
  const students: SourcePerson[] = [];
  const parents: SourcePerson[] = [];
  // A parent may be in several families (a stepparent): gather every membership first.
  const memberships = new Map<number, Membership[]>();
  for (const f of model.families) {
    const familyFields: Record<string, string | null> = {
      familyIds: String(f.familyId),
      familyName: f.familyName,
      familyCode: f.familyCode,
    };
    for (const [k, v] of Object.entries(f.udf)) familyFields[`family:${k}`] = v;
    for (const s of f.students) {
      students.push({
        sourceId: String(s.personId),
        role: "student",
        firstName: s.firstName,
        lastName: s.lastName,
        email: s.email,
        schoolCode: model.schoolCodes[s.schoolIndex] ?? "",
        gradeLevel: s.grade,
        status: STATUS[s.status],
        birthDate: day(s.birthdate),
        families: [{ familyId: String(f.familyId) }],
        studentIds: [],
        fields: {
          personStudentId: String(s.personStudentId),
          middleName: s.middleName,
          nickName: s.nickName,
          email2: s.email2,
          username: null,
          gender: s.gender,
          classYear: String(s.classYear),
          status: s.status,
          substatus: null,
          enrollDate: day(s.enrollDate),
          withdrawDate: day(s.withdrawDate),
          graduationDate: day(s.graduationDate),
          nextStatus: s.status === "Enrolled" ? (s.grade === "12" ? "Graduated" : "Enrolled") : null,
          nextGradeLevel:
            s.status === "Enrolled" ? (FACTS_GRADE_CODES[FACTS_GRADE_CODES.indexOf(s.grade as "K") + 1] ?? null) : null,
          ...familyFields,
          ...udfFields(s.udf),
        },
      });
    }
    // "Listed first" is the lowest familyOrder among the family's parents (ties: the lowest personId).
    let first: ModelParent | undefined;
    for (const p of f.parents) {
      if (!p.inFamily) continue;
      const order = p.familyOrder ?? Number.POSITIVE_INFINITY;
      const best = first?.familyOrder ?? Number.POSITIVE_INFINITY;
      if (first === undefined || order < best || (order === best && p.personId < first.personId)) first = p;
    }
    for (const p of f.parents) {
      const list = memberships.get(p.personId);
      const m: Membership = { family: f, parent: p, listedFirst: first === p, familyFields };
      if (list === undefined) memberships.set(p.personId, [m]);
      else list.push(m);
    }
  }
  const studentById = new Map<number, ModelStudent>();
  for (const f of model.families) for (const s of f.students) studentById.set(s.personId, s);
  for (const [personId, list] of memberships) {
    const p = (list[0] as Membership).parent;
    // Links to every child of every family the parent is in, by ascending child id.
    const links = list
      .flatMap((m) => m.family.students.map((c) => ({ child: c, parent: m.parent })))
      .sort((a, b) => a.child.personId - b.child.personId);
    const children = [...new Set(links.map((l) => l.child.personId))].map((id) => studentById.get(id) as ModelStudent);
    // The first enrolled child (by id) decides the parent's school.
    const enrolled = children.find((c) => c.status === "Enrolled");
    const anchor = enrolled ?? children[0];
    const codes = [...new Set(children.map((c) => model.schoolCodes[c.schoolIndex] ?? ""))]
      .filter((c) => c !== "")
      .sort();
    const inFamilies = list.filter((m) => m.parent.inFamily).sort((a, b) => a.family.familyId - b.family.familyId);
    const families: FamilyLink[] = inFamilies.map((m) => ({
      familyId: String(m.family.familyId),
      relationship: m.parent.relationship,
      listedFirst: m.listedFirst,
      ...(m.parent.familyOrder === null ? {} : { parentOrder: m.parent.familyOrder }),
      custody: m.parent.custody,
    }));
    const primary = inFamilies[0];
    const firstLink = links[0];
    parents.push({
      sourceId: String(personId),
      role: "parent",
      firstName: p.firstName,
      lastName: p.lastName,
      email: p.email,
      schoolCode: anchor === undefined ? "" : (model.schoolCodes[anchor.schoolIndex] ?? ""),
      status: enrolled === undefined ? "inactive" : "enrolled",
      birthDate: day(p.birthdate),
      families,
      studentIds: children.map((c) => String(c.personId)),
      fields: {
        middleName: null,
        nickName: null,
        email2: null,
        username: null,
        relationship: firstLink?.parent.relationship ?? null,
        custody: firstLink === undefined ? null : String(firstLink.parent.custody),
        schoolCodes: codes.join(","),
        ...(primary === undefined
          ? {}
          : { ...primary.familyFields, familyIds: inFamilies.map((m) => m.family.familyId).join(",") }),
        ...udfFields(p.udf),
      },
    });
  }
  // Ids grow with families, so people come out in ascending id order already within each role.
  students.sort((a, b) => Number(a.sourceId) - Number(b.sourceId));
  parents.sort((a, b) => Number(a.sourceId) - Number(b.sourceId));
  return [...students, ...parents];
}
