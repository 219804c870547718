import {
  type Account,
  createMemoryDirectory,
  createMemoryStore,
  inviteCandidates,
  type NewAccount,
  type PlanAction,
  type PlanCounts,
  type SyncPlan,
  type SyncStore,
  type TargetDirectory,
} from "@rostersync/core";
import { ok } from "neverthrow";
import type { ApplyContext } from "../../src/apply.js";

/** A hand-made plan: `n` adds, then the given extra actions. For engine-level tests only. */
export function handPlan(n: number, extra: PlanAction[] = [], hash = "hash-1"): SyncPlan {
  const actions: PlanAction[] = [];
  for (let i = 1; i <= n; i++) {
    const account: NewAccount = {
      email: `p${i}@example.org`,
      firstName: `F${i}`,
      lastName: `L${i}`,
      sourceId: `s${i}`,
      fields: { Grade: String(i % 12) },
    };
    actions.push({ actionId: `add:s${i}`, type: "add", reasons: ["new-person"], sourceId: `s${i}`, account });
  }
  actions.push(...extra);
  const counts: Record<keyof PlanCounts, number> = {
    add: 0,
    link: 0,
    update: 0,
    restore: 0,
    archive: 0,
    skip: 0,
    createField: 0,
  };
  for (const a of actions) counts[a.type]++;
  return {
    role: "student",
    planHash: hash,
    profileHash: "profile-1",
    actions,
    counts,
    holds: [],
    askAtFirstLogin: [],
    sourceCount: n,
    accountCount: 0,
  };
}

/** The check under the lock, answering `plan` as verified with nothing reviewed, selected or acknowledged. */
export const verified = (plan: SyncPlan) => async () =>
  ok({ plan, reviewedIds: [], selections: {}, errorFingerprints: [], acknowledged: false });

/** An apply context over the given store and directory, with no post-run bookkeeping. */
export function engineContext(
  store: SyncStore = createMemoryStore(),
  directory: TargetDirectory = createMemoryDirectory(),
  overrides: Partial<ApplyContext> = {},
): ApplyContext {
  let id = 0;
  return {
    tenantId: "school-1",
    store,
    directory,
    clock: { now: () => Date.now() },
    newId: () => `id-${++id}`,
    lockTtlMs: 60_000,
    journalBatchSize: 4,
    onCompleted: async () => ok(undefined),
    inviteCandidates,
    ...overrides,
  };
}

/** What a directory holds, without generated ids: comparable across runs and adapters. */
export function comparable(accounts: readonly Account[]) {
  return accounts
    .map(({ accountId: _id, ...rest }) => ({ ...rest, fields: { ...rest.fields } }))
    .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
}

/** Emails or source ids held by more than one account. */
export function duplicates(accounts: readonly Account[]): string[] {
  const seen = new Map<string, number>();
  for (const a of accounts) {
    for (const key of [`email:${a.email.toLowerCase()}`, a.sourceId === undefined ? null : `source:${a.sourceId}`]) {
      if (key !== null) seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}
