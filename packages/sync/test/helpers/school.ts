/**
 * Shared fixtures of sync's tests: results, rosters, profiles, accounts and a settable clock. What many
 * tests build the same way lives here once; each test still says what it changes.
 */
import {
  type Account,
  createMemoryDirectory,
  createMemoryRosterSource,
  createMemoryStore,
  type MemoryDirectory,
  type MemoryStore,
  type RosterSnapshot,
  type SyncProfile,
  type TargetDirectory,
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

/** A settable clock for `createSync`: `now()` reads `at`, which a test moves. */
export function manualClock(start: number): { at: number; now: () => number } {
  const clock = { at: start, now: () => clock.at };
  return clock;
}

/** What {@link memorySchool} wires; every other `createSync` option passes through unchanged. */
export type MemorySchoolOptions<D extends TargetDirectory> = Partial<Omit<SyncOptions, "directory" | "store">> & {
  /** The host's accounts, in a new memory directory. Default none. */
  readonly accounts?: readonly Account[] | undefined;
  /** A directory of the test's own, or one shared with another instance (then `accounts` is not read). */
  readonly directory?: D | undefined;
  /**
   * What a memory roster source answers, or a function read on each refresh. Default {@link EMPTY_ROSTER}.
   * Not read when the test brings its own `source`.
   */
  readonly roster?: RosterSnapshot | (() => RosterSnapshot) | undefined;
  /** A store to share with another instance. Default a new memory store. */
  readonly store?: MemoryStore | undefined;
};

/** One school in memory, and the parts a test looks into. */
export interface MemorySchool<D extends TargetDirectory> {
  readonly sync: Sync;
  readonly directory: D;
  readonly store: MemoryStore;
}

/**
 * A `createSync` over a memory roster source (unless `source` is given), directory and store: tenant `school-1` unless `tenantId` says
 * otherwise. Setup is left to the test (what it saves is often what the test is about).
 */
export function memorySchool<D extends TargetDirectory = MemoryDirectory>(
  options: MemorySchoolOptions<D> = {},
): MemorySchool<D> {
  const { accounts, directory, roster, source, store = createMemoryStore(), ...rest } = options;
  const parts = {
    directory: directory ?? (createMemoryDirectory(accounts === undefined ? {} : { accounts }) as TargetDirectory as D),
    store,
  };
  const sync = createSync({
    tenantId: "school-1",
    source: source ?? createMemoryRosterSource({ snapshot: roster ?? EMPTY_ROSTER }),
    ...parts,
    ...rest,
  });
  return { sync, ...parts };
}
