/**
 * `@rostersync/testing/tardy-sink`: the contract every `TardySink` must keep (docs/hero-export.md), as vitest
 * tests. Call {@link runTardySinkContract} with a factory that opens a fresh sink, or compose it yourself
 * ({@link useTardySink}, then {@link deliveryTests}).
 *
 * @packageDocumentation
 */
import { describeContract } from "../lifecycle.js";
import { type MakeTardySink, type TardySinkContractOptions, useTardySink } from "./context.js";
import { deliveryTests } from "./deliveries.js";

export { fails, must, type TaggedError } from "../results.js";
export type { MakeTardySink, TardySinkContractOptions, TardySinkSuiteContext } from "./context.js";
export { useTardySink } from "./context.js";
export { deliveryTests };

/**
 * Registers the `TardySink` contract as vitest tests under `describe(name)`: a receipt counts the
 * delivered records and names only the delivery's events; the same delivery again (a retried run), a
 * correction, a void and an empty delivery are accepted; an aborted delivery fails through the error
 * channel with a readable message.
 *
 * @example
 * ```ts
 * import { createMemoryTardySink } from "@rostersync/core";
 * import { runTardySinkContract } from "@rostersync/testing/tardy-sink";
 *
 * runTardySinkContract("memory", () => createMemoryTardySink());
 * ```
 */
export function runTardySinkContract(name: string, make: MakeTardySink, options?: TardySinkContractOptions): void {
  describeContract(`${name}: TardySink contract`, () => useTardySink(make, options), [deliveryTests]);
}
