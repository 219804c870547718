import { isValidEmail, normaliseEmail } from "../email.js";
import type { SourceGradeLevel, SourceSchool } from "../ports/roster-source.js";
import type { Account, FamilyLink, FieldMapping, Role, SourcePerson, SyncProfile } from "../types.js";
import { type SeededRandom, seededRandom } from "./random.js";

/** The grade codes of a generated school, youngest first. */
export const GRADE_CODES = ["K", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"] as const;

/** How a generated school looks. Every rate is a fraction of people. */
export interface SchoolOptions {
  /** The same seed always gives the same school. */
  readonly seed: number;
  /** About how many people (students and parents) to generate. Default 300. */
  readonly people?: number | undefined;
  /** School codes; families are spread over them. Default `["MAIN"]`. */
  readonly schools?: readonly string[] | undefined;
  /** People who share another family member's email. Default 0.03. */
  readonly sharedEmailRate?: number | undefined;
  /** People without an email. Default 0.05. */
  readonly missingEmailRate?: number | undefined;
  /** People with an email that fails R1's syntax. Default 0.02. */
  readonly invalidEmailRate?: number | undefined;
  /** People who are not enrolled (graduated, withdrawn, inactive). Default 0.04. */
  readonly notEnrolledRate?: number | undefined;
  /** Whose accounts the host already has: students, parents, both (default) or nobody. */
  readonly accountsFor?: Role | "both" | "none" | undefined;
  /** People with a managed account linked to them. Default 0.85. */
  readonly linkedRate?: number | undefined;
  /** People with an unlinked, unmanaged account under the same email (auto-merge, R6). Default 0.05. */
  readonly emailMatchRate?: number | undefined;
  /** Accounts of nobody in the SIS (staff, volunteers), per person. Default 0.05. */
  readonly extraAccountRate?: number | undefined;
  /** Linked accounts whose mapped fields differ from the SIS (an update is due). Default 0.02. */
  readonly driftRate?: number | undefined;
}

/** A generated school: the SIS roster and the host's accounts. */
export interface GeneratedSchool {
  readonly seed: number;
  readonly people: SourcePerson[];
  readonly accounts: Account[];
  readonly schools: SourceSchool[];
  readonly gradeLevels: SourceGradeLevel[];
  /** How many families were generated. */
  readonly families: number;
}

/** First names a generated school draws from; some carry accents (emails fold them with {@link asciiLetters}). */
export const FIRST_NAMES: readonly string[] = [
  "Ava",
  "Liam",
  "Mia",
  "Noah",
  "Zoe",
  "Omar",
  "Lena",
  "Jonas",
  "Amara",
  "Kai",
  "Sofia",
  "Mateo",
  "Aisha",
  "Ethan",
  "Chloé",
  "Renée",
  "Björn",
  "Hana",
  "Diego",
  "Priya",
  "Lucas",
  "Ines",
  "Yusuf",
  "Grace",
];
/** Last names a generated school draws from. */
export const LAST_NAMES: readonly string[] = [
  "Nguyen",
  "Smith",
  "García",
  "Okafor",
  "Müller",
  "Rossi",
  "Kim",
  "Haddad",
  "Novak",
  "Silva",
  "Brown",
  "O'Neil",
  "Dubois",
  "Kowalski",
  "Tanaka",
  "Johnson",
  "Ahmed",
  "Larsen",
  "Costa",
  "Meyer",
];
const RELATIONSHIPS = ["Mother", "Father", "Guardian", "Grandparent", "Stepparent"];
/** T-shirt sizes: the options of the generated `udf:tshirt` dropdown. */
export const SIZES: readonly string[] = ["YS", "YM", "YL", "S", "M", "L", "XL"];
/** Volunteer teams: the options of the generated `udf:team` dropdown. */
export const TEAMS: readonly string[] = ["Library", "Lunch", "Field trips", "Fundraising", "Sports"];

/** The field map a generated school's profile uses: two UDFs per role, one a dropdown. */
export function generatedFieldMap(role: Role): FieldMapping[] {
  return role === "student"
    ? [
        { source: "homeroom", target: "Homeroom" },
        { source: "udf:tshirt", target: "T-Shirt Size", createAs: "dropdown" },
      ]
    : [
        { source: "phone", target: "Phone" },
        { source: "udf:team", target: "Volunteer Team", createAs: "dropdown" },
      ];
}

/**
 * A profile that takes every school and grade of a generated school, for the given role.
 *
 * @example
 * ```ts
 * const school = generateSchool({ seed: 7 });
 * const profile = generatedProfile(school, "student");
 * ```
 */
export function generatedProfile(school: GeneratedSchool, role: Role): SyncProfile {
  return {
    role,
    schools: school.schools.map((s) => s.schoolCode),
    gradeLevels: [...GRADE_CODES],
    fieldMap: generatedFieldMap(role),
    defaultSelection: true,
    hoursSync: { enabled: false, historicImportDone: false },
  };
}

/** A name as the ASCII letters of a generated email: accents dropped, anything but A–Z removed, lower case. */
export const asciiLetters = (s: string): string =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z]/g, "")
    .toLowerCase();

