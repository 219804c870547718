/**
 * Deciding what each host hour entry needs in the SIS (docs/hours.md): create, update, delete (which a SIS
 * that cannot delete turns into a withdrawal), claim an SIS-imported copy, park until its account is
 * linked, or nothing. Pure: the accounts' links, the ledger and the time come in as values.
 *
 * @internal
 * @module
 */

import type { HostHourEntry, HoursLedgerEntry, HourWrite, ServiceHour } from "@rostersync/core";
import { hourFingerprint, isUnclaimedSis, pendingId } from "./ledger.js";
import type { HourEntryOutcome, PlannedWrite } from "./types.js";

/** What one entry needs. @internal */
export type EntryDecision =
  /** Nothing to send: the outcome says why (`before-enabled`, `unchanged`, `absent`, `withdrawn`). */
  | { readonly kind: "skip"; readonly outcome: HourEntryOutcome }
  /** The account is not linked to a SIS person; `park`: an approved, live entry waits for the link. */
  | { readonly kind: "unlinked"; readonly outcome: HourEntryOutcome; readonly park: boolean }
  /** The host's copy of an SIS-imported hour: the ledger records the claim, nothing is sent. */
  | { readonly kind: "claim"; readonly outcome: HourEntryOutcome; readonly ledger: readonly HoursLedgerEntry[] }
  /** A write to send, with its pending ledger entry. */
  | { readonly kind: "write"; readonly planned: PlannedWrite };

/** What deciding one entry needs besides the entry itself. @internal */
export interface EntryFacts {
  /** The SIS person the entry's account is linked to. */
  readonly personId: string | undefined;
  /** The ledger's entry for this hour id. */
  readonly known: HoursLedgerEntry | undefined;
  /** Write-back switched on at (ISO): a never-seen entry created before is left to `backfillHours`. */
  readonly enabledAt: string | null;
  /** Takes the unclaimed SIS-imported hour with this fingerprint, if any (it cannot be taken twice). */
  readonly claimSis: (fingerprint: string) => HoursLedgerEntry | undefined;
  /** ISO time written on ledger entries. */
  readonly now: string;
}

/** The hour as the SIS should hold it. */
function serviceHourOf(entry: HostHourEntry, personId: string): ServiceHour {
  return {
    personId,
    role: entry.role,
    date: entry.date,
    hours: entry.hours,
    description: entry.description,
    ...(entry.note === undefined ? {} : { note: entry.note }),
    ...(entry.verifiedBy === undefined ? {} : { verifiedBy: entry.verifiedBy }),
  };
}

/**
 * The write an entry needs against what the ledger knows of it, or `null` when the SIS is already right.
 * `wanted`: the entry is approved, live and linked (the SIS should hold it). @internal
 */
export function writeFor(
  hourId: string,
  hour: ServiceHour,
  fingerprint: string,
  wanted: boolean,
  known: HoursLedgerEntry | undefined,
): HourWrite | null {
  if (!wanted) {
    if (known === undefined || known.state === "deleted" || known.state === "withdrawn") return null;
    return {
      hourId,
      op: "delete",
      serviceHoursId: known.serviceHoursId,
      ...(known.state === "pending" ? { reconcile: true } : {}),
      hour,
    };
  }
  if (known === undefined || known.state === "deleted") return { hourId, op: "create", hour };
  // `pending`: the last write's fate is unknown (it may have been a create, an update or a delete): ask the
  // sink to make the record exist with this content, finding it by marker (or id) before writing.
  // `withdrawn`: still in the SIS, emptied: restore that record (found by marker or id), never a second one.
  if (known.state === "pending" || known.state === "withdrawn") {
    return { hourId, op: "create", serviceHoursId: known.serviceHoursId, reconcile: true, hour };
  }
  if (known.fingerprint !== fingerprint) return { hourId, op: "update", serviceHoursId: known.serviceHoursId, hour };
  return null;
}

