/**
 * `@rostersync/testing/directory`: the contract every `TargetDirectory` must keep (docs/adapters.md, "A
 * directory over your accounts"), as vitest tests. Call {@link runDirectoryContract} from a test file with a
 * factory that opens a fresh, empty directory, or compose the concerns yourself ({@link useDirectory}, then
 * {@link accountTests}, {@link emailTests}…).
 *
 * @packageDocumentation
 */
import { describeContract } from "../lifecycle.js";
import { accountTests } from "./accounts.js";
import { type DirectoryContractOptions, type MakeDirectory, useDirectory } from "./context.js";
import { emailTests } from "./emails.js";
import { fieldTests } from "./fields.js";
import { mergeTests } from "./merge.js";
import { writeTests } from "./writes.js";

export { fails, must, type TaggedError } from "../results.js";
export type { DirectoryContractOptions, DirectorySuiteContext, MakeDirectory } from "./context.js";
export { accountOf, created, newAccount, useDirectory } from "./context.js";
export { accountTests, emailTests, fieldTests, mergeTests, writeTests };

/**
 * Registers the whole `TargetDirectory` contract as vitest tests under `describe(name)`: a create makes a
 * managed, linked, never-accessed account; a replayed or racing create with one key answers one account
 * (`created: false` after the first); emails are unique as R1 compares them (`EmailTaken`, archived
 * accounts included, nothing written); link, update, restore and archive are repeatable, a patch changes only
 * what it names and `familyGroupId: null` clears the group; unknown accounts are `NotFound`; archive is
 * soft; fields are created once; and, when the directory has it, `mergeAccounts` retires the duplicate.
 *
 * `make` is called before every test and must return a fresh, empty directory; the suite closes it
 * after the test (`options.close`, or the directory's own `close()`). Only the port's methods are used, so
 * the suite runs against any directory.
 *
 * @example
 * ```ts
 * // test/directory.test.ts of your app
 * import { runDirectoryContract } from "@rostersync/testing/directory";
 * import { createAppDirectory } from "../src/directory.js";
 *
 * runDirectoryContract("my-app", () => createAppDirectory(freshTestDatabase()));
 * ```
 */
export function runDirectoryContract(name: string, make: MakeDirectory, options?: DirectoryContractOptions): void {
  const concerns = [accountTests, emailTests, writeTests, fieldTests, mergeTests];
  describeContract(`${name}: TargetDirectory contract`, () => useDirectory(make, options), concerns);
}
