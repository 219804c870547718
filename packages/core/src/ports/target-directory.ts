import type { ResultAsync } from "neverthrow";
import type { Account, NewAccount, TargetField } from "../types.js";
import type { PortError } from "./errors.js";

/** Errors a directory reports. `EmailTaken` is the unique-email constraint of the host. */
export interface DirectoryError extends PortError {
  readonly type: "EmailTaken" | "NotFound" | "Unauthorized" | "Unavailable" | "Invalid" | "Unsupported" | (string & {});
}

/** The result of a create: the account and whether this call created it (false: idempotent replay). */
export interface CreateResult {
  readonly accountId: string;
  readonly created: boolean;
}

/** Changes to write to an account: target field → value, plus the built-in fields. */
export interface AccountPatch {
  readonly email?: string | undefined;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
  readonly familyGroupId?: string | null | undefined;
  readonly fields?: Readonly<Record<string, string | null>> | undefined;
}

/**
 * The host app's accounts. Every write must be idempotent: `createAccount` with a key it has seen answers
 * with the same account and `created: false`; `archive`, `restore`, `link` and `update` may be repeated.
 */
export interface TargetDirectory<E extends DirectoryError = DirectoryError> {
  readonly name: string;
  listAccounts(): ResultAsync<readonly Account[], E>;
  listFields(): ResultAsync<readonly TargetField[], E>;
  createField(field: TargetField): ResultAsync<void, E>;
  /** Create a managed account linked to `account.sourceId`; `idempotencyKey` is the person's `sourceId`. */
  createAccount(account: NewAccount, idempotencyKey: string): ResultAsync<CreateResult, E>;
  /** Link an account to a person, mark it managed and apply `patch`. */
  linkAccount(accountId: string, sourceId: string, patch: AccountPatch): ResultAsync<void, E>;
  updateAccount(accountId: string, patch: AccountPatch): ResultAsync<void, E>;
  /** Unarchive and apply `patch`. */
  restoreAccount(accountId: string, patch: AccountPatch): ResultAsync<void, E>;
  /** Soft delete: the account keeps its history. */
  archiveAccount(accountId: string): ResultAsync<void, E>;
  /**
   * Merge after the fact (R6, an `archive` action with `mergedInto`): move what the host keeps under `from`
   * (hours, history) to `into`, keeping each hour's id (so that hours already written back to the SIS are
   * recognised and not sent again), then retire `from`: archived, linked to nobody and no longer holding
   * its email (the plan links `into` to the person next, with that email). Idempotent. Optional: without
   * it, a merge after the fact fails with `Unsupported` and nothing is written for it.
   */
  mergeAccounts?(from: string, into: string): ResultAsync<void, E>;
}