/** Decides what one host entry needs (docs/hours.md). @internal */
export function decideEntry(entry: HostHourEntry, facts: EntryFacts): EntryDecision {
  const { personId, known, enabledAt, now } = facts;
  const hourId = entry.hourId;
  if (known === undefined && enabledAt !== null && entry.createdAt != null && entry.createdAt < enabledAt) {
    // Logged before write-back was switched on: only an explicit backfill sends it (docs/hours.md).
    return { kind: "skip", outcome: { hourId, status: "before-enabled", serviceHoursId: null } };
  }
  if (personId === undefined && known === undefined) {
    // Not linked to a SIS person: nothing to write to, and nothing that could be written before. An
    // approved one waits for its account to be linked (parked, looked at by every push).
    return {
      kind: "unlinked",
      outcome: { hourId, status: "unlinked", serviceHoursId: null },
      park: entry.approved && !entry.deleted,
    };
  }
  const hour = serviceHourOf(entry, personId ?? known?.personId ?? "");
  const fingerprint = hourFingerprint(hour);
  const wanted = entry.approved && !entry.deleted && personId !== undefined;
  if (known === undefined && wanted) {
    const imported = facts.claimSis(fingerprint);
    if (imported !== undefined) {
      // The host's copy of an hour imported from the SIS: claim it, never echo it.
      return {
        kind: "claim",
        outcome: { hourId, status: "from-sis", serviceHoursId: imported.serviceHoursId },
        ledger: [
          { ...imported, hourId, updatedAt: now },
          { ...imported, state: "deleted", updatedAt: now },
        ],
      };
    }
  }
  const write = writeFor(hourId, hour, fingerprint, wanted, known);
  if (write === null) {
    const status = wanted ? "unchanged" : known?.state === "withdrawn" ? "withdrawn" : "absent";
    return { kind: "skip", outcome: { hourId, status, serviceHoursId: known?.serviceHoursId ?? null } };
  }
  return {
    kind: "write",
    planned: {
      write,
      ledger: {
        hourId,
        serviceHoursId: pendingId(write, known),
        personId: hour.personId,
        role: hour.role,
        fingerprint: write.op === "delete" ? (known?.fingerprint ?? fingerprint) : fingerprint,
        origin: known?.origin ?? "host",
        state: "pending",
        updatedAt: now,
      },
    },
  };
}

/** What to decide a set of host entries against. @internal */
export interface DecideInput {
  /** Host account id → the SIS person it is linked to. */
  readonly personOf: ReadonlyMap<string, string>;
  /** The school's hours ledger. */
  readonly ledger: readonly HoursLedgerEntry[];
  /** See {@link EntryFacts.enabledAt}; `null` for a backfill. */
  readonly enabledAt: string | null;
  /** ISO time written on ledger entries. */
  readonly now: string;
}

/** What was decided for a set of host entries, before anything is sent. @internal */
export interface Decided {
  readonly outcomes: Map<string, HourEntryOutcome>;
  readonly writes: PlannedWrite[];
  /** Ledger entries recording claimed SIS-imported hours (stored before anything is sent). */
  readonly claims: HoursLedgerEntry[];
  /** Approved, live entries of accounts not linked to a SIS person: looked at again by the next push. */
  readonly stillParked: HostHourEntry[];
}

/** Decides every entry, in order: each SIS-imported hour is claimed by one host entry at most. @internal */
export function decideEntries(entries: Iterable<HostHourEntry>, input: DecideInput): Decided {
  const byHourId = new Map(input.ledger.map((l) => [l.hourId, l]));
  // SIS-imported hours not yet claimed by a host entry, by fingerprint: the host's copy of one must not
  // be pushed back as a new record.
  const unclaimedSis = new Map<string, HoursLedgerEntry>();
  for (const l of input.ledger) if (isUnclaimedSis(l)) unclaimedSis.set(l.fingerprint, l);
  const claimSis = (fingerprint: string) => {
    const found = unclaimedSis.get(fingerprint);
    unclaimedSis.delete(fingerprint);
    return found;
  };
  const decided: Decided = { outcomes: new Map(), writes: [], claims: [], stillParked: [] };
  for (const entry of entries) {
    const d = decideEntry(entry, {
      personId: input.personOf.get(entry.accountId),
      known: byHourId.get(entry.hourId),
      enabledAt: input.enabledAt,
      claimSis,
      now: input.now,
    });
    if (d.kind === "write") {
      decided.writes.push(d.planned);
      continue;
    }
    decided.outcomes.set(entry.hourId, d.outcome);
    if (d.kind === "claim") decided.claims.push(...d.ledger);
    else if (d.kind === "unlinked" && d.park) decided.stillParked.push(entry);
  }
  return decided;
}
