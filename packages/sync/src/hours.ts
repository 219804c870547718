/**
 * Hours write-back (docs/hours.md): the push, the historic import, the switch-on guard and the backfill.
 * Each step opens one hours context (the profile and its role's view of the hours, `hours/context.ts`),
 * decides what each entry needs (`hours/decide.ts`), sends it (`hours/send.ts`), reconciles the ledger with
 * what the SIS answered (`hours/reconcile.ts`) and counts what it wrote (`hours/counts.ts`).
 *
 * @internal
 * @module
 */

import type { HostHourEntry, HoursLedgerEntry, HourWrite, ServiceHour, SyncProfile } from "@rostersync/core";
import { err, errAsync, fromSafePromise, ok, okAsync, type Result, ResultAsync, safeTry } from "neverthrow";
import { type AuditEntry, appendAudit, auditBesides, reasonOf } from "./audit.js";
import { directoryFailed, type SyncError, storeFailed } from "./errors.js";
import { type HoursContext, loadProfile, notConfigured, openHours, scopedHours } from "./hours/context.js";
import { countWrites, type HoursCounts, NO_COUNTS } from "./hours/counts.js";
import { type Decided, decideEntries } from "./hours/decide.js";
import { type DayRange, entriesInRange, newestEntries } from "./hours/entries.js";
import { HOURS_PARKED, HOURS_WATERMARK, hourFingerprint, parkedToSave, parseParked, sisKey } from "./hours/ledger.js";
import { type KeepAlive, withLock } from "./hours/lock.js";
import { unseenHours } from "./hours/reconcile.js";
import { type Sent, sendWrites } from "./hours/send.js";
import type { HourEntryOutcome } from "./hours/types.js";
import type { RoleHours } from "./hours/view.js";

export type { HoursContext } from "./hours/context.js";
export type { HoursCounts } from "./hours/counts.js";
export { HOURS_PARKED, HOURS_WATERMARK, hourFingerprint } from "./hours/ledger.js";
export type { HourEntryOutcome } from "./hours/types.js";

/** Options of `sync.pushHours`. */
export interface PushHoursOptions {
  /** Stops between batches; entries not written stay unsettled and go out on the next push. */
  readonly signal?: AbortSignal | undefined;
  /** Who pushes (a host user id, or a job's name); recorded in the audit. Default `host`. */
  readonly actor?: string | undefined;
}

/** The result of one hours push. */
export interface HoursPushResult extends HoursCounts {
  /** Entries looked at: those the host reported changed since the last watermark, and the parked ones. */
  readonly entries: number;
  /** Of those, entries parked by earlier pushes (unlinked accounts) and looked at again. */
  readonly retried: number;
  /** Approved entries of unlinked accounts now parked for the next push. */
  readonly parked: number;
  /** Writes sent to the sink (reconciles included). */
  readonly writes: number;
  /** Sink calls made (one per batch). */
  readonly batches: number;
  readonly outcomes: readonly HourEntryOutcome[];
  /** Every entry settled, and the watermark moved to this value; `false`: it stays for a retry. */
  readonly settled: boolean;
  readonly watermark: string | null;
}

/** The result of the historic import (docs/hours.md). */
export interface HoursImportResult {
  /** Service-hours records the SIS holds. */
  readonly found: number;
  /** Of those, the ones the ledger had never seen, handed to the host. */
  readonly unseen: number;
  /** What the host says it imported. */
  readonly imported: number;
}

type HoursKind = "hours-push" | "hours-import" | "hours-backfill";

/** Errors that stop an hours step before it reads or writes anything: no audit record for them. */
const NOTHING_DONE = new Set<string>(["Locked", "HoursSyncOff", "HoursNotConfigured", "NoProfile", "InvalidInput"]);

