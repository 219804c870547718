// The FACTS side of the story: where the roster comes from and where hours go. The FACTS simulator of
// `@rostersync/facts/testing` over real HTTP on a loopback port, or a real tenant (read-only).
import type { HoursSink, Role, RosterSource, SourcePerson } from "@rostersync/core";
import { createFactsClient, createFactsHoursSink, createFactsSource } from "@rostersync/facts";
import {
  createFactsSimulator,
  type GeneratedFactsSchool,
  type SimServiceHour,
  startFactsServer,
} from "@rostersync/facts/testing";
import { schoolInFacts, summerInFacts } from "./school.ts";

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
  /** Requests FACTS has answered so far, when the demo can count them. */
  requests(): number | null;
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
 * The simulator's budget: FACTS's two windows (100 a minute, 10 a second) times ten, so the whole story
 * fits in well under a minute; the client is given the same budget, so it never meets a 429.
 */
const SIM_BUDGET = [
  { requests: 1000, windowMs: 60_000 },
  { requests: 100, windowMs: 1_000 },
] as const;

/** A few hours staff typed into FACTS last spring, before the school used rostersync (historic import). */
function historicHours(school: GeneratedFactsSchool, role: Role): SimServiceHour[] {
  return school.expectedPeople
    .filter((p) => p.role === role && p.status === "enrolled")
    .slice(0, 6)
    .map((p, i) => ({
      serviceHoursId: 101 + i,
      personId: Number(p.sourceId),
      description: i % 2 === 0 ? "Spring fair" : "Car wash",
      hours: 2 + (i % 3),
      date: `2026-04-${String(11 + i).padStart(2, "0")}T00:00:00`,
      note: null,
      verifiedBy: "Front office",
      ...(role === "parent" ? { yearId: school.schoolYear } : {}),
      role,
    }));
}

/** The FACTS simulator with a generated school, served over HTTP on 127.0.0.1. */
export async function simulatedWorld(options: {
  readonly seed: number;
  readonly size: number;
  readonly role: Role;
}): Promise<FactsWorld> {
  const keys = { subscriptionKey: "demo-subscription-key", apiKey: "demo-school-api-key" };
  let school = schoolInFacts(options.seed, options.size);
  const sim = createFactsSimulator({
    school,
    keys,
    rateLimit: { windows: SIM_BUDGET },
    serviceHours: historicHours(school, options.role),
    seed: options.seed,
  });
  const server = await startFactsServer(sim, { port: 0 });
  const client = createFactsClient({ ...keys, baseUrl: server.url, budget: { windows: SIM_BUDGET } });
  return {
    where: `simulator at ${server.url} (seed ${options.seed}, budget 10× FACTS's)`,
    source: createFactsSource({ client }),
    hours: createFactsHoursSink({ client }),
    people: () => school.expectedPeople,
    serviceHoursRows: () => sim.serviceHours().length,
    nextYear() {
      const before = school.expectedPeople;
      school = summerInFacts(school, options.seed);
      sim.load(school);
      return yearChange(before, school.expectedPeople);
    },
    requests: () => sim.stats().requests,
    close: () => server.close(),
  };
}

/** A real FACTS tenant: read-only from the demo's side (no hours sink, no next year). */
export function realWorld(url: string, keys: { subscriptionKey: string; apiKey: string }): FactsWorld {
  const client = createFactsClient({ ...keys, baseUrl: url });
  return {
    where: `FACTS at ${url} (read-only)`,
    source: createFactsSource({ client }),
    hours: null,
    people: () => null,
    serviceHoursRows: () => null,
    nextYear: () => null,
    requests: () => null,
    close: async () => undefined,
  };
}
