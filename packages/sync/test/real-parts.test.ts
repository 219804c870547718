import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryRosterSource, type RosterSnapshot, simulateApply } from "@rostersync/core";
import { generatedProfile, generateSchool } from "@rostersync/core/testing";
import { createSqliteDirectory, createSqliteStore } from "@rostersync/storage-sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { createSync } from "../src/index.js";
import { comparable } from "./helpers/engine.js";

const dir = mkdtempSync(join(tmpdir(), "rs-real-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A school on the SQLite store and the SQLite directory, with a roster the test can change. */
async function onSqlite(name: string) {
  const school = generateSchool({ seed: 21, people: 300, accountsFor: "both" });
  let roster: RosterSnapshot = { people: school.people, schools: school.schools, gradeLevels: school.gradeLevels };
  const store = (await createSqliteStore({ path: join(dir, `${name}-store.db`) }))._unsafeUnwrap();
  const directory = (await createSqliteDirectory({ path: join(dir, `${name}-accounts.db`) }))._unsafeUnwrap();
  directory.seed(school.accounts);
  const sync = createSync({
    tenantId: name,
    source: createMemoryRosterSource({ snapshot: () => roster }),
    directory,
    store,
  });
  (await sync.setup(generatedProfile(school, "student")))._unsafeUnwrap();
  return {
    school,
    store,
    directory,
    sync,
    setPeople: (people: RosterSnapshot["people"]) => {
      roster = { ...roster, people };
    },
    close: async () => {
      directory.close();
      await store.close();
    },
  };
}

describe("with the SQLite store and the SQLite directory", () => {
  it("refuses a plan when the source changed after planning (StalePlan); the directory is untouched", async () => {
    const s = await onSqlite("stale");
    (await s.sync.refresh())._unsafeUnwrap();
    const plan = (await s.sync.plan())._unsafeUnwrap();
    expect(plan.actions.length).toBeGreaterThan(0);
    const before = (await s.directory.listAccounts())._unsafeUnwrap();
    s.setPeople(s.school.people.map((p, i) => (i === 0 ? { ...p, lastName: `${p.lastName}-changed` } : p)));
    const r = (await s.sync.apply(plan, { acknowledge: plan.planHash }))._unsafeUnwrapErr();
    expect(r.type).toBe("StalePlan");
    expect((await s.directory.listAccounts())._unsafeUnwrap()).toEqual(before);
    expect((await s.store.listRuns("stale"))._unsafeUnwrap()).toEqual([]);
    await s.close();
  });

  it("holds a plan after a fetch with 40% fewer people (R10), and applies it once acknowledged", async () => {
    const s = await onSqlite("shrink");
    (await s.sync.refresh())._unsafeUnwrap();
    const first = (await s.sync.plan())._unsafeUnwrap();
    (await s.sync.apply(first, { acknowledge: first.planHash }))._unsafeUnwrap();

    s.setPeople(s.school.people.slice(0, Math.round(s.school.people.length * 0.6)));
    (await s.sync.refresh())._unsafeUnwrap();
    const shrunk = (await s.sync.plan())._unsafeUnwrap();
    expect(shrunk.holds.map((h) => h.type)).toContain("source-shrink");
    const before = (await s.directory.listAccounts())._unsafeUnwrap();
    const held = (await s.sync.apply(shrunk))._unsafeUnwrapErr();
    expect(held.type).toBe("Held");
    expect((await s.directory.listAccounts())._unsafeUnwrap()).toEqual(before);

    const applied = (await s.sync.apply(shrunk, { acknowledge: shrunk.planHash, actor: "principal" }))._unsafeUnwrap();
    expect(applied).toMatchObject({ status: "completed", failed: 0 });
    expect(comparable((await s.directory.listAccounts())._unsafeUnwrap())).toEqual(
      comparable(simulateApply(before, shrunk)),
    );
    const [audit] = (await s.store.listAudit("shrink", { limit: 1 }))._unsafeUnwrap();
    expect(audit).toMatchObject({ actor: "principal", planHash: shrunk.planHash, status: "completed" });
    await s.close();
  });
});
