/**
 * Shared fixtures of sync's hours tests: one in-memory school with both hours ports, the accounts, profiles,
 * host entries and SIS records the tests build it from. Each test still says what it changes; what every
 * hours test needs (the wiring of `createSync` over the memory adapters) lives here once.
 */
import {
  type Account,
  createMemoryDirectory,
  createMemoryHoursSink,
  createMemoryHoursSource,
  createMemoryRosterSource,
  createMemoryStore,
  type HostHourEntry,
  type HoursSink,
  type MemoryDirectory,
  type MemoryHoursSink,
  type MemoryHoursSource,
  type MemoryStore,
  type RosterSnapshot,
  type SisServiceHour,
  type SyncProfile,
} from "@rostersync/core";
import type { Result } from "neverthrow";
import { createSync, type Sync, type SyncOptions } from "../../src/index.js";

/** The value of a result, or a throw that shows the error (a test failure names it). */
export function must<T, E>(result: Result<T, E>): T {
  if (result.isErr()) throw new Error(JSON.stringify(result.error));
  return result.value;
}

/** A roster with nobody in it and no catalogue: enough for tests whose profile names no school or grade. */
export const EMPTY_ROSTER: RosterSnapshot = { people: [], schools: [], gradeLevels: [] };

/** A school with no people yet: the setup's school (`MAIN`) and grade (`08`) exist (setup checks them). */
export const EMPTY_SCHOOL: RosterSnapshot = {
  people: [],
  schools: [{ schoolCode: "MAIN", name: "Main", active: true }],
  gradeLevels: [{ code: "08", name: "08", sortOrder: 8, final: true }],
};

/** What a roster snapshot holds of a generated school (its people and catalogue, nothing else). */
export function rosterOf(school: Pick<RosterSnapshot, "people" | "schools" | "gradeLevels">): RosterSnapshot {
  return { people: school.people, schools: school.schools, gradeLevels: school.gradeLevels };
}

/** Every grade FACTS's generated school has, K to 12. */
export const ALL_GRADES: readonly string[] = [
  "K",
  "01",
  "02",
  "03",
  "04",
  "05",
  "06",
  "07",
  "08",
  "09",
  "10",
  "11",
  "12",
];

/**
 * A students' profile with no fields mapped and new people selected. Default scope: school `MAIN`, grade `08`,
 * hours write-back off and the historic import not done.
 */
export function studentProfile(
  options: {
    readonly schools?: readonly string[];
    readonly gradeLevels?: readonly string[];
    readonly hoursSync?: SyncProfile["hoursSync"];
  } = {},
): SyncProfile {
  return {
    role: "student",
    schools: [...(options.schools ?? ["MAIN"])],
    gradeLevels: [...(options.gradeLevels ?? ["08"])],
    fieldMap: [],
    defaultSelection: true,
    hoursSync: options.hoursSync ?? { enabled: false, historicImportDone: false },
  };
}

/** Students of every school and grade, hours write-back on and the historic import done: for push tests. */
export const PUSHING_PROFILE: SyncProfile = studentProfile({
  schools: [],
  gradeLevels: [],
  hoursSync: { enabled: true, historicImportDone: true },
});

/** A managed, live host account; linked to the SIS person `sourceId` when one is given. */
export function hostAccount(accountId: string, email: string, sourceId?: string): Account {
  return {
    accountId,
    email,
    ...(sourceId === undefined ? {} : { sourceId }),
    archived: false,
    managed: true,
    fields: {},
    neverAccessed: false,
  };
}

/**
 * `count` accounts `a<n>` (`p<n>@example.org`) for n = `first`, `first + 1`…, each linked to the SIS person
 * `sourceBase + n`, or unlinked when `sourceBase` is left out.
 */