/** Grade offset from K, for birth dates. */
const gradeIndex = (grade: string): number => (grade === "K" ? 0 : Number(grade));

interface Rates {
  readonly sharedEmailRate: number;
  readonly missingEmailRate: number;
  readonly invalidEmailRate: number;
  readonly notEnrolledRate: number;
  readonly accountsFor: Role | "both" | "none";
  readonly linkedRate: number;
  readonly emailMatchRate: number;
  readonly extraAccountRate: number;
  readonly driftRate: number;
}

interface Builder {
  readonly random: SeededRandom;
  readonly options: Rates;
  readonly schools: readonly string[];
  nextId: number;
  nextFamily: number;
  readonly people: SourcePerson[];
}

function emailFor(b: Builder, first: string, last: string, id: number, domain: string): string | null {
  const r = b.random.next();
  const o = b.options;
  if (r < o.missingEmailRate) return b.random.chance(0.5) ? null : "";
  if (r < o.missingEmailRate + o.invalidEmailRate) {
    return b.random.pick([
      `${asciiLetters(first)} ${asciiLetters(last)}@${domain}`,
      `${asciiLetters(first)}.${id}@localhost`,
      `${asciiLetters(last)}${id}`,
    ]);
  }
  const local = `${asciiLetters(first)}.${asciiLetters(last)}${id}`;
  // Some SIS emails carry case and stray spaces; R1 must make them the same mailbox.
  if (b.random.chance(0.05))
    return ` ${asciiLetters(first).toUpperCase()}.${asciiLetters(last)}${id}@${domain.toUpperCase()} `;
  return `${local}@${domain}`;
}

function studentFields(b: Builder, grade: string): Record<string, string | null> {
  return {
    homeroom: `HR-${grade}${b.random.pick(["A", "B", "C"])}`,
    "udf:tshirt": b.random.pick(SIZES),
    "udf:allergies": b.random.chance(0.1) ? "peanuts" : null,
  };
}

function parentFields(b: Builder): Record<string, string | null> {
  return {
    phone: `555-${String(b.random.int(0, 9999)).padStart(4, "0")}`,
    "udf:team": b.random.chance(0.3) ? b.random.pick(TEAMS) : null,
  };
}

