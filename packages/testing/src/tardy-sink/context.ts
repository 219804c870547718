import type { TardyDelivery, TardyRecord, TardySink } from "@rostersync/core";
import { useAdapter } from "../lifecycle.js";

/** Opens a fresh tardy sink. Called once per test. */
export type MakeTardySink = () => TardySink | Promise<TardySink>;

/** Tuning for {@link runTardySinkContract}. */
export interface TardySinkContractOptions {
  /**
   * The values of tardy `n` as the sink needs them (an SIS's API needs real student ids, dates and codes).
   * Default: `{ studentId, date, period, code }` with made-up values, right for sinks that only carry them.
   */
  readonly values?: ((n: number) => TardyRecord["values"]) | undefined;
  /** Closes a sink the suite opened. Default: its `close()`, when it has one. */
  readonly close?: ((sink: TardySink) => void | Promise<void>) | undefined;
}

/** What every concern of the tardy-sink suite receives. */
export interface TardySinkSuiteContext {
  /** The sink of the running test. */
  sink(): TardySink;
  /** A delivery of run `runId` with new tardies `from..to` (inclusive), rendered as CSV. */
  delivery(runId: string, records: readonly TardyRecord[]): TardyDelivery;
  /** New tardy `n`. */
  tardy(n: number): TardyRecord;
}

/** Registers the per-test sink lifecycle in the current `describe` and returns the context. */
export function useTardySink(make: MakeTardySink, options: TardySinkContractOptions = {}): TardySinkSuiteContext {
  const values =
    options.values ??
    ((n: number) => ({ studentId: String(5000 + n), date: "2026-03-02", period: 1 + (n % 3), code: "T" }));
  return {
    sink: useAdapter("tardy sink", make, options.close),
    tardy: (n) => ({ eventId: `tardy-${n}`, kind: "new", values: values(n) }),
    delivery: (runId, records) => {
      const header = [...new Set(records.flatMap((r) => Object.keys(r.values)))];
      const lines = records.map((r) => header.map((h) => String(r.values[h] ?? "")).join(","));
      return {
        exportId: "contract-export",
        runId,
        filename: `tardies-${runId}.csv`,
        mediaType: "text/csv",
        body: `${[header.join(","), ...lines].join("\r\n")}\r\n`,
        records,
      };
    },
  };
}
