/**
 * `@rostersync/testing/roster-source`: the contract every `RosterSource` must keep (docs/adapters.md, "A
 * roster source other than FACTS"), as vitest tests. Call {@link runRosterSourceContract} with a factory that
 * opens a source over a roster of at least one student and one parent, or compose the concerns yourself
 * ({@link useRosterSource}, then {@link readTests}, {@link setupTests}).
 *
 * @packageDocumentation
 */
import { describeContract } from "../lifecycle.js";
import { type MakeRosterSource, type RosterSourceContractOptions, useRosterSource } from "./context.js";
import { readTests } from "./reads.js";
import { setupTests } from "./setup.js";

export { fails, must, type TaggedError } from "../results.js";
export type { MakeRosterSource, RosterSourceContractOptions, RosterSourceSuiteContext } from "./context.js";
export { useRosterSource } from "./context.js";
export { readTests, setupTests };

/**
 * Registers the `RosterSource` contract as vitest tests under `describe(name)`: people normalised to
 * `SourcePerson` with unique ids; schools and grades that cover them; parents' children on the roster; the
 * same roster on every read; progress that only grows; an aborted read fails. When the source has them,
 * `catalogue()` agrees with the roster (schools, grades in order, user types, built-in fields first) and
 * `checkAccess()` names each permission, `ok` exactly when every required one is granted.
 *
 * @example
 * ```ts
 * import { createMemoryRosterSource } from "@rostersync/core";
 * import { generateSchool } from "@rostersync/core/testing";
 * import { runRosterSourceContract } from "@rostersync/testing/roster-source";
 *
 * runRosterSourceContract("memory", () => createMemoryRosterSource(generateSchool({ seed: 1 })));
 * ```
 */
export function runRosterSourceContract(
  name: string,
  makeSource: MakeRosterSource,
  options: RosterSourceContractOptions = {},
): void {
  const concerns = [readTests, setupTests];
  describeContract(`${name}: RosterSource contract`, () => useRosterSource(makeSource, options), concerns);
}
