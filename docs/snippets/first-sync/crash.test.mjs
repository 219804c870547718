// A test a host can keep: crash an apply half-way, resume it, and check nothing was made twice.
import { createMemoryDirectory, createMemoryRosterSource, createMemoryStore } from "@rostersync/core";
import { generatedProfile, generateSchool, nextSchoolYear } from "@rostersync/core/testing";
import { createSync } from "@rostersync/sync";
import { expect, it } from "vitest";

it("resumes a crashed first sync to the same accounts, then archives next year's graduates", async () => {
  let school = generateSchool({ seed: 3, people: 400, linkedRate: 0 });
  const source = createMemoryRosterSource({
    snapshot: () => ({
      people: school.people,
      schools: school.schools,
      gradeLevels: school.gradeLevels,
    }),
  });
  let creates = 0;
  let crashing = true;
  const directory = createMemoryDirectory({
    accounts: school.accounts,
    // The 50th account create fails fatally, as if the app's database went away mid-run.
    fault: (operation) =>
      crashing && operation === "createAccount" && ++creates === 50
        ? { type: "Unavailable", message: "The accounts database went away.", fatal: true }
        : null,
  });
  const sync = createSync({ tenantId: "lincoln-high", source, directory, store: createMemoryStore() });
  (await sync.setup(generatedProfile(school, "student")))._unsafeUnwrap();
  const review = (await sync.refresh())._unsafeUnwrap();
  await sync.decide((d) =>
    review.duplicateGroups.reduce((draft, group) => draft.resolveDuplicate(group.email, group.members[0]), d),
  );

  const plan = (await sync.plan())._unsafeUnwrap();
  const crashed = await sync.apply(plan);
  expect(crashed.isErr() && crashed.error.type).toBe("DirectoryFailed");

  crashing = false;
  const runId = crashed._unsafeUnwrapErr().runId;
  const resumed = (await sync.resume(runId))._unsafeUnwrap();
  expect(resumed.status).toBe("completed");

  // Every person got exactly one account, and planning again finds nothing left to write.
  const accounts = directory.snapshot();
  const linked = accounts.filter((a) => a.sourceId !== undefined).map((a) => a.sourceId);
  expect(new Set(linked).size).toBe(linked.length);
  expect(accounts.length).toBe(school.accounts.length + plan.counts.add);
  (await sync.refresh())._unsafeUnwrap();
  const again = (await sync.plan())._unsafeUnwrap();
  expect(again.counts).toMatchObject({ add: 0, link: 0, update: 0, restore: 0, archive: 0 });

  // Next school year: seniors graduate; their accounts are archived, not deleted.
  school = nextSchoolYear(school, { seed: 4 });
  (await sync.refresh())._unsafeUnwrap();
  const nextYear = (await sync.plan())._unsafeUnwrap();
  expect(nextYear.counts.archive).toBeGreaterThan(0);
  const run = (await sync.apply(nextYear, { acknowledge: nextYear.planHash }))._unsafeUnwrap();
  expect(run.counts.archive).toBe(nextYear.counts.archive);
});
