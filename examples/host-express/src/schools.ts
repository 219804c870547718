// The host's side of rostersync: one SQLite store for every school, one account directory per school (a
// stand-in for the host app's own accounts table), and one `Sync` per school kept for the life of the process.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createMemoryRosterSource, type RosterSnapshot, type SyncStore } from "@rostersync/core";
import { type GeneratedSchool, generatedProfile, generateSchool, nextSchoolYear } from "@rostersync/core/testing";
import { createSqliteStore } from "@rostersync/storage-sqlite";
import { createSqliteDirectory, createSync, type SqliteDirectory, type Sync, type TenantPlan } from "@rostersync/sync";

/** A school the host serves, as configured (a real host reads this from its own settings). */
export interface SchoolConfig {
  readonly id: string;
  /** The generated roster standing in for the school's FACTS tenant. */
  readonly seed: number;
  readonly people: number;
  /**
   * `first-sync`: the host has no accounts yet. `next-year`: the host synced last year's roster (its accounts
   * are seeded once) and FACTS has moved on a year — graduates leave, everyone moves up a grade and homeroom,
   * so the plan archives and updates enough to be held (R10).
   */
  readonly scenario: "first-sync" | "next-year";
}

/** One school at run time. */
export interface School {
  readonly id: string;
  readonly sync: Sync;
  readonly directory: SqliteDirectory;
  /** Plans handed out by `POST /plan`, by hash, so that `POST /apply` only needs the hash back. */
  readonly plans: Map<string, TenantPlan>;
}

/** Every school of the host, and the store they share. */
export interface Host {
  readonly store: SyncStore;
  readonly schools: ReadonlyMap<string, School>;
  close(): Promise<void>;
}

/** The schools `pnpm start` serves. */
export const DEFAULT_SCHOOLS: readonly SchoolConfig[] = [
  { id: "lincoln-high", seed: 7, people: 400, scenario: "first-sync" },
  { id: "north-middle", seed: 8, people: 250, scenario: "next-year" },
];

/**
 * Opens the shared store and one directory per school under `dataDir`, and saves each school's setup the
 * first time (students of every school and grade, two fields mapped, new people selected).
 */
export async function openHost(dataDir: string, configs: readonly SchoolConfig[] = DEFAULT_SCHOOLS): Promise<Host> {
  mkdirSync(dataDir, { recursive: true });
  const opened = await createSqliteStore({ path: join(dataDir, "rostersync.db") });
  if (opened.isErr()) throw new Error(`cannot open the store: ${opened.error.type}: ${opened.error.message}`);
  const store = opened.value;
  const schools = new Map<string, School>();
  for (const config of configs) {
    const nextYear = config.scenario === "next-year";
    const generated: GeneratedSchool = generateSchool({
      seed: config.seed,
      people: config.people,
      accountsFor: nextYear ? "student" : "none",
    });
    const roster = nextYear ? nextSchoolYear(generated, { seed: config.seed + 1 }) : generated;
    const snapshot: RosterSnapshot = {
      people: roster.people,
      schools: roster.schools,
      gradeLevels: roster.gradeLevels,
    };
    const directory = createSqliteDirectory({ path: join(dataDir, `accounts-${config.id}.db`) });
    const existing = await directory.listAccounts();
    if (existing.isOk() && existing.value.length === 0) directory.seed(generated.accounts);
    const sync = createSync({ tenantId: config.id, source: createMemoryRosterSource(snapshot), directory, store });
    const profile = await sync.profile();
    if (profile.isErr()) throw new Error(`cannot read ${config.id}'s setup: ${profile.error.message}`);
    if (profile.value === null) {
      const saved = await sync.setup(generatedProfile(generated, "student"));
      if (saved.isErr()) throw new Error(`cannot save ${config.id}'s setup: ${saved.error.message}`);
    }
    schools.set(config.id, { id: config.id, sync, directory, plans: new Map() });
  }
  return {
    store,
    schools,
    async close() {
      for (const school of schools.values()) school.directory.close();
      await store.close();
    },
  };
}
