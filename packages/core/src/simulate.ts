/**
 * What a correct apply leaves behind, computed without I/O: for tests (convergence), for the sync
 * package's checks and for hosts' dry runs.
 *
 * @module
 */

import { createdAccount } from "./created-account.js";
import type { Account, FieldChange, SyncPlan } from "./types.js";

/**
 * The email an account merged after the fact is left with, in {@link simulateApply} and the memory
 * directory's `mergeAccounts`: an address under the reserved `.invalid` domain, so that the account it was
 * merged into can take the person's email (R6). A host may release the email its own way.
 */
export function releasedEmail(accountId: string): string {
  return `merged-${accountId}@merged.invalid`;
}

/** The id {@link simulateApply} gives the account it creates for a person. */
export function simulatedAccountId(sourceId: string): string {
  return `new:${sourceId}`;
}

function withChanges(account: Account, changes: readonly FieldChange[]): Account {
  if (changes.length === 0) return account;
  let next: Account = account;
  let fields: Record<string, string | null> | null = null;
  for (const c of changes) {
    if (c.field === "email") next = { ...next, email: c.to ?? next.email };
    else if (c.field === "firstName") next = { ...next, firstName: c.to ?? "" };
    else if (c.field === "lastName") next = { ...next, lastName: c.to ?? "" };
    else if (c.field === "familyGroupId") {
      const { familyGroupId: _old, ...rest } = next;
      next = c.to === null ? rest : { ...rest, familyGroupId: c.to };
    } else {
      fields ??= Object.assign(Object.create(null) as Record<string, string | null>, next.fields);
      fields[c.field] = c.to;
    }
  }
  return fields === null ? next : { ...next, fields };
}

/**
 * The accounts a correct, complete apply of `plan` leaves (input order kept; created accounts appended in
 * plan order with the id `new:<sourceId>`). Creating is idempotent: a person who already has an account
 * gets no second one.
 *
 * @example
 * ```ts
 * const after = simulateApply(accounts, plan(input));
 * plan({ ...input, accounts: after }).counts.add // 0: planning converges
 * ```
 */
export function simulateApply(accounts: readonly Account[], plan: SyncPlan): Account[] {
  const result: Account[] = [...accounts];
  const position = new Map<string, number>();
  const linked = new Set<string>();
  for (let i = 0; i < result.length; i++) {
    const a = result[i] as Account;
    position.set(a.accountId, i);
    if (a.sourceId !== undefined) linked.add(a.sourceId);
  }
  const change = (accountId: string, f: (a: Account) => Account): void => {
    const i = position.get(accountId);
    if (i !== undefined) result[i] = f(result[i] as Account);
  };
  for (const action of plan.actions) {
    switch (action.type) {
      case "add": {
        if (linked.has(action.sourceId)) break;
        const created = createdAccount(simulatedAccountId(action.sourceId), action.account);
        position.set(created.accountId, result.length);
        linked.add(action.sourceId);
        result.push(created);
        break;
      }
      case "link":
        change(action.accountId, (a) =>
          withChanges(
            { ...a, sourceId: action.sourceId, managed: true, ...(action.restore === true ? { archived: false } : {}) },
            action.changes,
          ),
        );
        linked.add(action.sourceId);
        break;
      case "update":
        change(action.accountId, (a) => withChanges(a, action.changes));
        break;
      case "restore":
        change(action.accountId, (a) => withChanges({ ...a, archived: false }, action.changes));
        break;
      case "archive":
        if (action.mergedInto !== undefined) {
          // What `TargetDirectory.mergeAccounts` leaves: archived, linked to nobody, its email released.
          change(action.accountId, (a) => {
            const { sourceId: _gone, ...rest } = a;
            return { ...rest, archived: true, email: releasedEmail(a.accountId) };
          });
          if (action.sourceId !== null) linked.delete(action.sourceId);
        } else change(action.accountId, (a) => ({ ...a, archived: true }));
        break;
      default:
        break;
    }
  }
  return result;
}