export function numberedAccounts(
  count: number,
  options: { readonly first?: number; readonly sourceBase?: number } = {},
): Account[] {
  const first = options.first ?? 1;
  return Array.from({ length: count }, (_, i) => {
    const n = first + i;
    const sourceId = options.sourceBase === undefined ? undefined : `${options.sourceBase + n}`;
    return hostAccount(`a${n}`, `p${n}@example.org`, sourceId);
  });
}

/** A host hour entry of a student, approved and live unless `fields` say otherwise. */
export function hostHour(
  fields: Pick<HostHourEntry, "hourId" | "accountId" | "date" | "hours" | "description" | "updatedAt"> &
    Partial<HostHourEntry>,
): HostHourEntry {
  const { hourId, accountId, date, hours, description, updatedAt, ...rest } = fields;
  return {
    hourId,
    accountId,
    role: "student",
    date,
    hours,
    description,
    approved: true,
    deleted: false,
    updatedAt,
    ...rest,
  };
}

/** A student's service-hours record FACTS held before the integration (the school typed it in). */
export function historicHour(
  fields: Pick<SisServiceHour, "serviceHoursId" | "personId" | "date" | "hours" | "description"> &
    Partial<SisServiceHour>,
): SisServiceHour {
  const { serviceHoursId, personId, date, hours, description, ...rest } = fields;
  return { serviceHoursId, hostHourId: null, personId, role: "student", date, hours, description, ...rest };
}

/** What {@link hoursSchool} wires; every other `createSync` option passes through unchanged. */
export type HoursSchoolOptions<S extends HoursSink> = Partial<
  Omit<SyncOptions, "source" | "directory" | "store" | "hours" | "hoursSource">
> & {
  /** The host's accounts, in a new memory directory. Default none. */
  readonly accounts?: readonly Account[] | undefined;
  /** A directory to share with another instance (then `accounts` is not read). */
  readonly directory?: MemoryDirectory | undefined;
  /** What the roster source answers, or a function read on each refresh. Default {@link EMPTY_ROSTER}. */
  readonly roster?: RosterSnapshot | (() => RosterSnapshot) | undefined;
  /** Where approved hours go. Default an empty memory sink. */
  readonly sink?: S | undefined;
  /** A store to share with another instance. Default a new memory store. */
  readonly store?: MemoryStore | undefined;
  /** The host's hour entries, to share with another instance. Default a new, empty one. */
  readonly hoursSource?: MemoryHoursSource | undefined;
};

/** One school in memory with both hours ports, and the parts a test looks into. */
export interface HoursSchool<S extends HoursSink> {
  readonly sync: Sync;
  readonly directory: MemoryDirectory;
  readonly store: MemoryStore;
  readonly sink: S;
  readonly hoursSource: MemoryHoursSource;
}

/**
 * A `createSync` over memory adapters with hours write-back wired: tenant `school-1` unless `tenantId` says
 * otherwise. Setup is left to the test (what it saves is often what the test is about).
 */
export function hoursSchool<S extends HoursSink = MemoryHoursSink>(
  options: HoursSchoolOptions<S> = {},
): HoursSchool<S> {
  const { accounts, directory, roster, sink, store, hoursSource, ...rest } = options;
  const parts = {
    directory: directory ?? createMemoryDirectory(accounts === undefined ? {} : { accounts }),
    store: store ?? createMemoryStore(),
    sink: sink ?? (createMemoryHoursSink() as HoursSink as S),
    hoursSource: hoursSource ?? createMemoryHoursSource(),
  };
  const sync = createSync({
    tenantId: "school-1",
    source: createMemoryRosterSource({ snapshot: roster ?? EMPTY_ROSTER }),
    directory: parts.directory,
    store: parts.store,
    hours: parts.sink,
    hoursSource: parts.hoursSource,
    ...rest,
  });
  return { sync, ...parts };
}

/** A settable clock for {@link hoursSchool}: `now()` reads `at`, which a test moves. */
export function manualClock(start: number): { at: number; now: () => number } {
  const clock = { at: start, now: () => clock.at };
  return clock;
}
