import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { type Account, createMemoryRosterSource, type Role, type RosterSnapshot } from "@rostersync/core";
import { generatedProfile, generateSchool, nextSchoolYear } from "@rostersync/core/testing";
import { createSqliteDirectory, createSqliteStore } from "@rostersync/storage-sqlite";
import { createSync, type TenantPlan } from "../../src/index.js";

/** One crash scenario: files to copy per schedule, the plan, and what the directory starts with. */
export interface CrashScenario {
  readonly name: string;
  readonly tenantId: string;
  readonly storeTemplate: string;
  readonly directoryTemplate: string;
  readonly rosterPath: string;
  readonly planPath: string;
  readonly plan: TenantPlan;
  readonly accounts: readonly Account[];
}

/**
 * A small generated school (a first sync against existing accounts, or a next-year sync after one),
 * planned with the real createSync over SQLite files that each schedule copies.
 */
export async function crashScenario(
  dir: string,
  name: string,
  options: { seed: number; people: number; role: Role; nextYear: boolean },
): Promise<CrashScenario> {
  const tenantId = `school-${name}`;
  let school = generateSchool({
    seed: options.seed,
    people: options.people,
    accountsFor: "both",
    linkedRate: 0.4,
    emailMatchRate: 0.15,
    driftRate: 0.3,
  });
  if (options.nextYear) school = nextSchoolYear(school, { seed: options.seed + 1, withdrawRate: 0.2 });
  const roster: RosterSnapshot = { people: school.people, schools: school.schools, gradeLevels: school.gradeLevels };
  const storeTemplate = join(dir, `${name}-store.db`);
  const directoryTemplate = join(dir, `${name}-accounts.db`);
  const directory = (await createSqliteDirectory({ path: directoryTemplate }))._unsafeUnwrap();
  directory.seed(school.accounts);
  const store = (await createSqliteStore({ path: storeTemplate }))._unsafeUnwrap();
  const sync = createSync({ tenantId, source: createMemoryRosterSource({ snapshot: roster }), directory, store });
  (await sync.setup(generatedProfile(school, options.role)))._unsafeUnwrap();
  (await sync.refresh())._unsafeUnwrap();
  const plan = (await sync.plan())._unsafeUnwrap();
  const accounts = (await directory.listAccounts())._unsafeUnwrap();
  directory.close();
  await store.close();
  const rosterPath = join(dir, `${name}-roster.json`);
  const planPath = join(dir, `${name}-plan.json`);
  const { writeFileSync } = await import("node:fs");
  writeFileSync(rosterPath, JSON.stringify(roster));
  writeFileSync(planPath, JSON.stringify(plan));
  return { name, tenantId, storeTemplate, directoryTemplate, rosterPath, planPath, plan, accounts };
}

/** Fresh copies of a scenario's files for one schedule. */
export function copyScenario(s: CrashScenario, dir: string): { storePath: string; directoryPath: string } {
  const storePath = join(dir, "store.db");
  const directoryPath = join(dir, "accounts.db");
  copyFileSync(s.storeTemplate, storePath);
  copyFileSync(s.directoryTemplate, directoryPath);
  return { storePath, directoryPath };
}
