/**
 * The account a host creates for a person, as `simulateApply` and the memory directory's
 * `createAccount` both make it (one copy, so that a simulated apply and a memory host never disagree).
 * Internal: not exported from the package.
 *
 * @module
 */

import type { Account, NewAccount } from "./types.js";

/**
 * The account created for `account` under `accountId`: managed by the sync, active, never accessed, with
 * a copy of its fields (and its family group only when it has one).
 * @internal
 */
export function createdAccount(accountId: string, account: NewAccount): Account {
  return {
    accountId,
    email: account.email,
    firstName: account.firstName,
    lastName: account.lastName,
    sourceId: account.sourceId,
    archived: false,
    managed: true,
    ...(account.familyGroupId === undefined ? {} : { familyGroupId: account.familyGroupId }),
    fields: { ...account.fields },
    neverAccessed: true,
  };
}
