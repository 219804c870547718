// The host's own accounts, behind rostersync's TargetDirectory port. A real host writes these methods over its
// users table; the contract is in docs/adapters.md ("A directory over your accounts").

import type {
  Account,
  AccountPatch,
  CreateResult,
  DirectoryError,
  NewAccount,
  TargetDirectory,
  TargetField,
} from "@rostersync/core";
import { normaliseEmail } from "@rostersync/core";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";

/** The host's accounts directory, with a look at its rows for the example's checks. */
export interface AccountsDirectory extends TargetDirectory {
  /** Every account, as the host's users table holds it. */
  rows(): readonly Account[];
}

const failure = (type: DirectoryError["type"], message: string): ResultAsync<never, DirectoryError> =>
  errAsync({ type, message, fatal: false, retryable: false });

/** An accounts directory in memory: ids `u1`, `u2`…, emails unique as R1 compares them (trimmed, NFC, any case). */
export function createAccountsDirectory(initial: readonly Account[] = []): AccountsDirectory {
  const accounts = new Map(initial.map((a) => [a.accountId, a]));
  const fields = new Map<string, TargetField>();
  /** Idempotency key → account id: a create retried after a crash answers the first account. */
  const created = new Map<string, string>();
  let next = accounts.size + 1;
  const owner = (email: string) => {
    const wanted = normaliseEmail(email);
    for (const a of accounts.values()) if (normaliseEmail(a.email) === wanted) return a.accountId;
    return null;
  };
  const patched = (
    accountId: string,
    patch: AccountPatch,
    extra: Partial<Account>,
  ): ResultAsync<void, DirectoryError> => {
    const current = accounts.get(accountId);
    if (current === undefined) return failure("NotFound", `No account ${accountId}.`);
    if (patch.email !== undefined) {
      const other = owner(patch.email);
      if (other !== null && other !== accountId) return failure("EmailTaken", `Another account uses ${patch.email}.`);
    }
    const { familyGroupId: _old, ...rest } = current;
    // `familyGroupId: null` clears the group; `undefined` leaves it as it is.
    const familyGroupId =
      patch.familyGroupId === undefined ? current.familyGroupId : (patch.familyGroupId ?? undefined);
    accounts.set(accountId, {
      ...rest,
      ...(patch.email === undefined ? {} : { email: patch.email }),
      ...(patch.firstName === undefined ? {} : { firstName: patch.firstName }),
      ...(patch.lastName === undefined ? {} : { lastName: patch.lastName }),
      ...(familyGroupId === undefined ? {} : { familyGroupId }),
      fields: { ...current.fields, ...patch.fields },
      ...extra,
    });
    return okAsync(undefined);
  };
  return {
    name: "host-accounts",
    rows: () => [...accounts.values()],
    listAccounts: () => okAsync([...accounts.values()]),
    listFields: () => okAsync([...fields.values()]),
    createField(field: TargetField) {
      fields.set(field.name, field);
      return okAsync(undefined);
    },
    createAccount(account: NewAccount, idempotencyKey: string): ResultAsync<CreateResult, DirectoryError> {
      const known = created.get(idempotencyKey);
      if (known !== undefined) return okAsync({ accountId: known, created: false });
      if (owner(account.email) !== null) return failure("EmailTaken", `Another account uses ${account.email}.`);
      const accountId = `u${next++}`;
      accounts.set(accountId, {
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
      });
      created.set(idempotencyKey, accountId);
      return okAsync({ accountId, created: true });
    },
    linkAccount: (accountId, sourceId, patch) => patched(accountId, patch, { sourceId, managed: true }),
    updateAccount: (accountId, patch) => patched(accountId, patch, {}),
    restoreAccount: (accountId, patch) => patched(accountId, patch, { archived: false }),
    archiveAccount: (accountId) => patched(accountId, {}, { archived: true }),
  };
}