/** Hour id → what happened to it, for the audit (entries left alone are counted, not listed). */
function auditOutcomes(outcomes: readonly HourEntryOutcome[]): Record<string, string> {
  const listed: Record<string, string> = {};
  for (const o of outcomes) {
    if (o.status === "unchanged" || o.status === "absent") continue;
    listed[o.hourId] = o.status === "failed" && o.error !== undefined ? `failed: ${o.error.type}` : o.status;
  }
  return listed;
}

/** Audits an hours step that failed after it started: the failure is what the caller gets. */
async function auditFailure(ctx: HoursContext, kind: HoursKind, actor: string | undefined, error: SyncError) {
  if (NOTHING_DONE.has(error.type)) return;
  const stopped = error.type === "Aborted" || error.type === "LockLost";
  await auditBesides(ctx, { kind, actor, status: stopped ? "aborted" : "failed", counts: {}, reason: reasonOf(error) });
}

/** Appends an audit record; a store that cannot take it is an error (audit.ts). */
const audit = (ctx: HoursContext, entry: AuditEntry): ResultAsync<void, SyncError> =>
  fromSafePromise(appendAudit(ctx, entry)).andThen((appended) => appended);

/**
 * Runs one hours step under the school's run lock and audits it: a failure after the step started is
 * audited beside the answer; a result is audited by `recordOf` (`null`: nothing worth a record).
 */
function lockedAndAudited<T>(
  ctx: HoursContext,
  kind: HoursKind,
  actor: string | undefined,
  step: (keepAlive: KeepAlive) => ResultAsync<T, SyncError>,
  recordOf: (value: T) => Omit<AuditEntry, "kind" | "actor"> | null,
): ResultAsync<T, SyncError> {
  if (ctx.sink === undefined || ctx.source === undefined) return errAsync(notConfigured());
  return withLock(ctx, step)
    .orTee((error) => auditFailure(ctx, kind, actor, error))
    .andThrough((value) => {
      const record = recordOf(value);
      return record === null ? ok(undefined) : audit(ctx, { kind, actor, ...record });
    });
}

/**
 * Reads the accounts' links and the ledger and decides, for each entry, what the SIS needs (docs/hours.md).
 * Hours the host's copy of an SIS-imported hour claims are recorded in the ledger at once (not in a dry
 * run). With `enabledAt`, an entry the ledger never saw whose `createdAt` is before that moment is left for
 * `backfillHours`.
 */
function decide(
  ctx: HoursContext,
  entries: Iterable<HostHourEntry>,
  enabledAt: string | null,
  dryRun: boolean,
): ResultAsync<Decided, SyncError> {
  return safeTry(async function* () {
    // Both reads at once; a failing directory is reported before a failing store.
    const [accounts, ledger] = yield* ResultAsync.combine([
      ctx.directory.listAccounts().mapErr(directoryFailed),
      ctx.store.getHoursLedger(ctx.tenantId).mapErr(storeFailed),
    ]);
    const personOf = new Map<string, string>();
    for (const a of accounts) if (a.sourceId !== undefined) personOf.set(a.accountId, a.sourceId);
    const now = new Date(ctx.clock.now()).toISOString();
    const decided = decideEntries(entries, { personOf, ledger, enabledAt, now });
    if (decided.claims.length > 0 && !dryRun) {
      yield* ctx.store.putHoursLedger(ctx.tenantId, decided.claims).mapErr(storeFailed);
    }
    return ok(decided);
  });
}

/** The outcomes of a step: those decided without a write, then those of the writes sent. */
function allOutcomes(decided: Decided, sent: Sent): HourEntryOutcome[] {
  const outcomes = new Map(decided.outcomes);
  for (const batch of sent.settled) for (const o of batch.outcomes) outcomes.set(o.hourId, o);
  return [...outcomes.values()];
}

/** The parked entries, as the last settled push left them (an empty list when none). */
const readParked = (ctx: HoursContext): ResultAsync<HostHourEntry[], SyncError> =>
  ctx.store.getWatermark(ctx.tenantId, HOURS_PARKED).andThen(parseParked).mapErr(storeFailed);

