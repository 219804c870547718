/**
 * What the hours ledger and the push's store keys hold, and how a ledger entry is keyed and fingerprinted
 * (docs/hours.md). Pure: no store, no clock.
 *
 * @internal
 * @module
 */

import { createHash } from "node:crypto";
import type { HostHourEntry, HoursLedgerEntry, HourWrite, ServiceHour, StoreError } from "@rostersync/core";
import { err, ok, type Result } from "neverthrow";

/** The store watermark key of the hours push. */
export const HOURS_WATERMARK = "hours-push";

/**
 * The store key (in the watermark table) under which the push keeps the approved entries it could not send
 * because their account was not linked yet: every push looks at them again, so they reach the SIS once the
 * account is linked (or merged into a linked one), even though the watermark moved past them.
 */
export const HOURS_PARKED = "hours-parked";

/** Digest of what an hour says, so an edit can be told from an unchanged entry. */
export function hourFingerprint(hour: ServiceHour): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        hour.personId,
        hour.role,
        hour.date,
        hour.hours,
        hour.description,
        hour.note ?? null,
        hour.verifiedBy ?? null,
      ]),
    )
    .digest("base64url")
    .slice(0, 22);
}

/**
 * The SIS id a `pending` ledger entry keeps while a write is in flight. A delete forgets the id of a
 * record it carries our marker on: if the delete landed, a later re-approval must not update a record
 * that is gone; if it did not, reconciling by marker finds the record again. Records imported from the
 * SIS carry no marker, so theirs is kept. @internal
 */
export function pendingId(write: HourWrite, known: HoursLedgerEntry | undefined): string | null {
  if (known === undefined) return null;
  if (write.op === "delete") return known.origin === "sis" ? known.serviceHoursId : null;
  if (write.op === "create" && known.state === "deleted") return null;
  return known.serviceHoursId;
}

/** The ledger key of an hour imported from the SIS (it has no host id of its own yet). @internal */
export const sisKey = (serviceHoursId: string): string => `sis:${serviceHoursId}`;

/** Whether a ledger entry is an SIS-imported hour no host entry has claimed yet. @internal */
export const isUnclaimedSis = (l: HoursLedgerEntry): boolean => l.origin === "sis" && l.hourId.startsWith("sis:");

/** Reads the parked entries as stored under {@link HOURS_PARKED} (`null`: none). @internal */
export function parseParked(raw: string | null): Result<HostHourEntry[], StoreError> {
  if (raw === null) return ok([]);
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed)) return ok(parsed as HostHourEntry[]);
  } catch {
    // answered below
  }
  return err({ type: "Corrupt", message: `The parked hours under "${HOURS_PARKED}" cannot be read.`, fatal: true });
}

/**
 * What to store under {@link HOURS_PARKED} after a settled push, in hour-id order; `null` when the parked
 * entries did not change (nothing to write). @internal
 */
export function parkedToSave(before: readonly HostHourEntry[], after: readonly HostHourEntry[]): string | null {
  if (before.length === 0 && after.length === 0) return null;
  const sorted = [...after].sort((a, b) => (a.hourId < b.hourId ? -1 : a.hourId > b.hourId ? 1 : 0));
  const json = JSON.stringify(sorted);
  return JSON.stringify(before) === json ? null : json;
}
