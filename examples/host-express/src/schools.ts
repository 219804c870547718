// The host's side of rostersync: one SQLite store for every school, one account directory per school (a
// stand-in for the host app's own accounts table), one `Sync` per school kept for the life of the process,
// and each school's FACTS tenant — here the FACTS simulator of `@rostersync/facts/testing`, over HTTP.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { SyncProfile, SyncStore } from "@rostersync/core";
import { createFactsClient, createFactsSource } from "@rostersync/facts";
import {
  createFactsSimulator,
  FACTS_GRADE_CODES,
  type FactsServer,
  generateSchool,
  nextSchoolYear,
  startFactsServer,
} from "@rostersync/facts/testing";
import { createSqliteDirectory, createSqliteStore, type SqliteDirectory } from "@rostersync/storage-sqlite";
import { createSync, type Sync, type TenantPlan } from "@rostersync/sync";

/** A school the host serves, as configured (a real host reads this from its own settings). */
export interface SchoolConfig {
  readonly id: string;
  /** The simulated FACTS tenant's school. */
  readonly seed: number;
  readonly people: number;
  /**
   * `first-sync`: the host has no accounts yet. `next-year`: the host synced last year's roster (done once,
   * when the school is first opened) and FACTS has moved on a year — graduates leave, everyone moves up a
   * grade — so the plan archives and updates enough to be held (R10).
   */
  readonly scenario: "first-sync" | "next-year";
  /** Whom the host's accounts are for at this school. */
  readonly profile: SyncProfile;
}

/** One school at run time. */
export interface School {
  readonly id: string;
  readonly sync: Sync;
  readonly directory: SqliteDirectory;
  /** Where this school's FACTS answers. */
  readonly factsUrl: string;
  /** Plans handed out by `POST /plan`, by hash, so that `POST /apply` only needs the hash back. */
  readonly plans: Map<string, TenantPlan>;
}

/** Every school of the host, and the store they share. */
export interface Host {
  readonly store: SyncStore;
  readonly schools: ReadonlyMap<string, School>;
  close(): Promise<void>;
}

/** The simulator's keys. A real host reads the school's keys from its secret store. */
const KEYS = { subscriptionKey: "example-subscription-key", apiKey: "example-api-key" };

/** The parents of every grade (mothers, fathers, guardians) with their family's parish, new people selected. */
export const PARENTS: SyncProfile = {
  role: "parent",
  schools: ["MAIN"],
  gradeLevels: [...FACTS_GRADE_CODES],
  parentSubset: { relationships: ["Mother", "Father", "Guardian"] },
  fieldMap: [{ source: "family:parish", target: "Parish", createAs: "dropdown" }],
  defaultSelection: true,
  hoursSync: { enabled: false, historicImportDone: false },
};

/** The students of every grade, with next year's grade and their T-shirt size, new people selected. */
export const STUDENTS: SyncProfile = {
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

/** The schools `pnpm start` serves. */
export const DEFAULT_SCHOOLS: readonly SchoolConfig[] = [
  { id: "lincoln-high", seed: 7, people: 400, scenario: "first-sync", profile: PARENTS },
  { id: "north-middle", seed: 8, people: 300, scenario: "next-year", profile: STUDENTS },
];

/**
 * Opens the shared store and one directory per school under `dataDir`, starts each school's FACTS, and
 * saves each school's setup the first time.
 */
export async function openHost(dataDir: string, configs: readonly SchoolConfig[] = DEFAULT_SCHOOLS): Promise<Host> {
  mkdirSync(dataDir, { recursive: true });
  const opened = await createSqliteStore({ path: join(dataDir, "rostersync.db") });
  if (opened.isErr()) throw new Error(`cannot open the store: ${opened.error.type}: ${opened.error.message}`);
  const store = opened.value;
  const schools = new Map<string, School>();
  const servers: FactsServer[] = [];
  for (const config of configs) {
    const thisYear = generateSchool({ seed: config.seed, people: config.people, schools: ["MAIN"] });
    // The simulator's rate limit is off and the client's budget raised, so that the walk-through takes
    // seconds: FACTS allows 100 requests a minute, and every refresh reads the whole roster (about ten).
    const sim = createFactsSimulator({ school: thisYear, keys: KEYS, rateLimit: false });
    const server = await startFactsServer(sim);
    servers.push(server);
    const client = createFactsClient({
      ...KEYS,
      baseUrl: server.url,
      budget: { windows: [{ requests: 1000, windowMs: 1000 }] },
    });
    const opened = await createSqliteDirectory({ path: join(dataDir, `accounts-${config.id}.db`) });
    if (opened.isErr()) throw new Error(`cannot open ${config.id}'s accounts: ${opened.error.message}`);
    const directory = opened.value;
    const sync = createSync({ tenantId: config.id, source: createFactsSource({ client }), directory, store });
    const profile = await sync.profile();
    if (profile.isErr()) throw new Error(`cannot read ${config.id}'s setup: ${profile.error.message}`);
    if (profile.value === null) {
      const saved = await sync.setup(config.profile);
      if (saved.isErr()) throw new Error(`cannot save ${config.id}'s setup: ${saved.error.message}`);
      if (config.scenario === "next-year") await lastYearsSync(config.id, sync);
    }
    if (config.scenario === "next-year") sim.load(nextSchoolYear(thisYear, { seed: config.seed + 1 }));
    schools.set(config.id, { id: config.id, sync, directory, factsUrl: server.url, plans: new Map() });
  }
  return {
    store,
    schools,
    async close() {
      for (const school of schools.values()) await school.directory.close();
      await Promise.all(servers.map((s) => s.close()));
      await store.close();
    },
  };
}

/** Last year, the admin reviewed the roster (shared emails to the person listed first) and applied it. */
async function lastYearsSync(id: string, sync: Sync): Promise<void> {
  const fail = (what: string, e: { type: string; message: string }): never => {
    throw new Error(`${id}: last year's ${what} failed: ${e.type}: ${e.message}`);
  };
  const review = await sync.refresh();
  if (review.isErr()) return fail("refresh", review.error);
  const decided = await sync.decide((d) => {
    let draft = d;
    for (const g of review.value.duplicateGroups)
      draft = draft.resolveDuplicate(g.email, [...g.members].sort()[0] ?? "");
    return draft.recordDefaults().markReviewed();
  });
  if (decided.isErr()) return fail("decisions", decided.error);
  const plan = await sync.plan();
  if (plan.isErr()) return fail("plan", plan.error);
  const run = await sync.apply(plan.value, { actor: "last year's admin", acknowledge: plan.value.planHash });
  if (run.isErr()) return fail("apply", run.error);
}
