import type { ResultAsync } from "neverthrow";
import type { PortError } from "./errors.js";
import type { ServiceHour, SisServiceHour } from "./hours-sink.js";

/**
 * One hour entry in the host app: what the SIS record of it holds (role, date, hours, description, note,
 * verifier; the SIS person is found through `accountId`), and the host's own bookkeeping.
 */
export interface HostHourEntry extends Omit<ServiceHour, "personId"> {
  readonly hourId: string;
  /** The host account that logged it; sync maps it to the SIS person through the account's link. */
  readonly accountId: string;
  readonly approved: boolean;
  readonly deleted: boolean;
  /** ISO 8601, increasing with every change; the push watermark. */
  readonly updatedAt: string;
  /**
   * ISO 8601, when the entry was first logged. Optional: with it, an entry logged before hours write-back
   * was switched on stays out of the push even when it is edited later (only `backfillHours` sends it);
   * without it, such an entry is pushed once it changes after write-back was switched on.
   */
  readonly createdAt?: string | null | undefined;
}

/** A page of hour changes and the watermark to ask from next time. */
export interface HourChanges {
  readonly entries: readonly HostHourEntry[];
  readonly watermark: string | null;
}

/** The host app's hours, read for the write-back and written by the historic import. */
export interface HoursSource<E extends PortError = PortError> {
  readonly name: string;
  /** Entries changed after `watermark` (all when `null`), including unapproved and deleted ones. */
  changedSince(watermark: string | null): ResultAsync<HourChanges, E>;
  /** Import hours already in the SIS into the host (docs/hours.md). */
  importHistoric(hours: readonly SisServiceHour[]): ResultAsync<{ readonly imported: number }, E>;
}
