import type { HoursSink, HourWrite, HourWriteOutcome, Role } from "@rostersync/core";
import { expect } from "vitest";
import { useAdapter } from "../lifecycle.js";

/** Opens a fresh hours sink (an SIS with no service-hours records). Called once per test. */
export type MakeHoursSink = () => HoursSink | Promise<HoursSink>;

/** Tuning for {@link runHoursSinkContract}. */
export interface HoursSinkContractOptions {
  /**
   * SIS person ids the sink accepts hours for, by role (at least two of each). Default: `1001`… for
   * students and `2001`… for parents, right for a sink that checks no person (the memory sink).
   */
  readonly people?: { readonly student: readonly string[]; readonly parent: readonly string[] } | undefined;
  /** Closes a sink the suite opened. Default: its `close()`, when it has one. */
  readonly close?: ((sink: HoursSink) => void | Promise<void>) | undefined;
}

/** What every concern of the hours-sink suite receives. */
export interface HoursSinkSuiteContext {
  /** The sink of the running test. */
  sink(): HoursSink;
  /** A create of hour `n` for a person of `role` (students by default). */
  create(n: number, role?: Role): HourWrite;
}

/** Registers the per-test sink lifecycle in the current `describe` and returns the context. */
export function useHoursSink(make: MakeHoursSink, options: HoursSinkContractOptions = {}): HoursSinkSuiteContext {
  const people = options.people ?? { student: ["1001", "1002", "1003"], parent: ["2001", "2002", "2003"] };
  return {
    sink: useAdapter("hours sink", make, options.close),
    create: (n, role = "student") => {
      const ids = people[role];
      return {
        hourId: `contract-hour-${n}`,
        op: "create",
        hour: {
          personId: ids[n % ids.length] as string,
          role,
          date: `2026-03-${String(1 + (n % 28)).padStart(2, "0")}`,
          hours: 1 + (n % 3),
          description: `Library shift ${n}`,
          note: null,
        },
      };
    },
  };
}

/** The outcomes of a batch that must not fail as a whole; checks one outcome per write, in order. */
export async function written(sink: HoursSink, writes: readonly HourWrite[]): Promise<readonly HourWriteOutcome[]> {
  const result = await sink.write(writes);
  if (result.isErr()) throw new Error(`the batch failed: ${result.error.type}: ${result.error.message}`);
  expect(result.value.map((o) => o.hourId)).toEqual(writes.map((w) => w.hourId));
  return result.value;
}
