/**
 * Regression suite of issue 14 §1: `apply` takes a plan only as a reference (its hash, plus an
 * acknowledgement). Whatever the caller's object says, the actions and holds run are the ones `apply`
 * plans again under the lock (docs/applying.md).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Account,
  createMemoryDirectory,
  createMemoryRosterSource,
  createMemoryStore,
  type PlanAction,
  type RosterSnapshot,
  type SyncStore,
} from "@rostersync/core";
import { type GeneratedSchool, generatedProfile, generateSchool } from "@rostersync/core/testing";
import { createSqliteStore } from "@rostersync/storage-sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { startRun, unmanagedWrite } from "../../src/apply.js";
import { createSync, type TenantPlan } from "../../src/index.js";
import { engineContext, handPlan, verified } from "../helpers/engine.js";
import { memorySchool } from "../helpers/school.js";

const TENANT = "school-1";
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const snapshotOf = (school: GeneratedSchool, keep = 1): RosterSnapshot => ({
  people: school.people.slice(0, Math.floor(school.people.length * keep)),
  schools: school.schools,
  gradeLevels: school.gradeLevels,
});

/** A school synced once, then read with 40% of its people gone: the next plan is held (R10). */
async function heldSchool(store: SyncStore = createMemoryStore()) {
  const school = generateSchool({ seed: 11, people: 150, accountsFor: "both" });
  let roster = snapshotOf(school);
  const source = createMemoryRosterSource({ snapshot: () => roster });
  const directory = createMemoryDirectory({ accounts: school.accounts });
  const make = (s: SyncStore = store) => createSync({ tenantId: TENANT, source, directory, store: s });
  const sync = make();
  (await sync.setup(generatedProfile(school, "student")))._unsafeUnwrap();
  (await sync.refresh())._unsafeUnwrap();
  const first = (await sync.plan())._unsafeUnwrap();
  (await sync.apply(first, { acknowledge: first.planHash }))._unsafeUnwrap();
  roster = snapshotOf(school, 0.6);
  (await sync.refresh())._unsafeUnwrap();
  const held = (await sync.plan())._unsafeUnwrap();
  expect(held.holds.length).toBeGreaterThan(0);
  expect(held.counts.archive).toBeGreaterThan(5);
  return { school, directory, store, sync, held, make };
}

const listed = async (directory: ReturnType<typeof createMemoryDirectory>) =>
  (await directory.listAccounts())._unsafeUnwrap();

describe("apply runs its own plan, never the caller's (issue 14 §1)", () => {
  it("refuses a held plan whose holds the caller emptied: Held, nothing archived", async () => {
    const { directory, sync, held } = await heldSchool();
    const writes = directory.writes();
    const archived = (await listed(directory)).filter((a) => a.archived).length;
    const forged: TenantPlan = { ...held, holds: [] };
    const r = (await sync.apply(forged))._unsafeUnwrapErr();
    expect(r).toMatchObject({ type: "Held", planHash: held.planHash });
    expect(directory.writes()).toBe(writes);
    expect((await listed(directory)).filter((a) => a.archived).length).toBe(archived);
  });

  it("never runs the caller's actions: an update of an unmanaged account's email under a valid hash changes nothing of it", async () => {
    const school = generateSchool({ seed: 5, people: 80, accountsFor: "both" });
    const host: Account = {
      accountId: "host-teacher",
      email: "teacher@host.example.net",
      firstName: "Tea",
      lastName: "Cher",
      archived: false,
      managed: false,
      fields: {},
      neverAccessed: false,
    };
    const { sync, directory } = memorySchool({
      tenantId: TENANT,
      roster: () => snapshotOf(school),
      accounts: [...school.accounts, host],
    });
    (await sync.setup(generatedProfile(school, "student")))._unsafeUnwrap();
    (await sync.refresh())._unsafeUnwrap();
    const plan = (await sync.plan())._unsafeUnwrap();
    const evil: PlanAction = {
      type: "update",
      actionId: "update:evil",
      reasons: ["fields-changed"],
      sourceId: school.people[0]!.sourceId,
      accountId: host.accountId,
      changes: [{ field: "email", from: host.email, to: "attacker@evil.example" }],
    };
    const result = (
      await sync.apply(
        { ...plan, actions: [evil], counts: { ...plan.counts, update: 1 } },
        { acknowledge: plan.planHash },
      )
    )._unsafeUnwrap();
    const after = (await listed(directory)).find((a) => a.accountId === host.accountId);
    expect(after).toMatchObject({ email: host.email, managed: false });
    expect(after?.sourceId).toBeUndefined();
    // It ran the plan it made itself.
    expect(result.total).toBe(plan.actions.length);
    expect(result.counts).toMatchObject({ add: plan.counts.add, update: plan.counts.update });
  });

  it("takes a bare hash or { planHash } as well as a plan object", async () => {
    const school = generateSchool({ seed: 3, people: 60, accountsFor: "both" });
    const { sync, directory } = memorySchool({
      tenantId: TENANT,
      roster: () => snapshotOf(school),
      accounts: school.accounts,
    });
    (await sync.setup(generatedProfile(school, "student")))._unsafeUnwrap();
    (await sync.refresh())._unsafeUnwrap();
    const plan = (await sync.plan())._unsafeUnwrap();
    expect((await sync.apply("not-the-hash"))._unsafeUnwrapErr().type).toBe("StalePlan");
    expect((await sync.apply({ planHash: "" }))._unsafeUnwrapErr().type).toBe("NoPlan");
    expect(directory.writes()).toBe(0);
    const run = (await sync.apply({ planHash: plan.planHash }))._unsafeUnwrap();
    expect(run).toMatchObject({ status: "completed", planHash: plan.planHash, total: plan.actions.length });
  });

  it("acknowledging a hash does not change the hash a plan is made with, and counts for that hash only", async () => {
    const { directory, sync, held } = await heldSchool();
    (await sync.acknowledge("some-other-hash", { actor: "admin-1" }))._unsafeUnwrap();
    expect((await sync.apply(held.planHash))._unsafeUnwrapErr().type).toBe("Held");
    const ack = (await sync.acknowledge(held.planHash, { actor: "admin-17" }))._unsafeUnwrap();
    expect(ack).toMatchObject({ planHash: held.planHash, actor: "admin-17" });
    expect((await sync.plan())._unsafeUnwrap().planHash).toBe(held.planHash);
    const writes = directory.writes();
    const run = (await sync.apply(held.planHash))._unsafeUnwrap();
    expect(run.counts.archive).toBe(held.counts.archive);
    expect(directory.writes()).toBeGreaterThan(writes);
    expect((await sync.acknowledge(""))._unsafeUnwrapErr().type).toBe("InvalidDecision");
  });

  it("acknowledge now, a worker applies later: nothing but the hash crosses, over a shared SQLite store", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rostersync-ack-"));
    dirs.push(dir);
    const path = join(dir, "store.db");
    const adminStore = (await createSqliteStore({ path }))._unsafeUnwrap();
    const { store, sync: admin, held, make, directory } = await heldSchool(adminStore);
    (await admin.acknowledge(held.planHash, { actor: "admin-17" }))._unsafeUnwrap();
    // The worker: its own store connection and its own sync, knowing only the hash (a queue message).
    const workerStore = (await createSqliteStore({ path }))._unsafeUnwrap();
    const worker = make(workerStore);
    const message = JSON.parse(JSON.stringify({ planHash: held.planHash })) as { planHash: string };
    const run = (await worker.apply(message, { actor: "worker" }))._unsafeUnwrap();
    expect(run.status).toBe("completed");
    expect(run.counts.archive).toBe(held.counts.archive);
    expect((await listed(directory)).filter((a) => a.archived && a.managed).length).toBeGreaterThanOrEqual(
      held.counts.archive,
    );
    const audit = (await workerStore.listAudit(TENANT))._unsafeUnwrap()[0];
    expect(audit).toMatchObject({ actor: "worker", planHash: held.planHash });
    expect(audit?.counts).toMatchObject({ acknowledgedHold: true, acknowledgedBy: "admin-17" });
    await workerStore.close();
    await store.close();
  });
});

