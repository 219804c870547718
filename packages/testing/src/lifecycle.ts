import { afterEach, beforeEach, describe } from "vitest";
import { closeIfClosable } from "./results.js";

/**
 * Registers the per-test lifecycle of one adapter in the current `describe`, the part every port suite
 * shares: `make()` opens a fresh adapter before each test, `close` closes it after the test (default: the
 * adapter's own `close()`, when it has one; docs/architecture.md, "The adapter contract").
 *
 * Answers the accessor the suite's tests call for the running test's adapter; called outside a test (no
 * adapter open), the accessor throws `no <what> is open outside a test`.
 *
 * @example
 * ```ts
 * describe("my directory", () => {
 *   const directory = useAdapter("directory", () => createMemoryDirectory());
 *   it("starts empty", async () => expect(await must(directory().listAccounts())).toEqual([]));
 * });
 * ```
 */
export function useAdapter<A>(
  what: string,
  make: () => A | Promise<A>,
  close: (adapter: A) => unknown = closeIfClosable,
): () => A {
  let current: A | undefined;
  beforeEach(async () => {
    current = await make();
  });
  afterEach(async () => {
    const adapter = current;
    current = undefined;
    if (adapter !== undefined) await close(adapter);
  });
  return () => {
    if (current === undefined) throw new Error(`no ${what} is open outside a test`);
    return current;
  };
}

/**
 * Registers a whole contract under `describe(title)`: `use()` registers the adapter's lifecycle in that
 * `describe` and answers the suite's context, then each concern registers its tests on that context, in
 * order. Every port's `run…Contract` is this call with its own context and concerns.
 */
export function describeContract<C>(title: string, use: () => C, concerns: readonly ((ctx: C) => void)[]): void {
  describe(title, () => {
    const ctx = use();
    for (const concern of concerns) concern(ctx);
  });
}
