import {
  type Account,
  createMemoryDirectory,
  createMemoryRosterSource,
  createMemoryStore,
  type RosterSnapshot,
  type SyncProfile,
  simulateApply,
} from "@rostersync/core";
import { type GeneratedSchool, generatedProfile, generateSchool } from "@rostersync/core/testing";
import { errAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { createSync, type SyncOptions, type TenantPlan } from "../src/index.js";
import { comparable, duplicates } from "./helpers/engine.js";
import { rosterOf } from "./helpers/school.js";

const TENANT = "school-1";

/** A school with its SIS, host directory and store in memory; `roster` can be swapped between reads. */
async function schoolSync(
  options: {
    seed?: number;
    people?: number;
    accounts?: "none" | "both";
    profile?: (s: GeneratedSchool) => SyncProfile;
    extra?: Partial<SyncOptions>;
  } = {},
) {
  const school = generateSchool({
    seed: options.seed ?? 7,
    people: options.people ?? 150,
    accountsFor: options.accounts ?? "both",
  });
  let roster = rosterOf(school);
  const source = createMemoryRosterSource({ snapshot: () => roster });
  const directory = createMemoryDirectory({ accounts: school.accounts });
  const store = createMemoryStore();
  const sync = createSync({ tenantId: TENANT, source, directory, store, ...options.extra });
  const profile = options.profile?.(school) ?? generatedProfile(school, "student");
  (await sync.setup(profile))._unsafeUnwrap();
  return {
    school,
    source,
    directory,
    store,
    sync,
    profile,
    setRoster: (next: RosterSnapshot) => {
      roster = next;
    },
  };
}

/** Applies a first sync, then the SIS answers 60% of the school (a source-shrink hold, R10): the plan after. */
async function shrunkAfterFirstSync({ sync, school, setRoster }: Awaited<ReturnType<typeof schoolSync>>) {
  (await sync.refresh())._unsafeUnwrap();
  const first = (await sync.plan())._unsafeUnwrap();
  (await sync.apply(first, { acknowledge: first.planHash }))._unsafeUnwrap();
  setRoster({ ...rosterOf(school), people: school.people.slice(0, Math.floor(school.people.length * 0.6)) });
  (await sync.refresh())._unsafeUnwrap();
  return (await sync.plan())._unsafeUnwrap();
}

describe("createSync: refresh → decide → plan → apply", () => {
  it("applies a first sync so the directory equals core's simulateApply of the plan", async () => {
    const { sync, directory, store, school } = await schoolSync();
    const review = (await sync.refresh())._unsafeUnwrap();
    expect(review.totals.people).toBe(school.people.length);
    const plan = (await sync.plan())._unsafeUnwrap();
    expect(plan.tenantId).toBe(TENANT);
    const before: Account[] = directory.snapshot();
    const run = (await sync.apply(plan, { acknowledge: plan.planHash, actor: "admin-1" }))._unsafeUnwrap();
    expect(run.status).toBe("completed");
    expect(run.failed).toBe(0);
    expect(run.counts).toEqual(plan.counts);
    expect(comparable(directory.snapshot())).toEqual(comparable(simulateApply(before, plan)));
    expect(duplicates(directory.snapshot())).toEqual([]);
    expect(run.inviteCandidates.length).toBeGreaterThanOrEqual(plan.counts.add);

    const lastRun = (await store.getLastRun(TENANT))._unsafeUnwrap();
    expect(lastRun).toMatchObject({ sourceCount: plan.sourceCount, planHash: plan.planHash });
    // R10's counts for the next plan: the profile's managed accounts after this apply, its scope.
    expect(plan.managedCount).toBeGreaterThan(0);
    expect(lastRun).toMatchObject({
      managedCount: plan.managedCount,
      inScopeCount: plan.inScopeCount,
      inScopeSlices: plan.inScopeSlices,
    });
    const audit = (await store.listAudit(TENANT))._unsafeUnwrap();
    expect(audit[0]).toMatchObject({ actor: "admin-1", planHash: plan.planHash, status: "completed" });

    // The people of that review are no longer New? (R5), and planning again converges.
    const again = (await sync.refresh())._unsafeUnwrap();
    expect(again.totals.newPeople).toBe(0);
    const next = (await sync.plan())._unsafeUnwrap();
    expect(next.counts.add + next.counts.link + next.counts.update + next.counts.restore + next.counts.archive).toBe(0);
  });

  it("holds the next plan when the host's account list comes back cut short (directory-shrink, R10)", async () => {
    const { sync, directory, store, school } = await schoolSync({ people: 400 });
    (await sync.refresh())._unsafeUnwrap();
    const plan = (await sync.plan())._unsafeUnwrap();
    (await sync.apply(plan, { acknowledge: plan.planHash }))._unsafeUnwrap();
    // The saved count is what the directory now holds of the students profile's own managed accounts.
    const roleOf = new Map(school.people.map((p) => [p.sourceId, p.role]));
    const own = directory
      .snapshot()
      .filter((a) => a.managed && !a.archived && a.sourceId !== undefined && roleOf.get(a.sourceId) !== "parent");
    expect((await store.getLastRun(TENANT))._unsafeUnwrap()?.managedCount).toBe(own.length);
    // The host's read now returns only half of the accounts: their people would be added again.
    const listAccounts = directory.listAccounts.bind(directory);
    directory.listAccounts = () => listAccounts().map((all) => all.filter((_, i) => i % 2 === 0));
    (await sync.refresh())._unsafeUnwrap();
    const next = (await sync.plan())._unsafeUnwrap();
    expect(next.counts.add).toBeGreaterThan(0);
    expect(next.holds.map((h) => h.type)).toContain("directory-shrink");
    expect((await sync.apply(next))._unsafeUnwrapErr().type).toBe("Held");
  });

  it("finishes the bookkeeping on resume when the process failed between finishing a run and saving lastRun", async () => {
    const school = generateSchool({ seed: 5, people: 120, accountsFor: "none" });
    const inner = createMemoryStore();
    let failLastRun = true;
    const store = new Proxy(inner, {
      get: (target, property, receiver) =>
        property === "saveLastRun"
          ? (...args: Parameters<typeof inner.saveLastRun>) =>
              failLastRun ? errAsync({ type: "Unavailable", message: "store went away" }) : inner.saveLastRun(...args)
          : Reflect.get(target, property, receiver),
    });
    const directory = createMemoryDirectory();
    const sync = createSync({
      tenantId: TENANT,
      source: createMemoryRosterSource({ snapshot: rosterOf(school) }),
      directory,
      store,
    });
    (await sync.setup(generatedProfile(school, "student")))._unsafeUnwrap();
    (await sync.refresh())._unsafeUnwrap();
    const plan = (await sync.plan())._unsafeUnwrap();
    expect((await sync.apply(plan, { acknowledge: plan.planHash }))._unsafeUnwrapErr().type).toBe("StoreFailed");
    const [run] = (await store.listRuns(TENANT))._unsafeUnwrap();
    expect(run?.status).toBe("completed");
    failLastRun = false;
    const writes = directory.writes();
    const resumed = (await sync.resume(run!.runId))._unsafeUnwrap();
    expect(resumed.status).toBe("completed");
    expect(directory.writes()).toBe(writes);
    expect((await store.getLastRun(TENANT))._unsafeUnwrap()?.planHash).toBe(plan.planHash);
  });

  it("keeps every decision across a refresh (decisions live in the store)", async () => {
    const { sync, school, store } = await schoolSync();
    const student = school.people.find((p) => p.role === "student" && p.status === "enrolled" && p.email)!;
    const review = (await sync.decide((d) => d.unselect(student.sourceId)))._unsafeUnwrap();
    expect(review.rows.find((r) => r.sourceId === student.sourceId)?.status).toBe("skipped");
    const refreshed = (await sync.refresh())._unsafeUnwrap();
    expect(refreshed.rows.find((r) => r.sourceId === student.sourceId)?.status).toBe("skipped");
    expect((await store.getDecisions(TENANT))._unsafeUnwrap()?.value.selections[student.sourceId]).toBe(false);
    // A second instance (next year, another process) starts from the same setup and decisions.
    const later = createSync({
      tenantId: TENANT,
      source: createMemoryRosterSource({ snapshot: rosterOf(school) }),
      directory: createMemoryDirectory(),
      store,
    });
    expect((await later.decisions())._unsafeUnwrap().selections[student.sourceId]).toBe(false);
    expect((await later.profile())._unsafeUnwrap()?.role).toBe("student");
  });

  it("saves the setup optimistically: a setup changed elsewhere since it was read is a Conflict", async () => {
    const { sync, store, source, directory, profile } = await schoolSync();
    (await sync.profile())._unsafeUnwrap();
    const elsewhere = createSync({ tenantId: TENANT, source, directory, store });
    (await elsewhere.setup({ ...profile, defaultSelection: false }))._unsafeUnwrap();
    expect((await sync.setup({ ...profile, gradeLevels: ["01"] }))._unsafeUnwrapErr().type).toBe("Conflict");
    (await sync.profile())._unsafeUnwrap();
    (await sync.setup({ ...profile, gradeLevels: ["01"] }))._unsafeUnwrap();
    expect((await store.getProfile(TENANT))._unsafeUnwrap()?.value.gradeLevels).toEqual(["01"]);
  });

  it("resolves a duplicate email group with the group's members (R3)", async () => {
    const { sync } = await schoolSync({ seed: 11, people: 400 });
    const review = (await sync.refresh())._unsafeUnwrap();
    const group = review.duplicateGroups.find((g) => g.chosen === null);
    expect(group).toBeDefined();
    const chosen = group!.members[0]!;
    const after = (await sync.decide((d) => d.resolveDuplicate(group!.email, chosen)))._unsafeUnwrap();
    expect(after.rows.find((r) => r.sourceId === chosen)?.status).not.toBe("excluded");
    expect(after.duplicateGroups.find((g) => g.email === group!.email)?.chosen).toBe(chosen);
  });

  it("refuses a plan whose source changed since (StalePlan), writing nothing (R11)", async () => {
    const { sync, directory, school, setRoster } = await schoolSync();
    (await sync.refresh())._unsafeUnwrap();
    const plan = (await sync.plan())._unsafeUnwrap();
    setRoster({ ...rosterOf(school), people: school.people.slice(1) });
    const stale = (await sync.apply(plan, { acknowledge: plan.planHash }))._unsafeUnwrapErr();
    expect(stale.type).toBe("StalePlan");
    expect(directory.writes()).toBe(0);
  });

  it("refuses a plan whose directory or decisions changed since (StalePlan)", async () => {
    const { sync, directory, school } = await schoolSync();
    (await sync.refresh())._unsafeUnwrap();
    const plan = (await sync.plan())._unsafeUnwrap();
    await directory.createAccount(
      { email: "someone@else.org", firstName: "A", lastName: "B", sourceId: "zz", fields: {} },
      "zz",
    );
    expect((await sync.apply(plan, { acknowledge: plan.planHash }))._unsafeUnwrapErr().type).toBe("StalePlan");
    const fresh = (await sync.plan())._unsafeUnwrap();
    const someone = school.people.find((p) => p.role === "student")!;
    await sync.decide((d) => d.unselect(someone.sourceId));
    expect((await sync.apply(fresh, { acknowledge: fresh.planHash }))._unsafeUnwrapErr().type).toBe("StalePlan");
  });

  it("holds a plan when the source shrank by 40% (R10); acknowledged, it applies", async () => {
    const parts = await schoolSync();
    const { sync, directory } = parts;
    const shrunk = await shrunkAfterFirstSync(parts);
    expect(shrunk.holds.map((h) => h.type)).toContain("source-shrink");
    const writes = directory.writes();
    const held = (await sync.apply(shrunk))._unsafeUnwrapErr();
    expect(held).toMatchObject({ type: "Held", planHash: shrunk.planHash });
    expect((await sync.apply(shrunk, { acknowledge: "another-hash" }))._unsafeUnwrapErr().type).toBe("Held");
    expect(directory.writes()).toBe(writes);
    const applied = (await sync.apply(shrunk, { acknowledge: shrunk.planHash }))._unsafeUnwrap();
    expect(applied.status).toBe("completed");
    expect(applied.counts.archive).toBe(shrunk.counts.archive);
  });

  it("accepts a hold acknowledged in the decisions for that plan's hash", async () => {
    const parts = await schoolSync();
    const { sync, store } = parts;
    const shrunk = await shrunkAfterFirstSync(parts);
    (await sync.decide((d) => d.acknowledgeHold(shrunk.planHash)))._unsafeUnwrap();
    expect((await sync.apply(shrunk))._unsafeUnwrap().status).toBe("completed");
    expect((await store.listAudit(TENANT))._unsafeUnwrap()[0]?.counts).toMatchObject({ acknowledgedHold: true });
  });

  it("names each misuse: no plan, wrong tenant, another profile", async () => {
    const { sync, source, directory, store, profile } = await schoolSync();
    expect((await sync.apply(null as unknown as TenantPlan))._unsafeUnwrapErr().type).toBe("NoPlan");
    (await sync.refresh())._unsafeUnwrap();
    const plan = (await sync.plan())._unsafeUnwrap();
    const other = createSync({ tenantId: "school-2", source, directory, store });
    expect((await other.apply(plan))._unsafeUnwrapErr()).toMatchObject({
      type: "WrongTenant",
      expected: "school-2",
      actual: TENANT,
    });
    (await sync.setup({ ...profile, defaultSelection: !profile.defaultSelection }))._unsafeUnwrap();
    expect((await sync.apply(plan, { acknowledge: plan.planHash }))._unsafeUnwrapErr().type).toBe("ProfileMismatch");
    expect(directory.writes()).toBe(0);
  });

  it("turns a malformed roster into InvalidInput listing the problems, planning nothing", async () => {
    const { sync, school, setRoster, directory } = await schoolSync();
    const twice = school.people[0]!;
    setRoster({ ...rosterOf(school), people: [...school.people, twice] });
    const r = (await sync.refresh())._unsafeUnwrapErr();
    expect(r.type).toBe("InvalidInput");
    if (r.type === "InvalidInput") expect(r.problems.length).toBeGreaterThan(0);
    expect((await sync.plan())._unsafeUnwrapErr().type).toBe("InvalidInput");
    expect(directory.writes()).toBe(0);
  });

  it("needs a setup before anything else (NoProfile)", async () => {
    const sync = createSync({
      tenantId: TENANT,
      source: createMemoryRosterSource({ snapshot: { people: [], schools: [], gradeLevels: [] } }),
      directory: createMemoryDirectory(),
      store: createMemoryStore(),
    });
    expect((await sync.refresh())._unsafeUnwrapErr().type).toBe("NoProfile");
    expect((await sync.plan())._unsafeUnwrapErr().type).toBe("NoProfile");
  });

  it("resumes an aborted run to the uninterrupted state", async () => {
    const controller = new AbortController();
    let seen = 0;
    const { sync, directory } = await schoolSync({
      accounts: "none",
      extra: {
        journalBatchSize: 8,
        onProgress: (p) => {
          seen = p.done;
          if (p.done >= 16) controller.abort();
        },
      },
    });
    (await sync.refresh())._unsafeUnwrap();
    const plan = (await sync.plan())._unsafeUnwrap();
    const before = directory.snapshot();
    const aborted = (
      await sync.apply(plan, { acknowledge: plan.planHash, signal: controller.signal })
    )._unsafeUnwrapErr();
    expect(aborted.type).toBe("Aborted");
    expect(seen).toBeLessThan(plan.actions.length);
    const runId = (aborted.type === "Aborted" ? aborted.runId : undefined) ?? "";
    const done = (await sync.resume(runId))._unsafeUnwrap();
    expect(done.done).toBe(plan.actions.length);
    expect(comparable(directory.snapshot())).toEqual(comparable(simulateApply(before, plan)));
  });

  it("unattended: applies nothing while there are new errors or holds, applies when nothing needs a person", async () => {
    const { sync, directory, school, setRoster } = await schoolSync();
    const first = (await sync.run({ unattended: true }))._unsafeUnwrap();
    expect(first.applied).toBe(false);
    expect(directory.writes()).toBe(0);
    if (!first.applied) expect(first.needsAttention.newErrors.length).toBeGreaterThan(0);
    // An admin applies the first sync by hand; from then on the same errors are not new.
    (await sync.apply(first.plan, { acknowledge: first.plan.planHash }))._unsafeUnwrap();
    const nightly = (await sync.run({ unattended: true }))._unsafeUnwrap();
    expect(nightly.applied).toBe(true);
    // A truncated fetch is held and not applied.
    setRoster({ ...rosterOf(school), people: school.people.slice(0, Math.floor(school.people.length * 0.5)) });
    const writes = directory.writes();
    const truncated = (await sync.run({ unattended: true }))._unsafeUnwrap();
    expect(truncated.applied).toBe(false);
    if (!truncated.applied) expect(truncated.needsAttention.holds.length).toBeGreaterThan(0);
    expect(directory.writes()).toBe(writes);
  });
});
