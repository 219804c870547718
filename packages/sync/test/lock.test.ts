import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryRosterSource } from "@rostersync/core";
import { generatedProfile, generateSchool } from "@rostersync/core/testing";
import { createSqliteDirectory, createSqliteStore } from "@rostersync/storage-sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { createSync } from "../src/index.js";
import { rosterOf } from "./helpers/school.js";

const dir = mkdtempSync(join(tmpdir(), "rs-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("run lock", () => {
  it("lets one of two workers applying the same school at once through; the other gets Locked", async () => {
    const school = generateSchool({ seed: 3, people: 120, accountsFor: "none" });
    const source = createMemoryRosterSource({ snapshot: rosterOf(school) });
    const storePath = join(dir, "store.db");
    const directoryPath = join(dir, "accounts.db");
    // Two workers: each its own connections to the same store and directory files.
    const workers = await Promise.all(
      [1, 2].map(async () => {
        const store = (await createSqliteStore({ path: storePath }))._unsafeUnwrap();
        const directory = (await createSqliteDirectory({ path: directoryPath }))._unsafeUnwrap();
        return { store, directory, sync: createSync({ tenantId: "school-1", source, directory, store }) };
      }),
    );
    const [a, b] = workers as [(typeof workers)[0], (typeof workers)[0]];
    (await a.sync.setup(generatedProfile(school, "student")))._unsafeUnwrap();
    (await a.sync.refresh())._unsafeUnwrap();
    (await b.sync.refresh())._unsafeUnwrap();
    const planA = (await a.sync.plan())._unsafeUnwrap();
    const planB = (await b.sync.plan())._unsafeUnwrap();
    expect(planB.planHash).toBe(planA.planHash);
    const [ra, rb] = await Promise.all([
      a.sync.apply(planA, { acknowledge: planA.planHash }),
      b.sync.apply(planB, { acknowledge: planB.planHash }),
    ]);
    const outcomes = [ra, rb].map((r) => (r.isOk() ? r.value.status : r.error.type)).sort();
    expect(outcomes).toEqual(["Locked", "completed"]);
    const accounts = (await a.directory.listAccounts())._unsafeUnwrap();
    expect(accounts).toHaveLength(planA.counts.add);
    for (const w of workers) {
      w.directory.close();
      await w.store.close();
    }
  });
});
