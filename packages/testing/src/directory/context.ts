import type { Account, NewAccount, TargetDirectory } from "@rostersync/core";
import { useAdapter } from "../lifecycle.js";
import { must } from "../results.js";

/** Opens a fresh, empty directory (no accounts, no fields). Called once per test. */
export type MakeDirectory = () => TargetDirectory | Promise<TargetDirectory>;

/** Tuning for {@link runDirectoryContract}. */
export interface DirectoryContractOptions {
  /** Closes a directory the suite opened. Default: its `close()`, when it has one. */
  readonly close?: ((directory: TargetDirectory) => void | Promise<void>) | undefined;
}

/** What every concern of the directory suite receives. */
export interface DirectorySuiteContext {
  /** The directory of the running test (opened in `beforeEach`, closed in `afterEach`). */
  directory(): TargetDirectory;
}

/** Registers the per-test directory lifecycle in the current `describe` and returns the context. */
export function useDirectory(make: MakeDirectory, options: DirectoryContractOptions = {}): DirectorySuiteContext {
  return { directory: useAdapter("directory", make, options.close) };
}

/** Person `n` as a create carries it: `person<n>@example.org`, source id `s<n>`, one field. */
export function newAccount(n: number, overrides: Partial<NewAccount> = {}): NewAccount {
  return {
    email: `person${n}@example.org`,
    firstName: `First${n}`,
    lastName: `Last${n}`,
    sourceId: `s${n}`,
    fields: { Grade: "08" },
    ...overrides,
  };
}

/** The account `accountId` as the directory lists it; fails the test when it is not listed. */
export async function accountOf(directory: TargetDirectory, accountId: string): Promise<Account> {
  const account = (await must(directory.listAccounts())).find((a) => a.accountId === accountId);
  if (account === undefined) throw new Error(`account ${accountId} is not listed`);
  return account;
}

/** Creates person `n` (key: its source id) and answers the new account's id. */
export async function created(directory: TargetDirectory, n: number, overrides: Partial<NewAccount> = {}) {
  const account = newAccount(n, overrides);
  return (await must(directory.createAccount(account, account.sourceId))).accountId;
}