/** Saves the parked entries when they changed. */
function saveParked(ctx: HoursContext, before: readonly HostHourEntry[], after: readonly HostHourEntry[]) {
  const json = parkedToSave(before, after);
  return json === null
    ? okAsync(undefined)
    : ctx.store.setWatermark(ctx.tenantId, HOURS_PARKED, json).mapErr(storeFailed);
}

/**
 * Pushes the host's hour changes since the watermark to the SIS: creates, updates and deletes decided
 * against the ledger, the ledger marked `pending` before each batch is sent (so a crash or a lost response
 * is reconciled by marker before any retry) and settled after it. The watermark moves only when every
 * entry is settled. @internal
 */
export async function pushHours(
  ctx: HoursContext,
  options: PushHoursOptions,
): Promise<Result<HoursPushResult, SyncError>> {
  return lockedAndAudited(
    ctx,
    "hours-push",
    options.actor,
    (keepAlive) => pushUnderLock(ctx, options, keepAlive),
    // A push that found nothing to send wrote nothing: no record (pushes run every few minutes).
    (r) =>
      r.writes === 0 && r.failed === 0
        ? null
        : {
            status: r.settled ? "completed" : r.failed > 0 ? "failed" : "aborted",
            counts: {
              entries: r.entries,
              writes: r.writes,
              created: r.created,
              updated: r.updated,
              deleted: r.deleted,
              failed: r.failed,
              retried: r.retried,
              parked: r.parked,
            },
            outcomes: auditOutcomes(r.outcomes),
          },
  );
}

function pushUnderLock(
  ctx: HoursContext,
  options: PushHoursOptions,
  keepAlive: KeepAlive,
): ResultAsync<HoursPushResult, SyncError> {
  const { store, tenantId } = ctx;
  return safeTry(async function* () {
    const { profile, hours } = yield* openHours(ctx, { enabled: true });
    const watermark = yield* store.getWatermark(tenantId, HOURS_WATERMARK).mapErr(storeFailed);
    const parked = yield* readParked(ctx);
    const changes = yield* hours.changedSince(watermark);
    // Entries parked by earlier pushes (their account was not linked) are looked at again first; a newer
    // state of the same entry from the host replaces them.
    const latest = newestEntries(parked, changes.entries);
    const decided = yield* decide(ctx, latest.values(), profile.hoursSync.enabledAt ?? null, false);
    const sent = yield* sendWrites(ctx, hours, decided.writes, options.signal, keepAlive);
    const counts = countWrites(sent.settled);
    const settled = !sent.stoppedEarly && counts.failed === 0;
    let moved = watermark;
    if (settled) {
      // Parked entries are saved before the watermark moves past them: a crash in between re-reads them.
      yield* saveParked(ctx, parked, decided.stillParked);
      if (changes.watermark !== null) {
        yield* store.setWatermark(tenantId, HOURS_WATERMARK, changes.watermark).mapErr(storeFailed);
        moved = changes.watermark;
      }
    }
    return ok({
      ...counts,
      entries: latest.size,
      retried: parked.length,
      parked: settled ? decided.stillParked.length : parked.length,
      writes: decided.writes.length,
      batches: sent.batches,
      outcomes: allOutcomes(decided, sent),
      settled,
      watermark: moved,
    });
  });
}

/**
 * Reads every SIS service-hours record of the profile's role, hands the ones the ledger never saw to the
 * host, and records them as from-SIS so the push never echoes them back. Safe to run twice. @internal
 */
export async function importHistoricHours(
  ctx: HoursContext,
  actor?: string,
): Promise<Result<HoursImportResult, SyncError>> {
  return lockedAndAudited(
    ctx,
    "hours-import",
    actor,
    () => importUnderLock(ctx),
    ({ found, unseen, imported }) => ({ status: "completed", counts: { found, unseen, imported } }),
  );
}

