// What every process of the example agrees on: the schools, where each one's FACTS and accounts are, and
// how a `Sync` for one school is made over the shared PostgreSQL store.
import { join } from "node:path";
import type { PlanCounts, SyncProfile, SyncStore, TargetDirectory } from "@rostersync/core";
import { createFactsClient, createFactsSource, type RequestBudget } from "@rostersync/facts";
import {
  createFactsSimulator,
  FACTS_GRADE_CODES,
  type FactsServer,
  type GeneratedFactsSchool,
  generateSchool,
  startFactsServer,
} from "@rostersync/facts/testing";
import { createSqliteDirectory, type SqliteDirectory } from "@rostersync/storage-sqlite";
import { createSync, type Sync } from "@rostersync/sync";

/** One school of the district: its tenant id and the simulated FACTS tenant standing in for its SIS. */
export interface SchoolSpec {
  readonly tenantId: string;
  readonly seed: number;
  readonly people: number;
}

/** A school whose FACTS is running. */
export interface RunningSchool extends SchoolSpec {
  readonly factsUrl: string;
}

/** `count` schools of different sizes: `school-01` (seed 101) … */
export function districtSchools(count: number, people: number): SchoolSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    tenantId: `school-${String(i + 1).padStart(2, "0")}`,
    seed: 101 + i,
    people: people + ((i * 37) % Math.max(1, Math.floor(people / 2))),
  }));
}

/** The generated FACTS school of a spec (the same in every process and in the test). */
export function factsSchoolOf(spec: SchoolSpec): GeneratedFactsSchool {
  return generateSchool({ seed: spec.seed, people: spec.people, schools: ["MAIN"] });
}

/** The simulator's keys; a real host reads each school's keys from its secret store. */
export const KEYS = { subscriptionKey: "district-subscription-key", apiKey: "district-api-key" };

/**
 * Starts each school's simulated FACTS on a loopback port. The simulators' own rate limits are off: the
 * workers' requests are paced by the fleet's one shared budget (`FLEET_WINDOWS`) instead.
 */
export async function startFacts(
  specs: readonly SchoolSpec[],
): Promise<{ schools: RunningSchool[]; close(): Promise<void> }> {
  const servers: FactsServer[] = [];
  const schools: RunningSchool[] = [];
  for (const spec of specs) {
    const sim = createFactsSimulator({ school: factsSchoolOf(spec), keys: KEYS, rateLimit: false });
    const server = await startFactsServer(sim);
    servers.push(server);
    schools.push({ ...spec, factsUrl: server.url });
  }
  return { schools, close: async () => void (await Promise.all(servers.map((s) => s.close()))) };
}

/** Everything one process needs to work on one school. */
export interface SchoolSync {
  readonly spec: RunningSchool;
  readonly sync: Sync;
  readonly directory: SqliteDirectory;
}

/**
 * A `Sync` for one school: the shared store, the school's FACTS over HTTP and the school's account
 * directory, a SQLite file that every process opens.
 */
export async function openSchool(
  spec: RunningSchool,
  store: SyncStore,
  dataDir: string,
  options: {
    readonly lockTtlMs?: number;
    /** The fleet's shared FACTS budget (`ctx.budget(key)`); the admin's own reads get a generous one. */
    readonly budget?: RequestBudget;
    /** Puts something between the sync and the directory (the example's write counts and its crash). */
    readonly wrapDirectory?: (directory: SqliteDirectory) => TargetDirectory;
  } = {},
): Promise<SchoolSync> {
  const client = createFactsClient({
    ...KEYS,
    baseUrl: spec.factsUrl,
    budget: options.budget ?? { windows: [{ requests: 1000, windowMs: 1000 }] },
  });
  const opened = await createSqliteDirectory({ path: join(dataDir, `accounts-${spec.tenantId}.db`) });
  if (opened.isErr()) throw new Error(`${spec.tenantId}: ${opened.error.message}`);
  const directory = opened.value;
  const sync = createSync({
    tenantId: spec.tenantId,
    source: createFactsSource({ client }),
    directory: options.wrapDirectory?.(directory) ?? directory,
    store,
    ...(options.lockTtlMs === undefined ? {} : { lockTtlMs: options.lockTtlMs }),
  });
  return { spec, sync, directory };
}

/** The FACTS budget every worker shares (FACTS's shape, 100 per minute and 10 per second, scaled to seconds). */
export const FLEET_WINDOWS = [
  { requests: 100, windowMs: 1000 },
  { requests: 12, windowMs: 100 },
];

/** The fleet's tables (`<schema>_fleet`, pg-boss in `<schema>_fleet_boss`) beside the store's schema. */
export const fleetSchemaOf = (schema: string) => `${schema}_fleet`;

/** The profile the district's admin saves for each school: students of every grade, two fields mapped. */
export const PROFILE: SyncProfile = {
  role: "student",
  schools: ["MAIN"],
  gradeLevels: [...FACTS_GRADE_CODES],
  fieldMap: [
    { source: "nextGradeLevel", target: "Next Grade" },
    { source: "udf:tshirt", target: "T-Shirt Size", createAs: "dropdown" },
  ],
  defaultSelection: true,
  hoursSync: { enabled: false, historicImportDone: false },
};

/** How many directory writes a plan (or a run) makes: skips write nothing. */
export function writesOf(c: PlanCounts): number {
  return c.add + c.link + c.update + c.restore + c.archive + c.createField;
}
