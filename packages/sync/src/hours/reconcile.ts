/**
 * Reconciling the hours ledger with what the SIS holds: settling a batch by the sink's answers, and finding
 * the SIS records the ledger never saw (docs/hours.md). Pure.
 *
 * @internal
 * @module
 */

import type { HoursLedgerEntry, HourWriteOutcome, SisServiceHour } from "@rostersync/core";
import type { countWrites } from "./counts.js";
import type { HourEntryOutcome, PlannedWrite } from "./types.js";

/** Marks a {@link SettledBatch} as made by {@link settleBatch} (types only: there is no such value). */
declare const settledBySink: unique symbol;

/**
 * A batch settled by the sink's answers. Only {@link settleBatch} makes one, so its outcomes are those of
 * the writes the step sent: what {@link countWrites} counts. @internal
 */
export interface SettledBatch {
  readonly [settledBySink]: true;
  /** One outcome per write, in the batch's order. */
  readonly outcomes: readonly HourEntryOutcome[];
  /** The ledger entries to store now: every write that landed, and updates whose record is gone. */
  readonly ledger: readonly HoursLedgerEntry[];
  /** The writes that failed (or got no answer): they stay `pending` and are retried on the next push. */
  readonly failed: readonly HourEntryOutcome[];
}

/** The error of a write the sink did not answer for. */
const NO_OUTCOME = { type: "NoOutcome", message: "The sink returned no outcome for this write." } as const;

/** Settles a batch by what the sink answered for each write. @internal */
export function settleBatch(batch: readonly PlannedWrite[], answered: readonly HourWriteOutcome[]): SettledBatch {
  const byId = new Map<string, HourWriteOutcome>(answered.map((o) => [o.hourId, o]));
  const outcomes: HourEntryOutcome[] = [];
  const ledger: HoursLedgerEntry[] = [];
  const failed: HourEntryOutcome[] = [];
  for (const { write, ledger: intent } of batch) {
    const o = byId.get(write.hourId);
    if (o === undefined || o.status === "failed") {
      const outcome: HourEntryOutcome = {
        hourId: write.hourId,
        status: "failed",
        serviceHoursId: intent.serviceHoursId,
        error: o?.error ?? NO_OUTCOME,
      };
      outcomes.push(outcome);
      failed.push(outcome);
      // An update of a record that is gone becomes a create next time (reconciled by marker first).
      if (o?.error?.type === "NotFound" && write.op === "update") ledger.push({ ...intent, serviceHoursId: null });
      continue;
    }
    outcomes.push({
      hourId: write.hourId,
      status: o.status,
      serviceHoursId: o.serviceHoursId,
      ...(o.attention === undefined ? {} : { attention: o.attention }),
    });
    // `deleted` means the SIS no longer has it; `withdrawn` keeps the id of the record it still has.
    ledger.push({
      ...intent,
      serviceHoursId: o.status === "deleted" ? null : o.serviceHoursId,
      state: o.status === "deleted" ? "deleted" : o.status === "withdrawn" ? "withdrawn" : "synced",
    });
  }
  // The one place a SettledBatch is made: its outcomes are the batch's writes, by construction.
  return { outcomes, ledger, failed } as Omit<SettledBatch, typeof settledBySink> as SettledBatch;
}

/** SIS records the ledger has never seen, by their id or by the host id in their marker. @internal */
export function unseenHours(all: readonly SisServiceHour[], ledger: readonly HoursLedgerEntry[]): SisServiceHour[] {
  const knownSis = new Set<string>();
  const knownHost = new Set<string>();
  for (const l of ledger) {
    if (l.serviceHoursId !== null) knownSis.add(l.serviceHoursId);
    knownHost.add(l.hourId);
  }
  return all.filter((h) => !knownSis.has(h.serviceHoursId) && (h.hostHourId === null || !knownHost.has(h.hostHourId)));
}
