// The FACTS side of the story: where the roster comes from and where hours go.
import {
  createMemoryHoursSink,
  createMemoryRosterSource,
  type HoursSink,
  type RosterSnapshot,
  type RosterSource,
  type SourcePerson,
} from "@rostersync/core";
import { type GeneratedSchool, generateSchool, nextSchoolYear } from "@rostersync/core/testing";
import { createFactsClient, createFactsSource } from "@rostersync/facts";

/** What the next school year changed, counted by comparing the two rosters. */
export interface YearChange {
  readonly graduated: number;
  readonly promoted: number;
  readonly withdrawn: number;
  readonly returned: number;
  readonly newFamilies: number;
  readonly newPeople: number;
}

/** The FACTS side of the demo. */
export interface FactsWorld {
  /** One line: what FACTS is in this run. */
  readonly where: string;
  readonly source: RosterSource;
  /** Where hours go; `null` against a real tenant (the demo never writes to a real FACTS). */
  readonly hours: HoursSink | null;
  /** Everyone FACTS holds now, when the demo made them up (not for a real tenant). */
  people(): readonly SourcePerson[] | null;
  /** Service-hours rows FACTS holds now, when the demo can see them. */
  serviceHoursRows(): number | null;
  /** Moves FACTS to the next school year; `null` when it cannot (a real tenant). */
  nextYear(): YearChange | null;
  close(): Promise<void>;
}

/** Counts graduations, promotions, withdrawals, returns and arrivals between two rosters. */
export function yearChange(before: readonly SourcePerson[], after: readonly SourcePerson[]): YearChange {
  const old = new Map(before.map((p) => [p.sourceId, p]));
  const oldFamilies = new Set(before.flatMap((p) => p.families.map((f) => f.familyId)));
  const newFamilies = new Set<string>();
  let graduated = 0;
  let promoted = 0;
  let withdrawn = 0;
  let returned = 0;
  let newPeople = 0;
  for (const p of after) {
    const was = old.get(p.sourceId);
    if (was === undefined) {
      newPeople++;
      for (const f of p.families) if (!oldFamilies.has(f.familyId)) newFamilies.add(f.familyId);
      continue;
    }
    if (p.role !== "student") continue;
    if (was.status === "enrolled" && p.status === "graduated") graduated++;
    else if (was.status === "enrolled" && p.status === "withdrawn") withdrawn++;
    else if (was.status !== "enrolled" && p.status === "enrolled") returned++;
    else if (p.status === "enrolled" && was.gradeLevel !== p.gradeLevel) promoted++;
  }
  return { graduated, promoted, withdrawn, returned, newFamilies: newFamilies.size, newPeople };
}

/**
 * A generated school served from memory (core's generator). A stand-in until the FACTS simulator of
 * `@rostersync/facts/testing` is available; it does not go over HTTP.
 */
export function generatedWorld(options: { readonly seed: number; readonly size: number }): FactsWorld {
  let school: GeneratedSchool = generateSchool({ seed: options.seed, people: options.size, accountsFor: "none" });
  const snapshot = (): RosterSnapshot => ({
    people: school.people,
    schools: school.schools,
    gradeLevels: school.gradeLevels,
  });
  const hours = createMemoryHoursSink();
  return {
    where: `a generated school in memory (seed ${options.seed})`,
    source: createMemoryRosterSource(snapshot),
    hours,
    people: () => school.people,
    serviceHoursRows: () => hours.snapshot().length,
    nextYear() {
      const before = school.people;
      school = nextSchoolYear(school, { seed: options.seed + 1 });
      return yearChange(before, school.people);
    },
    close: async () => undefined,
  };
}

/** A real FACTS tenant: read-only from the demo's side (no hours sink, no next year). */
export function realWorld(url: string, keys: { subscriptionKey: string; apiKey: string }): FactsWorld {
  const client = createFactsClient({ ...keys, baseUrl: url });
  return {
    where: `FACTS at ${url} (read-only)`,
    source: createFactsSource(client),
    hours: null,
    people: () => null,
    serviceHoursRows: () => null,
    nextYear: () => null,
    close: async () => undefined,
  };
}
