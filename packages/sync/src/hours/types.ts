/**
 * The shapes every hours step shares: what happened to one host entry, and one write decided on.
 *
 * @internal
 * @module
 */

import type { HoursLedgerEntry, HourWrite } from "@rostersync/core";

/** What happened to one host hour entry in a push. */
export interface HourEntryOutcome {
  readonly hourId: string;
  /**
   * `created` / `updated` / `deleted`: written; `withdrawn`: removed here, but the SIS cannot delete, so its
   * record is emptied and marked for a person to remove (see `attention`); `unchanged`: the SIS has it
   * already; `absent`: unapproved or deleted and never written; `unlinked`: the account is not linked to a
   * SIS person (not pushed yet: an approved one is parked and sent by the first push after its account is
   * linked); `from-sis`: an hour imported from the SIS (never echoed back); `before-enabled`: created before
   * write-back was switched on (only `backfillHours` sends it); `failed`: retried on the next push.
   */
  readonly status:
    | "created"
    | "updated"
    | "deleted"
    | "withdrawn"
    | "unchanged"
    | "absent"
    | "unlinked"
    | "from-sis"
    | "before-enabled"
    | "failed";
  readonly serviceHoursId: string | null;
  readonly error?: { readonly type: string; readonly message: string } | undefined;
  /** What a person must do in the SIS for this entry (delete a withdrawn or duplicate record). */
  readonly attention?: string | undefined;
}

/** One write the push (or a backfill) decided on, with the ledger entry that marks it pending. @internal */
export interface PlannedWrite {
  readonly write: HourWrite;
  readonly ledger: HoursLedgerEntry;
}
