import type { RosterSource } from "@rostersync/core";
import { useAdapter } from "../lifecycle.js";

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
  return { source: useAdapter("roster source", make, options.close) };
}