/** Adds one family (1–4 children, 1–3 parents) and returns how many people it added. */
function addFamily(b: Builder, grades: readonly string[] = GRADE_CODES): number {
  const familyId = `F${b.nextFamily++}`;
  const last = b.random.pick(LAST_NAMES);
  const schoolCode = b.random.pick(b.schools);
  const childCount = b.random.int(1, 4);
  const parentCount = b.random.int(1, 3);
  const family: SourcePerson[] = [];
  const childIds: string[] = [];
  for (let c = 0; c < childCount; c++) {
    const id = b.nextId++;
    const first = b.random.pick(FIRST_NAMES);
    const grade = b.random.pick(grades);
    const notEnrolled = b.random.chance(b.options.notEnrolledRate);
    const status = notEnrolled
      ? grade === "12"
        ? "graduated"
        : b.random.pick(["withdrawn", "inactive"] as const)
      : "enrolled";
    childIds.push(String(id));
    family.push({
      sourceId: String(id),
      role: "student",
      firstName: first,
      lastName: last,
      email: emailFor(b, first, last, id, "students.example.org"),
      schoolCode,
      gradeLevel: grade,
      status,
      birthDate: `${2020 - gradeIndex(grade)}-${String(b.random.int(1, 12)).padStart(2, "0")}-${String(b.random.int(1, 28)).padStart(2, "0")}`,
      families: [{ familyId }],
      studentIds: [],
      fields: studentFields(b, grade),
    });
  }
  for (let p = 0; p < parentCount; p++) {
    const id = b.nextId++;
    const first = b.random.pick(FIRST_NAMES);
    const link: FamilyLink = {
      familyId,
      relationship: p === 0 ? b.random.pick(["Mother", "Father"]) : b.random.pick(RELATIONSHIPS),
      listedFirst: p === 0,
      parentOrder: p + 1,
      custody: b.random.chance(0.9),
    };
    family.push({
      sourceId: String(id),
      role: "parent",
      firstName: first,
      lastName: b.random.chance(0.8) ? last : b.random.pick(LAST_NAMES),
      email: emailFor(b, first, last, id, "mail.example.com"),
      schoolCode,
      gradeLevel: null,
      status: "enrolled",
      birthDate: b.random.chance(0.5)
        ? `19${b.random.int(70, 95)}-0${b.random.int(1, 9)}-1${b.random.int(0, 9)}`
        : null,
      families: [link],
      studentIds: childIds,
      fields: parentFields(b),
    });
  }
  // Shared emails: a family email used by a second parent, or a child using a parent's address.
  if (family.length > 1) {
    for (let i = 0; i < family.length; i++) {
      if (!b.random.chance(b.options.sharedEmailRate)) continue;
      const other = family[(i + 1) % family.length] as SourcePerson;
      const self = family[i] as SourcePerson;
      family[i] = { ...self, email: other.email };
    }
  }
  for (const person of family) b.people.push(person);
  return family.length;
}

function accountsFor(b: Builder, people: readonly SourcePerson[]): Account[] {
  const o = b.options;
  const accounts: Account[] = [];
  const taken = new Set<string>();
  let next = 1;
  const add = (account: Omit<Account, "accountId">): void => {
    const key = normaliseEmail(account.email);
    if (taken.has(key)) return;
    taken.add(key);
    accounts.push({ accountId: `a${next++}`, ...account });
  };
  for (const person of people) {
    if (o.accountsFor === "none" || (o.accountsFor !== "both" && person.role !== o.accountsFor)) continue;
    const email = normaliseEmail(person.email);
    const valid = isValidEmail(email);
    const r = b.random.next();
    const base = {
      firstName: person.firstName,
      lastName: person.lastName,
      birthDate: person.birthDate ?? null,
      neverAccessed: b.random.chance(0.3),
    };
    if (r < o.linkedRate) {
      const fields: Record<string, string | null> = {};
      for (const m of generatedFieldMap(person.role)) fields[m.target] = person.fields[m.source] ?? null;
      if (b.random.chance(o.driftRate)) fields[generatedFieldMap(person.role)[0]?.target ?? "x"] = "old value";
      const firstFamily = person.families[0]?.familyId;
      add({
        ...base,
        // A linked person whose SIS email went missing keeps the address the host knew.
        email: valid ? email : `old.${person.sourceId}@mail.example.com`,
        sourceId: person.sourceId,
        archived: b.random.chance(0.01),
        managed: true,
        ...(person.role === "parent" && firstFamily !== undefined ? { familyGroupId: firstFamily } : {}),
        fields,
      });
    } else if (r < o.linkedRate + o.emailMatchRate && valid) {
      add({ ...base, email, archived: false, managed: false, fields: {} });
    }
    if (b.random.chance(o.extraAccountRate)) {
      add({
        email: `volunteer${next}@host.example.net`,
        firstName: b.random.pick(FIRST_NAMES),
        lastName: b.random.pick(LAST_NAMES),
        archived: false,
        managed: false,
        fields: {},
        neverAccessed: b.random.chance(0.5),
      });
    }
  }
  return accounts;
}

function defaults(options: SchoolOptions): Rates {
  return {
    sharedEmailRate: options.sharedEmailRate ?? 0.03,
    missingEmailRate: options.missingEmailRate ?? 0.05,
    invalidEmailRate: options.invalidEmailRate ?? 0.02,
    notEnrolledRate: options.notEnrolledRate ?? 0.04,
    accountsFor: options.accountsFor ?? "both",
    linkedRate: options.linkedRate ?? 0.85,
    emailMatchRate: options.emailMatchRate ?? 0.05,
    extraAccountRate: options.extraAccountRate ?? 0.05,
    driftRate: options.driftRate ?? 0.02,
  };
}

