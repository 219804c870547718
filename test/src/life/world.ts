/**
 * A school's world for the lifecycle simulation: the SIS roster (three divisions, families spanning them),
 * the host's accounts before the first sync, and the yearly events that change both.
 */
import { type Account, normaliseEmail, type SourcePerson } from "@rostersync/core";
import { GRADE_CODES, generateSchool, nextSchoolYear, type SeededRandom, seededRandom } from "@rostersync/core/testing";

/** The division a grade belongs to: ES (K–05), MS (06–08), HS (09–12). */
export function divisionOf(grade: string | null | undefined): string {
  const i = GRADE_CODES.indexOf((grade ?? "K") as (typeof GRADE_CODES)[number]);
  return i <= 5 ? "ES" : i <= 8 ? "MS" : "HS";
}

/** Students sit in the division of their grade; a parent takes the school of their lowest-id child, as FACTS gives it. */
export function placeInDivisions(people: readonly SourcePerson[]): SourcePerson[] {
  const students = people.map((p) => (p.role === "student" ? { ...p, schoolCode: divisionOf(p.gradeLevel) } : p));
  const schoolOf = new Map(students.filter((p) => p.role === "student").map((p) => [p.sourceId, p.schoolCode]));
  return students.map((p) => {
    if (p.role !== "parent") return p;
    const first = [...p.studentIds].sort((a, b) => Number(a) - Number(b)).find((id) => schoolOf.has(id));
    return first === undefined ? p : { ...p, schoolCode: schoolOf.get(first) ?? p.schoolCode };
  });
}

/** The first world: a generated school over ES/MS/HS, some students pre-enrolled, a host with accounts of its own. */
export function firstWorld(seed: number, size: number): { people: SourcePerson[]; accounts: Account[] } {
  const school = generateSchool({
    seed,
    people: size,
    schools: ["ES", "MS", "HS"],
    accountsFor: "both",
    linkedRate: 0,
    emailMatchRate: 0.25,
    extraAccountRate: 0.05,
    sharedEmailRate: 0.06,
  });
  const random = seededRandom(seed ^ 0x5eed);
  // Pre-enrolled students: not enrolled yet (FACTS status "Pre-Enrolled" normalises to inactive).
  const people = placeInDivisions(
    school.people.map((p) =>
      p.role === "student" && p.status === "enrolled" && random.chance(0.05) ? { ...p, status: "inactive" } : p,
    ),
  );
  const accounts = school.accounts.map((a): Account => ({ ...a, sourceId: undefined, managed: false }));
  // A few host accounts under a person's email are archived and were never synced (restore and link, R6).
  const archived = accounts.map((a) => (random.chance(0.15) ? { ...a, archived: true } : a));
  // Look-alikes: the same person under another email in the host (a merge candidate, never merged by itself).
  const lookAlikes: Account[] = [];
  for (const p of people) {
    if (!random.chance(0.03) || p.email === null) continue;
    lookAlikes.push({
      accountId: `host-la-${p.sourceId}`,
      email: `other.${p.sourceId}@host.example`,
      firstName: p.firstName,
      lastName: p.lastName,
      birthDate: p.birthDate ?? null,
      archived: false,
      managed: false,
      fields: {},
      neverAccessed: false,
    });
  }
  return { people, accounts: [...archived, ...lookAlikes] };
}

/** What changes between two school years besides promotion: the events the simulation draws. */
export interface YearEvents {
  readonly seed: number;
  /** Share of people without a (valid) email who get one. */
  readonly emailFixRate: number;
  /** Share of people whose email changes. */
  readonly emailChangeRate: number;
  /** Share of pre-enrolled students who become enrolled. */
  readonly enrolRate: number;
  /** Share of people who start sharing a family member's email. */
  readonly newSharedRate: number;
}

/** The next school year: promotions, graduations, withdrawals and returns, new families, email fixes and changes. */
export function nextWorld(people: readonly SourcePerson[], events: YearEvents): SourcePerson[] {
  const random: SeededRandom = seededRandom(events.seed);
  const promoted = nextSchoolYear(
    {
      seed: events.seed,
      people: [...people],
      accounts: [],
      schools: ["ES", "MS", "HS"].map((schoolCode) => ({ schoolCode, name: schoolCode, active: true })),
      gradeLevels: [],
      families: new Set(people.flatMap((p) => p.families.map((f) => f.familyId))).size,
    },
    { seed: events.seed },
  ).people;
  const byFamily = new Map<string, SourcePerson[]>();
  for (const p of promoted)
    for (const f of p.families) byFamily.set(f.familyId, [...(byFamily.get(f.familyId) ?? []), p]);
  const changed = promoted.map((p): SourcePerson => {
    let next = p;
    if (p.role === "student" && p.status === "inactive" && random.chance(events.enrolRate)) {
      next = { ...next, status: "enrolled" };
    }
    const email = normaliseEmail(p.email);
    const broken = email === "" || !email.includes("@") || !email.split("@")[1]?.includes(".");
    if (broken && random.chance(events.emailFixRate)) {
      next = { ...next, email: `fixed.${p.sourceId}@school.example` };
    } else if (!broken && random.chance(events.emailChangeRate)) {
      next = { ...next, email: `new${events.seed % 97}.${p.sourceId}@school.example` };
    } else if (random.chance(events.newSharedRate)) {
      const relative = (byFamily.get(p.families[0]?.familyId ?? "") ?? []).find(
        (q) => q.sourceId !== p.sourceId && q.email !== null && q.email !== "",
      );
      if (relative) next = { ...next, email: relative.email };
    }
    return next;
  });
  return placeInDivisions(changed);
}