function importUnderLock(ctx: HoursContext): ResultAsync<HoursImportResult, SyncError> {
  const { store, tenantId } = ctx;
  return safeTry(async function* () {
    const { profile, version, hours } = yield* openHours(ctx, { enabled: false });
    const all = yield* hours.listAll();
    const ledger = yield* store.getHoursLedger(tenantId).mapErr(storeFailed);
    const unseen = unseenHours(all, ledger);
    // Import first, then record: a crash in between re-offers the same records, which a host dedupes by
    // `serviceHoursId`; the other order could lose them for good.
    const { imported } = unseen.length === 0 ? { imported: 0 } : yield* hours.importHistoric(unseen);
    const now = new Date(ctx.clock.now()).toISOString();
    const recorded: HoursLedgerEntry[] = unseen.map((h) => ({
      hourId: sisKey(h.serviceHoursId),
      serviceHoursId: h.serviceHoursId,
      personId: h.personId,
      role: h.role,
      fingerprint: hourFingerprint(h),
      origin: "sis",
      state: "synced",
      updatedAt: now,
    }));
    yield* store.putHoursLedger(tenantId, recorded).mapErr(storeFailed);
    if (!profile.hoursSync.historicImportDone) {
      const done: SyncProfile = { ...profile, hoursSync: { ...profile.hoursSync, historicImportDone: true } };
      yield* store.saveProfile(tenantId, done, version).mapErr(storeFailed);
    }
    return ok({ found: all.length, unseen: unseen.length, imported });
  });
}

/**
 * The guard every path that switches write-back on goes through (docs/hours.md): refused with
 * `HistoricHoursUnseen` while the SIS holds hours of the role the ledger never saw (import them first, or
 * `force` to leave them alone in the SIS). Both the sink and the host's hours are needed, forced or not.
 */
function guardSwitchOn(ctx: HoursContext, hours: RoleHours, force: boolean): ResultAsync<void, SyncError> {
  return safeTry(async function* () {
    if (force) return ok(undefined);
    const all = yield* hours.listAll();
    const ledger = yield* ctx.store.getHoursLedger(ctx.tenantId).mapErr(storeFailed);
    const unseen = unseenHours(all, ledger).length;
    if (unseen === 0) return ok(undefined);
    return err<never, SyncError>({
      type: "HistoricHoursUnseen",
      message: `The SIS holds ${unseen} service-hours records this school never imported: run importHistoricHours() first, or enable with { force: true }.`,
      unseen,
    });
  });
}

/**
 * Moves the push's watermark to the host's newest change, so write-back starts from the moment it is
 * switched on: hours logged before go only through `backfillHours`. Follows the host's pages to the end.
 */
function startFromNow(ctx: HoursContext, hours: RoleHours): ResultAsync<void, SyncError> {
  return safeTry(async function* () {
    const stored = yield* ctx.store.getWatermark(ctx.tenantId, HOURS_WATERMARK).mapErr(storeFailed);
    const { watermark } = yield* hours.changesToEnd(stored);
    if (watermark === null || watermark === stored) return ok(undefined);
    return ctx.store.setWatermark(ctx.tenantId, HOURS_WATERMARK, watermark).mapErr(storeFailed);
  });
}

/** Passes the guard for `role` and starts the push from now: the switch from off to on. */
function switchOn(ctx: HoursContext, role: SyncProfile["role"], force: boolean) {
  return safeTry(async function* () {
    const hours = yield* scopedHours(ctx, role);
    yield* guardSwitchOn(ctx, hours, force);
    yield* startFromNow(ctx, hours);
    return ok(new Date(ctx.clock.now()).toISOString());
  });
}

/**
 * What a setup turning write-back on (or keeping it on) must save: a switch from off to on passes the
 * guard and starts the push from now (`enabledAt`); a setup that keeps it on keeps the moment it was
 * switched on; a setup that switches it off drops it. A value of `enabledAt` passed in is never trusted.
 * @internal
 */
