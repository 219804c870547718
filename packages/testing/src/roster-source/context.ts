import type { RosterSource } from "@rostersync/core";
import { afterEach, beforeEach } from "vitest";
import { closeIfClosable } from "../results.js";

/** Opens a source over a roster of at least one student and one parent. Called once per test. */
export type MakeRosterSource = () => RosterSource | Promise<RosterSource>;

/** Tuning for {@link runRosterSourceContract}. */
export interface RosterSourceContractOptions {
  /** Closes a source the suite opened. Default: its `close()`, when it has one. */
  readonly close?: ((source: RosterSource) => void | Promise<void>) | undefined;
}

/** What every concern of the roster-source suite receives. */
export interface RosterSourceSuiteContext {
  /** The source of the running test. */
  source(): RosterSource;
}

/** Registers the per-test source lifecycle in the current `describe` and returns the context. */
export function useRosterSource(
  make: MakeRosterSource,
  options: RosterSourceContractOptions = {},
): RosterSourceSuiteContext {
  let current: RosterSource | undefined;
  beforeEach(async () => {
    current = await make();
  });
  afterEach(async () => {
    const source = current;
    current = undefined;
    if (source !== undefined) await (options.close ? options.close(source) : closeIfClosable(source));
  });
  return {
    source: () => {
      if (!current) throw new Error("no roster source is open outside a test");
      return current;
    },
  };
}
