/**
 * One school profile's view of the hours: the host's entries and the SIS records of the profile's role
 * only. A school's students and parents are two profiles, each with its own push, ledger and guard; a
 * profile that saw the other role's hours would write each of them twice (docs/hours.md). Every hours step
 * reads and writes through this view, so no step filters by role itself. The view also says, once, what a
 * failing source or sink means to the caller (`HoursFailed`).
 *
 * @internal
 * @module
 */

import type {
  HostHourEntry,
  HoursSink,
  HoursSource,
  HourWrite,
  HourWriteOptions,
  HourWriteOutcome,
  PortError,
  Role,
  SisServiceHour,
} from "@rostersync/core";
import { ok, type ResultAsync, safeTry } from "neverthrow";
import type { SyncError } from "../errors.js";

/** A page of the role's hour changes, and the watermark to ask from next time. @internal */
export interface RoleHourChanges {
  /** The role's entries of the page (the host's page may hold the other role's too). */
  readonly entries: readonly HostHourEntry[];
  readonly watermark: string | null;
}

/** The hours of one role, as one profile sees them. @internal */
export interface RoleHours {
  readonly role: Role;
  /** One page of the host's changes after `watermark` (all when `null`): the role's entries only. */
  changedSince(watermark: string | null): ResultAsync<RoleHourChanges, SyncError>;
  /**
   * Every change after `watermark`, following the host's pages to the end (a page of only the other role's
   * entries is followed, not taken for the end): the role's entries in the host's order, and the last
   * watermark.
   */
  changesToEnd(watermark: string | null): ResultAsync<RoleHourChanges, SyncError>;
  /** The SIS's service-hours records of the role. */
  listAll(): ResultAsync<readonly SisServiceHour[], SyncError>;
  /** Hands SIS records of the role to the host (the historic import). */
  importHistoric(hours: readonly SisServiceHour[]): ResultAsync<{ readonly imported: number }, SyncError>;
  /** Sends a batch of writes, all decided from the role's entries. */
  write(writes: readonly HourWrite[], options: HourWriteOptions): ResultAsync<readonly HourWriteOutcome[], SyncError>;
}

const hoursFailed =
  (what: string) =>
  (cause: PortError): SyncError => ({ type: "HoursFailed", message: `${what}: ${cause.message}`, cause });

const readingHost = hoursFailed("Reading the host's hours failed");

/** Builds the view of `role`'s hours over the host's source and the SIS sink. @internal */
export function roleHours(source: HoursSource, sink: HoursSink, role: Role): RoleHours {
  const ofRole = <T extends { readonly role: Role }>(all: readonly T[]): T[] => all.filter((h) => h.role === role);
  const page = (watermark: string | null) => source.changedSince(watermark).mapErr(readingHost);
  const changesToEnd = (from: string | null) =>
    safeTry(async function* () {
      const entries: HostHourEntry[] = [];
      let watermark = from;
      for (;;) {
        const read = yield* page(watermark);
        entries.push(...ofRole(read.entries));
        const next = read.watermark;
        if (read.entries.length === 0 || next === null || next === watermark) break;
        watermark = next;
      }
      return ok({ entries, watermark });
    });
  return {
    role,
    changedSince: (watermark) =>
      page(watermark).map((changes) => ({ entries: ofRole(changes.entries), watermark: changes.watermark })),
    changesToEnd,
    listAll: () => sink.listAll().map(ofRole).mapErr(hoursFailed("Reading SIS hours failed")),
    importHistoric: (hours) => source.importHistoric(hours).mapErr(hoursFailed("The host's import failed")),
    write: (writes, options) => sink.write(writes, options).mapErr(hoursFailed("Writing hours to the SIS failed")),
  };
}
