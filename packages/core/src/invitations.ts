/**
 * R13 — invitations. After an apply the SDK lists the accounts the host may want to invite: those the
 * plan added and those whose person never signed in. It sends nothing itself.
 *
 * @module
 */

import type { Account, SyncPlan } from "./types.js";

/** One account to invite, and why. */
export interface Invitation {
  readonly accountId: string;
  readonly email: string;
  readonly sourceId: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  /** `added`: created by this plan; `never-accessed`: an existing synced account nobody signed in to. */
  readonly reason: "added" | "never-accessed";
}

/**
 * The accounts to invite after applying `appliedPlan` (R13): every active synced account the plan
 * added, then every other active synced account that was never accessed. Sorted by email.
 *
 * @example
 * ```ts
 * const invites = inviteCandidates(await directory.listAccounts(), plan);
 * ```
 */
export function inviteCandidates(accounts: readonly Account[], appliedPlan: SyncPlan): Invitation[] {
  const added = new Set<string>();
  for (const action of appliedPlan.actions) if (action.type === "add") added.add(action.sourceId);
  const invitations: Invitation[] = [];
  for (const a of accounts) {
    if (a.archived || !a.managed || a.sourceId === undefined) continue;
    const isAdded = added.has(a.sourceId);
    if (!isAdded && !a.neverAccessed) continue;
    invitations.push({
      accountId: a.accountId,
      email: a.email,
      sourceId: a.sourceId,
      firstName: a.firstName ?? null,
      lastName: a.lastName ?? null,
      reason: isAdded ? "added" : "never-accessed",
    });
  }
  return invitations.sort((x, y) => (x.email < y.email ? -1 : x.email > y.email ? 1 : 0));
}
