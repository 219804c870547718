/**
 * A school's world for the lifecycle simulation: the SIS roster (three divisions, families spanning them),
 * the host's accounts before the first sync, and the yearly events that change both.
 */
import {
  type Account,
  createMemoryDirectory,
  createMemoryHoursSink,
  createMemoryRosterSource,
  createMemoryStore,
  type HoursSink,
  normaliseEmail,
  type RosterSource,
  type SisServiceHour,
  type SourcePerson,
  type SyncStore,
  type TargetDirectory,
} from "@rostersync/core";
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

/**
 * Everything a life runs against: the SIS (its truth, for the oracle, and the source the sync reads), the
 * host's directory, the store, and FACTS service hours. One over the in-memory adapters, one over HTTP.
 */
export interface LifeWorld {
  /** The SIS as it is now. */
  people(): readonly SourcePerson[];
  /** The next school year. */
  advance(events: YearEvents): void;
  readonly source: RosterSource;
  readonly directory: TargetDirectory;
  /** Every host account, as the directory holds it now. */
  accounts(): Promise<readonly Account[]>;
  /** Directory writes so far, when the adapter counts them. */
  writes?(): number;
  readonly store: SyncStore;
  readonly sink: HoursSink;
  /** Every FACTS service-hours record now. */
  records(): Promise<readonly SisServiceHour[]>;
  /** Hours FACTS held before the integration. */
  readonly historic: readonly SisServiceHour[];
  close(): Promise<void>;
}

/**
 * The host before its first sync: accounts under some people's emails (a few archived, never synced),
 * look-alikes under another email (merge candidates), and staff nobody in the SIS knows.
 */
export function hostAccountsFor(people: readonly SourcePerson[], seed: number): Account[] {
  const random = seededRandom(seed ^ 0xacc7);
  const accounts: Account[] = [];
  const taken = new Set<string>();
  for (const p of people) {
    const email = normaliseEmail(p.email);
    if (email === "" || taken.has(email)) continue;
    if (random.chance(0.25)) {
      taken.add(email);
      accounts.push({
        accountId: `host-${p.sourceId}`,
        email,
        firstName: p.firstName,
        lastName: p.lastName,
        archived: random.chance(0.15),
        managed: false,
        fields: {},
        neverAccessed: random.chance(0.5),
      });
    } else if (random.chance(0.03)) {
      accounts.push({
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
  }
  for (let i = 0; i < Math.ceil(people.length * 0.03); i++) {
    accounts.push({
      accountId: `staff-${i}`,
      email: `staff${i}@host.example`,
      archived: false,
      managed: false,
      fields: {},
      neverAccessed: false,
    });
  }
  return accounts;
}

/** Hours staff typed into FACTS before the integration: one for some enrolled people. */
export function historicHoursFor(people: readonly SourcePerson[], seed: number): SisServiceHour[] {
  const random = seededRandom(seed ^ 0x4157);
  return people
    .filter((p) => p.status === "enrolled" && random.chance(0.15))
    .map((p, i) => ({
      serviceHoursId: String(900_001 + i),
      hostHourId: null,
      personId: p.sourceId,
      role: p.role,
      date: "2026-03-02",
      hours: 2,
      description: "Spring fair",
    }));
}

/** The first roster: a generated school over ES/MS/HS, some students pre-enrolled (not enrolled yet). */
export function firstPeople(seed: number, size: number): SourcePerson[] {
  const school = generateSchool({
    seed,
    people: size,
    schools: ["ES", "MS", "HS"],
    accountsFor: "none",
    sharedEmailRate: 0.06,
  });
  const random = seededRandom(seed ^ 0x5eed);
  // FACTS status "Pre-Enrolled" normalises to inactive.
  return placeInDivisions(
    school.people.map((p) =>
      p.role === "student" && p.status === "enrolled" && random.chance(0.05) ? { ...p, status: "inactive" } : p,
    ),
  );
}

const SCHOOLS = [
  { schoolCode: "ES", name: "Elementary", active: true },
  { schoolCode: "MS", name: "Middle", active: true },
  { schoolCode: "HS", name: "High", active: true },
];

/** Every grade the SIS lists, whether or not a student is in it this year. */
const GRADE_LEVELS = GRADE_CODES.map((code, i) => ({ code, name: code, sortOrder: i, final: code === "12" }));

/** A world on the in-memory adapters. */
export function memoryWorld(seed: number, size: number): LifeWorld {
  let people = firstPeople(seed, size);
  const directory = createMemoryDirectory({ accounts: hostAccountsFor(people, seed) });
  const historic = historicHoursFor(people, seed);
  const sink = createMemoryHoursSink({ hours: historic });
  return {
    people: () => people,
    advance(events) {
      people = nextWorld(people, events);
    },
    source: createMemoryRosterSource({ snapshot: () => ({ people, schools: SCHOOLS, gradeLevels: GRADE_LEVELS }) }),
    directory,
    accounts: async () => directory.snapshot(),
    writes: () => directory.writes(),
    store: createMemoryStore(),
    sink,
    records: async () => sink.snapshot(),
    historic,
    close: async () => {},
  };
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
