import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { createdAccount } from "../created-account.js";
import { normaliseEmail } from "../email.js";
import type { AccountPatch, CreateResult, DirectoryError, TargetDirectory } from "../ports/target-directory.js";
import { releasedEmail } from "../simulate.js";
import type { Account, NewAccount, TargetField } from "../types.js";

/** The directory operations a fault hook can intercept. */
export type MemoryDirectoryOperation =
  | "listAccounts"
  | "listFields"
  | "createField"
  | "createAccount"
  | "linkAccount"
  | "updateAccount"
  | "restoreAccount"
  | "archiveAccount"
  | "mergeAccounts";

/** Options of {@link createMemoryDirectory}. */
export interface MemoryDirectoryOptions {
  /** The accounts the directory starts with (default none). */
  readonly accounts?: readonly Account[] | undefined;
  /** The custom fields the directory starts with (default none). */
  readonly fields?: readonly TargetField[] | undefined;
  /**
   * Called before each operation with its target (account id, idempotency key or field name); return an
   * error to make it fail without writing, e.g. to simulate a crash or an outage mid-apply.
   */
  readonly fault?:
    | ((operation: MemoryDirectoryOperation, target: string) => DirectoryError | null | undefined)
    | undefined;
  /** Prefix of generated account ids (default `acct-`). */
  readonly idPrefix?: string | undefined;
}

/** The state behind a memory directory, for assertions. */
export interface MemoryDirectoryState {
  /** Accounts by id, in creation order. */
  readonly accounts: Map<string, Account>;
  /** Fields by name. */
  readonly fields: Map<string, TargetField>;
  /** Idempotency key → account id of the create that used it. */
  readonly createKeys: Map<string, string>;
  /** Merges after the fact, in the order they were made (`mergeAccounts`). */
  readonly merges: { readonly from: string; readonly into: string }[];
}

/** An in-memory host directory with access to its state. */
export interface MemoryDirectory extends TargetDirectory {
  /** The live state (maps), for assertions in tests. */
  getInstance(): MemoryDirectoryState;
  /** A copy of every account, in creation order. */
  snapshot(): Account[];
  /** How many writes succeeded (creates that replayed do not count). */
  writes(): number;
}

/**
 * A {@link TargetDirectory} held in memory. Emails are unique (compared after R1 normalisation, archived
 * accounts included) and a create with a key seen before answers the same account with `created: false`.
 *
 * @example
 * ```ts
 * const directory = createMemoryDirectory({ accounts: [existingAccount], fields: [{ name: "Grade", kind: "text" }] });
 * await directory.createAccount(newAccount, newAccount.sourceId);
 * directory.snapshot();
 * ```
 */