describe("the write guard at execution (R6, R7)", () => {
  const unmanaged: Account = {
    accountId: "u1",
    email: "u1@host.example.net",
    archived: false,
    managed: false,
    fields: {},
    neverAccessed: false,
  };
  const other: Account = { ...unmanaged, accountId: "l1", email: "l1@x.org", managed: true, sourceId: "someone" };
  const accounts = new Map([unmanaged, other].map((a) => [a.accountId, a]));
  const change = [{ field: "email", from: "x", to: "evil@x.org" }] as const;

  it("refuses update, restore and archive of an unmanaged account and a link that moves another's account", () => {
    const base = { reasons: [], sourceId: "s1", changes: change };
    expect(unmanagedWrite({ ...base, type: "update", actionId: "u", accountId: "u1" }, accounts)).toMatch(
      /not managed/,
    );
    expect(unmanagedWrite({ ...base, type: "restore", actionId: "r", accountId: "u1" }, accounts)).toMatch(
      /not managed/,
    );
    expect(
      unmanagedWrite({ type: "archive", actionId: "a", reasons: [], accountId: "u1", sourceId: null }, accounts),
    ).toMatch(/not managed/);
    expect(unmanagedWrite({ ...base, type: "update", actionId: "u", accountId: "l1" }, accounts)).toMatch(/not linked/);
    expect(unmanagedWrite({ ...base, type: "link", actionId: "l", accountId: "l1" }, accounts)).toMatch(
      /another person/,
    );
    expect(unmanagedWrite({ ...base, type: "link", actionId: "l", accountId: "u1" }, accounts)).toBeNull();
    expect(
      unmanagedWrite({ ...base, type: "update", actionId: "u", accountId: "l1", sourceId: "someone" }, accounts),
    ).toBeNull();
  });

  it("records a refused write as a failed action and leaves the account as it was", async () => {
    const directory = createMemoryDirectory({ accounts: [unmanaged] });
    const plan = handPlan(1, [
      { type: "update", actionId: "update:s9", reasons: [], sourceId: "s9", accountId: "u1", changes: change },
    ]);
    const ctx = engineContext(createMemoryStore(), directory);
    const run = (await startRun(ctx, {}, verified(plan)))._unsafeUnwrap();
    expect(run.failures).toEqual([
      {
        actionId: "update:s9",
        type: "update",
        error: { type: "Unmanaged", message: expect.stringMatching(/not managed/) },
      },
    ]);
    expect((await directory.listAccounts())._unsafeUnwrap().find((a) => a.accountId === "u1")?.email).toBe(
      unmanaged.email,
    );
  });
});
