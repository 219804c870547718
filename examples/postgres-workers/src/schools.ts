// What every process of the example agrees on: the schools, where each one's roster and accounts are, and
// how a `Sync` for one school is made over the shared PostgreSQL store.
import { join } from "node:path";
import { createMemoryRosterSource, type PlanCounts, type SyncStore, type TargetDirectory } from "@rostersync/core";
import { generatedProfile, generateSchool } from "@rostersync/core/testing";
import { createSqliteDirectory, createSync, type SqliteDirectory, type Sync } from "@rostersync/sync";

/** One school of the district: its tenant id and the generated roster standing in for its FACTS tenant. */
export interface SchoolSpec {
  readonly tenantId: string;
  readonly seed: number;
  readonly people: number;
}

/** `count` schools of different sizes: `school-01` (seed 101) … */
export function districtSchools(count: number, people: number): SchoolSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    tenantId: `school-${String(i + 1).padStart(2, "0")}`,
    seed: 101 + i,
    people: people + ((i * 37) % Math.max(1, Math.floor(people / 2))),
  }));
}

/** Everything one process needs to work on one school. */
export interface SchoolSync {
  readonly spec: SchoolSpec;
  readonly sync: Sync;
  readonly directory: SqliteDirectory;
}

/**
 * A `Sync` for one school: the shared store, the school's roster (generated from its seed, the same in
 * every process) and the school's account directory, a SQLite file that every process opens.
 */
export function openSchool(
  spec: SchoolSpec,
  store: SyncStore,
  dataDir: string,
  options: {
    readonly lockTtlMs?: number;
    /** Puts something between the sync and the directory (the example's crash). */
    readonly wrapDirectory?: (directory: SqliteDirectory) => TargetDirectory;
  } = {},
): SchoolSync {
  const school = generateSchool({ seed: spec.seed, people: spec.people, accountsFor: "none" });
  const source = createMemoryRosterSource({
    people: school.people,
    schools: school.schools,
    gradeLevels: school.gradeLevels,
  });
  const directory = createSqliteDirectory({ path: join(dataDir, `accounts-${spec.tenantId}.db`) });
  const sync = createSync({
    tenantId: spec.tenantId,
    source,
    directory: options.wrapDirectory?.(directory) ?? directory,
    store,
    ...(options.lockTtlMs === undefined ? {} : { lockTtlMs: options.lockTtlMs }),
  });
  return { spec, sync, directory };
}

/** The profile an admin saves for each school: students of every school and grade. */
export function profileFor(spec: SchoolSpec) {
  return generatedProfile(generateSchool({ seed: spec.seed, people: spec.people, accountsFor: "none" }), "student");
}

/** How many directory writes a plan (or a run) makes: skips write nothing. */
export function writesOf(c: PlanCounts): number {
  return c.add + c.link + c.update + c.restore + c.archive + c.createField;
}