export async function hoursSwitchForSetup(
  ctx: HoursContext,
  current: SyncProfile | null,
  next: SyncProfile,
): Promise<Result<SyncProfile, SyncError>> {
  const { enabledAt: _given, ...setting } = next.hoursSync;
  if (!setting.enabled) return ok({ ...next, hoursSync: setting });
  if (current?.hoursSync.enabled === true) {
    const kept = current.hoursSync.enabledAt;
    return ok({ ...next, hoursSync: kept === undefined ? setting : { ...setting, enabledAt: kept } });
  }
  return switchOn(ctx, next.role, false).map((enabledAt) => ({ ...next, hoursSync: { ...setting, enabledAt } }));
}

/**
 * Switches hours write-back on, from now: refused with `HistoricHoursUnseen` while the SIS holds hours the
 * ledger never saw (import them first, or pass `force` to leave them alone in the SIS). @internal
 */
export async function enableHoursSync(
  ctx: HoursContext,
  force: boolean,
  actor?: string,
): Promise<Result<SyncProfile, SyncError>> {
  return safeTry(async function* () {
    const { profile, version } = yield* loadProfile(ctx);
    if (profile.hoursSync.enabled) return ok(profile);
    const enabledAt = yield* switchOn(ctx, profile.role, force).orTee((e) =>
      auditSwitchRefused(ctx, "enableHoursSync", actor, e),
    );
    const next: SyncProfile = { ...profile, hoursSync: { ...profile.hoursSync, enabled: true, enabledAt } };
    yield* ctx.store.saveProfile(ctx.tenantId, next, version).mapErr(storeFailed);
    yield* await auditSwitchedOn(ctx, "enableHoursSync", actor, force);
    return ok(next);
  });
}

/** Audits write-back switched on (by `enableHoursSync` or by a setup). @internal */
export function auditSwitchedOn(
  ctx: HoursContext,
  via: "setup" | "enableHoursSync",
  actor: string | undefined,
  force: boolean,
): Promise<Result<void, SyncError>> {
  return appendAudit(ctx, { kind: "hours-enabled", actor, status: "completed", counts: { via, force } });
}

/** Audits the guard refusing to switch write-back on; the refusal is what the caller gets. @internal */
export async function auditSwitchRefused(
  ctx: HoursContext,
  via: "setup" | "enableHoursSync",
  actor: string | undefined,
  error: SyncError,
): Promise<void> {
  if (error.type !== "HistoricHoursUnseen") return;
  await auditBesides(ctx, {
    kind: "hours-enabled",
    actor,
    status: "refused",
    counts: { via, force: false, unseen: error.unseen },
    reason: reasonOf(error),
  });
}

/** Options of `sync.backfillHours`. */
export interface BackfillHoursOptions {
  /** `YYYY-MM-DD`: entries dated on or after this day are sent. */
  readonly from: string;
  /** `YYYY-MM-DD`: and on or before this day (default: no end). */
  readonly to?: string | undefined;
  /** Show what would be sent, and send nothing. */
  readonly dryRun?: boolean | undefined;
  /** Stops between batches; a backfill can be run again (nothing is sent twice). */
  readonly signal?: AbortSignal | undefined;
  /** Who asked for it (a host user id); recorded in the audit. Default `host`. */
  readonly actor?: string | undefined;
}

/** One write a backfill sends (or, in a dry run, would send). */
export interface BackfillWrite {
  readonly hourId: string;
  readonly op: HourWrite["op"];
  readonly personId: string;
  readonly role: ServiceHour["role"];
  readonly date: string;
  readonly hours: number;
  readonly description: string;
}