function sourceSchools(codes: readonly string[]): SourceSchool[] {
  return codes.map((code) => ({ schoolCode: code, name: `School ${code}`, active: true }));
}

function sourceGrades(): SourceGradeLevel[] {
  return GRADE_CODES.map((code, i) => ({
    code,
    name: code === "K" ? "Kindergarten" : `Grade ${Number(code)}`,
    sortOrder: i,
    final: code === "12",
  }));
}

/**
 * Generate a realistic school, the same for the same options: families of 1–4 children and 1–3 parents,
 * about 3% shared, 5% missing and 2% invalid emails, some not enrolled, UDF fields, grade codes
 * `K`, `01`…`12`, and host accounts (linked, matching by email, unrelated).
 *
 * @example
 * ```ts
 * const school = generateSchool({ seed: 1, people: 3000 });
 * const report = review({ people: school.people, accounts: school.accounts,
 *   profile: generatedProfile(school, "parent"), decisions: EMPTY_DECISIONS });
 * ```
 */
export function generateSchool(options: SchoolOptions): GeneratedSchool {
  const schools = options.schools ?? ["MAIN"];
  const b: Builder = {
    random: seededRandom(options.seed),
    options: defaults(options),
    schools,
    nextId: 100001,
    nextFamily: 1,
    people: [],
  };
  const target = options.people ?? 300;
  let count = 0;
  while (count < target) count += addFamily(b);
  return {
    seed: options.seed,
    people: b.people,
    accounts: accountsFor(b, b.people),
    schools: sourceSchools(schools),
    gradeLevels: sourceGrades(),
    families: b.nextFamily - 1,
  };
}

/** How the next school year differs. */
export interface NextYearOptions {
  /** Seed of this year's changes. */
  readonly seed: number;
  /** New families, as a share of this year's families. Default 0.08. */
  readonly newFamilyRate?: number | undefined;
  /** Enrolled students who leave (withdrawn). Default 0.02. */
  readonly withdrawRate?: number | undefined;
  /** Withdrawn students who come back (enrolled again). Default 0.3. */
  readonly returnRate?: number | undefined;
}

/**
 * The same school a year later: seniors graduate, everyone else moves up a grade (K → 01), a few
 * students withdraw, some who left come back, and new families arrive with young children. Accounts
 * are kept as they were (apply a plan to change them).
 *
 * @example
 * ```ts
 * const nextYear = nextSchoolYear(school, { seed: 2 });
 * ```
 */
export function nextSchoolYear(school: GeneratedSchool, options: NextYearOptions): GeneratedSchool {
  const random = seededRandom(options.seed);
  const withdrawRate = options.withdrawRate ?? 0.02;
  const returnRate = options.returnRate ?? 0.3;
  let maxId = 100000;
  let maxFamily = 0;
  for (const p of school.people) {
    maxId = Math.max(maxId, Number(p.sourceId) || 0);
    for (const f of p.families) maxFamily = Math.max(maxFamily, Number(f.familyId.slice(1)) || 0);
  }
  const people: SourcePerson[] = school.people.map((p) => {
    if (p.role !== "student") return p;
    if (p.status === "withdrawn" && random.chance(returnRate)) return { ...p, status: "enrolled" };
    if (p.status !== "enrolled") return p;
    if (p.gradeLevel === "12") return { ...p, status: "graduated" };
    if (random.chance(withdrawRate)) return { ...p, status: "withdrawn" };
    const next = GRADE_CODES[GRADE_CODES.indexOf((p.gradeLevel ?? "K") as (typeof GRADE_CODES)[number]) + 1] ?? "12";
    return { ...p, gradeLevel: next, fields: { ...p.fields, homeroom: `HR-${next}A` } };
  });
  const b: Builder = {
    random,
    options: defaults({ seed: options.seed }),
    schools: school.schools.map((s) => s.schoolCode),
    nextId: maxId + 1,
    nextFamily: maxFamily + 1,
    people,
  };
  const newFamilies = Math.max(1, Math.round(school.families * (options.newFamilyRate ?? 0.08)));
  for (let i = 0; i < newFamilies; i++) addFamily(b, ["K", "K", "01", "06", "09"]);
  return { ...school, seed: options.seed, people, families: b.nextFamily - 1 };
}
