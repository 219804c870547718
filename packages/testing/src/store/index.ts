/**
 * `@rostersync/testing/store`: the conformance suite every rostersync `SyncStore` must pass. Call
 * {@link runStoreConformance} from a vitest test file with a factory that opens a fresh, empty store, or
 * compose the concerns yourself ({@link useStore}, then {@link documentTests}, {@link lockTests}…).
 *
 * @packageDocumentation
 */
import { describeContract } from "../lifecycle.js";
import { type ConformanceOptions, type MakeStore, useStore } from "./context.js";
import { documentTests } from "./documents.js";
import { ledgerTests } from "./ledgers.js";
import { lockTests } from "./locks.js";
import { runTests } from "./runs.js";
import { tenancyTests } from "./tenancy.js";
import { valueTests } from "./values.js";

export type { ConformanceOptions, MakeStore, SuiteContext, TaggedError } from "./context.js";
export {
  fails,
  journalLines,
  must,
  sampleAudit,
  sampleDecisions,
  sampleHour,
  sampleProfile,
  sampleRun,
  useStore,
} from "./context.js";
export type { LeaseReport, LeaseWorkload } from "./leases.js";
export { checkLeaseWorkload, prepareLeaseWorkload, runLeaseWorker } from "./leases.js";
export { CRAFTED_TENANT_IDS } from "./tenancy.js";
export { AWKWARD_STRINGS } from "./values.js";
// Each concern on its own, for an adapter that runs only some of them (each registers its tests in the
// current `describe`, on the store `useStore` opens).
export { documentTests, ledgerTests, lockTests, runTests, tenancyTests, valueTests };

/**
 * Registers the whole `SyncStore` contract as vitest tests under `describe(name)`: round-trips of every
 * record kind, optimistic concurrency (stale writes are `Conflict`, racing writers never lose an update),
 * journal ordering and atomic duplicate-`seq` rejection, the run lock (exclusivity, expiry, renewal,
 * `LockLost`), tenant isolation under crafted ids, large values and Unicode.
 *
 * `makeStore` is called before every test and must return a fresh, empty store; `options.reopen` opens a
 * second handle on the same backend for the cross-instance tests. The suite closes every store it opens.
 *
 * @example
 * ```ts
 * // test/conformance.test.ts
 * import { runStoreConformance } from "@rostersync/testing/store";
 * import { createMemoryStore } from "@rostersync/core";
 *
 * runStoreConformance("memory", () => createMemoryStore());
 * ```
 */
export function runStoreConformance(name: string, makeStore: MakeStore, options: ConformanceOptions = {}): void {
  const settings = {
    largeEntries: options.largeEntries ?? 1_000_000,
    writers: options.writers ?? 8,
    timeoutMs: options.timeoutMs ?? 300_000,
    reopen: options.reopen,
  };
  const concerns = [documentTests, runTests, ledgerTests, lockTests, tenancyTests, valueTests];
  describeContract(`${name}: SyncStore conformance`, () => useStore(makeStore, settings), concerns);
}