/** What a backfill did, or would do (a dry run's counts are all zero). */
export interface HoursBackfillResult extends HoursCounts {
  readonly dryRun: boolean;
  /** Host entries dated in the range. */
  readonly entries: number;
  /** The writes, in the order they are (or would be) sent. */
  readonly writes: readonly BackfillWrite[];
  /** Entries in the range that cannot be sent: their account is not linked (backfill again once it is). */
  readonly unlinked: number;
  /** Per-entry outcomes of the entries sent or left alone (those a dry run would send are in `writes`). */
  readonly outcomes: readonly HourEntryOutcome[];
  /** Every write settled (always `true` for a dry run). */
  readonly settled: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Every problem of a backfill's range at once. */
function checkRange(options: BackfillHoursOptions): Result<DayRange, SyncError> {
  const problems: { record: string; path: string; message: string }[] = [];
  const from: unknown = options?.from;
  const to: unknown = options?.to;
  if (typeof from !== "string" || !DAY.test(from)) {
    problems.push({ record: "backfill", path: "from", message: "from must be a day as YYYY-MM-DD" });
  }
  if (to !== undefined && (typeof to !== "string" || !DAY.test(to))) {
    problems.push({ record: "backfill", path: "to", message: "to must be a day as YYYY-MM-DD" });
  }
  if (problems.length > 0) {
    return err({ type: "InvalidInput", message: problems.map((p) => p.message).join("; "), problems });
  }
  return ok(options);
}

/**
 * Sends host hours logged before write-back was switched on, dated in `[from, to]`, against the ledger like
 * the push (nothing is sent twice, SIS-imported hours are not echoed). `dryRun` answers what it would send.
 * Leaves the push's watermark and parked entries alone. @internal
 */
export async function backfillHours(
  ctx: HoursContext,
  options: BackfillHoursOptions,
): Promise<Result<HoursBackfillResult, SyncError>> {
  return checkRange(options).asyncAndThen((range) =>
    lockedAndAudited(
      ctx,
      "hours-backfill",
      options.actor,
      (keepAlive) => backfillUnderLock(ctx, range, options, keepAlive),
      (r) => {
        const outcomes = auditOutcomes(r.outcomes);
        if (r.dryRun) for (const w of r.writes) outcomes[w.hourId] = `would ${w.op}`;
        return {
          status: r.dryRun ? "dry-run" : r.settled ? "completed" : r.failed > 0 ? "failed" : "aborted",
          counts: {
            from: options.from,
            to: options.to ?? null,
            entries: r.entries,
            writes: r.writes.length,
            created: r.created,
            updated: r.updated,
            deleted: r.deleted,
            failed: r.failed,
            unlinked: r.unlinked,
          },
          outcomes,
        };
      },
    ),
  );
}

function backfillUnderLock(
  ctx: HoursContext,
  range: DayRange,
  options: BackfillHoursOptions,
  keepAlive: KeepAlive,
): ResultAsync<HoursBackfillResult, SyncError> {
  return safeTry(async function* () {
    const { hours } = yield* openHours(ctx, { enabled: true });
    const changed = yield* hours.changesToEnd(null);
    const inRange = entriesInRange(changed.entries, range);
    const dryRun = options.dryRun === true;
    const decided = yield* decide(ctx, inRange.values(), null, dryRun);
    const listed: BackfillWrite[] = decided.writes.map(({ write }) => ({
      hourId: write.hourId,
      op: write.op,
      personId: write.hour.personId,
      role: write.hour.role,
      date: write.hour.date,
      hours: write.hour.hours,
      description: write.hour.description,
    }));
    let unlinked = 0;
    for (const o of decided.outcomes.values()) if (o.status === "unlinked") unlinked++;
    const found = { dryRun, entries: inRange.size, writes: listed, unlinked };
    if (dryRun) return ok({ ...found, ...NO_COUNTS, outcomes: [...decided.outcomes.values()], settled: true });
    const sent = yield* sendWrites(ctx, hours, decided.writes, options.signal, keepAlive);
    const counts = countWrites(sent.settled);
    return ok({
      ...found,
      ...counts,
      outcomes: allOutcomes(decided, sent),
      settled: !sent.stoppedEarly && counts.failed === 0,
    });
  });
}
