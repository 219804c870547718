import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryRosterSource } from "@rostersync/core";
import { generatedProfile, generateSchool } from "@rostersync/core/testing";
import { createSqliteDirectory, createSqliteStore } from "@rostersync/storage-sqlite";
import { afterAll, expect, it } from "vitest";
import { createSync, type SyncProgress } from "../src/index.js";
import { rosterOf } from "./helpers/school.js";

const dir = mkdtempSync(join(tmpdir(), "rs-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("runs the README's embedding example as written (SQLite store and directory)", async () => {
  const school = generateSchool({ seed: 99, people: 400, accountsFor: "both" });
  const source = createMemoryRosterSource({ snapshot: rosterOf(school) });
  const progress: SyncProgress[] = [];

  const store = (await createSqliteStore({ path: join(dir, "rostersync.db") }))._unsafeUnwrap();
  const sync = createSync({
    tenantId: "school-1",
    source,
    directory: (await createSqliteDirectory({ path: join(dir, "accounts.db") }))._unsafeUnwrap(),
    store,
    onProgress: (p) => progress.push(p),
  });

  (await sync.setup(generatedProfile(school, "student")))._unsafeUnwrap();
  const review = await sync.refresh();
  expect(review.isOk()).toBe(true);
  const group = review._unsafeUnwrap().duplicateGroups[0]!;
  const someone = review._unsafeUnwrap().rows.find((r) => r.status === "importable")!;
  const decided = await sync.decide((d) =>
    d.resolveDuplicate(group.email, group.members[0]!).unselect(someone.sourceId),
  );
  expect(decided.isOk()).toBe(true);
  const plan = await sync.plan();
  expect(plan.isOk()).toBe(true);
  if (plan.isOk()) {
    // The admin cancels once the first writes are under way; the run is resumed later.
    const controller = new AbortController();
    const cancelOnFirstProgress = setInterval(() => {
      if (progress.some((p) => p.done > 0)) controller.abort();
    }, 0);
    const run = await sync.apply(plan.value, { acknowledge: plan.value.planHash, signal: controller.signal });
    clearInterval(cancelOnFirstProgress);
    if (run.isErr() && run.error.type === "Aborted" && run.error.runId !== undefined) {
      const resumed = await sync.resume(run.error.runId);
      expect(resumed._unsafeUnwrap()).toMatchObject({ status: "completed", done: plan.value.actions.length });
    } else {
      // Small school, fast machine: the run finished before the cancel landed.
      expect(run._unsafeUnwrap().status).toBe("completed");
    }
  }
  expect(progress.at(-1)).toMatchObject({ phase: "apply", etaMs: 0 });
  await store.close();
});
