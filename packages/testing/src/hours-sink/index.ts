/**
 * `@rostersync/testing/hours-sink`: the contract every `HoursSink` must keep (docs/hours.md), as vitest
 * tests. Call {@link runHoursSinkContract} with a factory that opens a fresh sink, or compose the concerns
 * yourself ({@link useHoursSink}, then {@link writeTests}, {@link idempotencyTests}, {@link batchTests}).
 *
 * @packageDocumentation
 */
import { describeContract } from "../lifecycle.js";
import { batchTests } from "./batches.js";
import { type HoursSinkContractOptions, type MakeHoursSink, useHoursSink } from "./context.js";
import { idempotencyTests } from "./idempotency.js";
import { writeTests } from "./writes.js";

export { fails, must, type TaggedError } from "../results.js";
export type { HoursSinkContractOptions, HoursSinkSuiteContext, MakeHoursSink } from "./context.js";
export { useHoursSink, written } from "./context.js";
export { batchTests, idempotencyTests, writeTests };

/**
 * Registers the whole `HoursSink` contract as vitest tests under `describe(name)`: one outcome per write, in
 * order; creates get distinct SIS ids and are listed under the host's hour id; updates by SIS id; deletes
 * remove the record or withdraw it (emptied, still listed); an update of an unknown record fails alone; a
 * create replayed with `reconcile` finds the first record (no duplicate); repeated deletes do not fail;
 * progress reaches the batch's size; an aborted batch fails through the error channel.
 *
 * @example
 * ```ts
 * import { createMemoryHoursSink } from "@rostersync/core";
 * import { runHoursSinkContract } from "@rostersync/testing/hours-sink";
 *
 * runHoursSinkContract("memory", () => createMemoryHoursSink());
 * ```
 */
export function runHoursSinkContract(name: string, make: MakeHoursSink, options?: HoursSinkContractOptions): void {
  const concerns = [writeTests, idempotencyTests, batchTests];
  describeContract(`${name}: HoursSink contract`, () => useHoursSink(make, options), concerns);
}