export function createMemoryDirectory(options: MemoryDirectoryOptions = {}): MemoryDirectory {
  const { accounts = [], fields = [] } = options;
  const state: MemoryDirectoryState = {
    accounts: new Map(accounts.map((a) => [a.accountId, a])),
    fields: new Map(fields.map((f) => [f.name, f])),
    createKeys: new Map(),
    merges: [],
  };
  for (const a of accounts) if (a.sourceId !== undefined) state.createKeys.set(a.sourceId, a.accountId);
  const prefix = options.idPrefix ?? "acct-";
  let nextId = state.accounts.size + 1;
  let writeCount = 0;

  const fail = (type: DirectoryError["type"], message: string): ResultAsync<never, DirectoryError> =>
    errAsync({ type, message });
  const faultOf = (operation: MemoryDirectoryOperation, target: string) => options.fault?.(operation, target);

  /** The account other than `except` that owns `email`, if any. */
  const owner = (email: string, except: string | null): Account | undefined => {
    const wanted = normaliseEmail(email);
    for (const a of state.accounts.values()) {
      if (a.accountId !== except && normaliseEmail(a.email) === wanted) return a;
    }
    return undefined;
  };

  const patched = (account: Account, patch: AccountPatch, extra: Partial<Account>): Account => {
    let next: Account = { ...account, ...extra };
    if (patch.email !== undefined) next = { ...next, email: patch.email };
    if (patch.firstName !== undefined) next = { ...next, firstName: patch.firstName };
    if (patch.lastName !== undefined) next = { ...next, lastName: patch.lastName };
    if (patch.familyGroupId !== undefined) {
      const { familyGroupId: _dropped, ...rest } = next;
      next = patch.familyGroupId === null ? rest : { ...rest, familyGroupId: patch.familyGroupId };
    }
    if (patch.fields !== undefined) next = { ...next, fields: { ...next.fields, ...patch.fields } };
    return next;
  };

  const write = (
    operation: MemoryDirectoryOperation,
    accountId: string,
    patch: AccountPatch,
    extra: Partial<Account>,
  ): ResultAsync<void, DirectoryError> => {
    const fault = faultOf(operation, accountId);
    if (fault) return errAsync(fault);
    const account = state.accounts.get(accountId);
    if (!account) return fail("NotFound", `No account ${accountId}.`);
    if (patch.email !== undefined && owner(patch.email, accountId)) {
      return fail("EmailTaken", `Another account already uses ${patch.email}.`);
    }
    state.accounts.set(accountId, patched(account, patch, extra));
    writeCount += 1;
    return okAsync(undefined);
  };

  return {
    name: "memory",
    listAccounts() {
      const fault = faultOf("listAccounts", "");
      return fault ? errAsync(fault) : okAsync([...state.accounts.values()]);
    },
    listFields() {
      const fault = faultOf("listFields", "");
      return fault ? errAsync(fault) : okAsync([...state.fields.values()]);
    },
    createField(field: TargetField) {
      const fault = faultOf("createField", field.name);
      if (fault) return errAsync(fault);
      // Creating a field that exists is a replay, not an error: apply may be resumed.
      if (!state.fields.has(field.name)) {
        state.fields.set(field.name, field);
        writeCount += 1;
      }
      return okAsync(undefined);
    },
    createAccount(account: NewAccount, idempotencyKey: string): ResultAsync<CreateResult, DirectoryError> {
      const fault = faultOf("createAccount", idempotencyKey);
      if (fault) return errAsync(fault);
      const known = state.createKeys.get(idempotencyKey);
      if (known !== undefined && state.accounts.has(known)) return okAsync({ accountId: known, created: false });
      if (owner(account.email, null)) return fail("EmailTaken", `Another account already uses ${account.email}.`);
      const accountId = `${prefix}${nextId++}`;
      const created = createdAccount(accountId, account);
      state.accounts.set(accountId, created);
      state.createKeys.set(idempotencyKey, accountId);
      writeCount += 1;
      return okAsync({ accountId, created: true });
    },
    linkAccount(accountId, sourceId, patch) {
      const linkedElsewhere = [...state.accounts.values()].find(
        (a) => a.sourceId === sourceId && a.accountId !== accountId,
      );
      if (linkedElsewhere)
        return fail("Invalid", `Person ${sourceId} is already linked to ${linkedElsewhere.accountId}.`);
      return write("linkAccount", accountId, patch, { sourceId, managed: true });
    },
    updateAccount(accountId, patch) {
      return write("updateAccount", accountId, patch, {});
    },
    restoreAccount(accountId, patch) {
      return write("restoreAccount", accountId, patch, { archived: false });
    },
    archiveAccount(accountId) {
      return write("archiveAccount", accountId, {}, { archived: true });
    },
    mergeAccounts(from, into) {
      const fault = faultOf("mergeAccounts", from);
      if (fault) return errAsync(fault);
      const account = state.accounts.get(from);
      if (!account || !state.accounts.has(into)) return fail("NotFound", `No account ${account ? into : from}.`);
      // Idempotent: a merge already made is a replay.
      if (account.archived && account.sourceId === undefined) return okAsync(undefined);
      const { sourceId, ...rest } = account;
      state.accounts.set(from, { ...rest, archived: true, email: releasedEmail(from) });
      // A create for this person must not answer with the retired account.
      if (sourceId !== undefined && state.createKeys.get(sourceId) === from) state.createKeys.delete(sourceId);
      state.merges.push({ from, into });
      writeCount += 1;
      return okAsync(undefined);
    },
    getInstance: () => state,
    snapshot: () => [...state.accounts.values()],
    writes: () => writeCount,
  };
}
