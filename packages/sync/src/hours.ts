import { createHash } from "node:crypto";
import type {
  Clock,
  HostHourEntry,
  HoursLedgerEntry,
  HoursSink,
  HoursSource,
  HourWrite,
  HourWriteOutcome,
  Role,
  ServiceHour,
  SisServiceHour,
  SyncProfile,
  SyncStore,
  TargetDirectory,
} from "@rostersync/core";
import { err, ok, type Result } from "neverthrow";
import type { Logger } from "./apply.js";
import { appendAudit, auditBesides, reasonOf } from "./audit.js";
import { directoryFailed, noProfile, type SyncError, storeFailed } from "./errors.js";
import { acquireLease, LeaseKeeper } from "./lease.js";
import { type ProgressListener, progressMeter } from "./progress.js";

/** The store watermark key of the hours push. */
export const HOURS_WATERMARK = "hours-push";

/**
 * The store key (in the watermark table) under which the push keeps the approved entries it could not send
 * because their account was not linked yet: every push looks at them again, so they reach the SIS once the
 * account is linked (or merged into a linked one), even though the watermark moved past them.
 */
export const HOURS_PARKED = "hours-parked";

/** Options of `sync.pushHours`. */
export interface PushHoursOptions {
  /** Stops between batches; entries not written stay unsettled and go out on the next push. */
  readonly signal?: AbortSignal | undefined;
  /** Who pushes (a host user id, or a job's name); recorded in the audit. Default `host`. */
  readonly actor?: string | undefined;
}

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
async function auditFailure<T>(
  ctx: HoursContext,
  kind: "hours-push" | "hours-import" | "hours-backfill",
  actor: string | undefined,
  result: Result<T, SyncError>,
): Promise<void> {
  if (result.isOk() || NOTHING_DONE.has(result.error.type)) return;
  const stopped = result.error.type === "Aborted" || result.error.type === "LockLost";
  await auditBesides(ctx, {
    kind,
    actor,
    status: stopped ? "aborted" : "failed",
    counts: {},
    reason: reasonOf(result.error),
  });
}

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

/** The result of one hours push. */
export interface HoursPushResult {
  /** Entries looked at: those the host reported changed since the last watermark, and the parked ones. */
  readonly entries: number;
  /** Of those, entries parked by earlier pushes (unlinked accounts) and looked at again. */
  readonly retried: number;
  /** Approved entries of unlinked accounts now parked for the next push. */
  readonly parked: number;
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  /** Entries removed here whose SIS record could only be emptied and marked (FACTS cannot delete). */
  readonly withdrawn: number;
  readonly failed: number;
  /** Entries with something a person must do in the SIS (their `attention`), for an admin to see. */
  readonly needsAttention: readonly HourEntryOutcome[];
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

/** What the hours steps need. @internal */
export interface HoursContext {
  readonly tenantId: string;
  readonly store: SyncStore;
  readonly directory: TargetDirectory;
  readonly sink: HoursSink | undefined;
  readonly source: HoursSource | undefined;
  readonly clock: Clock;
  readonly batchSize?: number | undefined;
  readonly onProgress?: ProgressListener | undefined;
  readonly logger?: Logger | undefined;
  /** Makes lock-owner ids. */
  readonly newId: () => string;
  /** The school's run lock is held for this long between renewals. */
  readonly lockTtlMs: number;
}

/** The push's hold on the school's run lease. */
interface KeepAlive {
  /** Proves the lease held (renewing it when half is gone); a lost lease stops the caller. */
  readonly ensure: () => Promise<Result<void, SyncError>>;
  /** Milliseconds left on the lease by the clock, without asking the store. */
  readonly remainingMs: () => number;
}

/**
 * Runs `work` holding the school's run lock: two pushes at once could both see an hour as new and create
 * it twice, and a push racing an apply would read links mid-change.
 */
async function withLock<T>(
  ctx: HoursContext,
  work: (keepAlive: KeepAlive) => Promise<Result<T, SyncError>>,
): Promise<Result<T, SyncError>> {
  const acquired = await acquireLease(ctx, ctx.newId(), "Another worker is syncing this school right now.");
  if (acquired.isErr()) return err(acquired.error);
  const keeper = new LeaseKeeper(ctx, acquired.value);
  const keepAlive: KeepAlive = {
    ensure: async () => {
      const held = await keeper.ensure();
      if (held.isOk()) return ok(undefined);
      if (held.error.type === "store") return err(storeFailed(held.error.error));
      return err(lockLost());
    },
    remainingMs: () => keeper.remainingMs(),
  };
  try {
    return await work(keepAlive);
  } finally {
    await ctx.store.releaseLock(keeper.current);
  }
}

const lockLost = (): SyncError => ({
  type: "LockLost",
  message: "The school's run lock was lost: the push stopped.",
  runId: "",
});

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
 * SIS carry no marker, so theirs is kept.
 */
function pendingId(write: HourWrite, known: HoursLedgerEntry | undefined): string | null {
  if (known === undefined) return null;
  if (write.op === "delete") return known.origin === "sis" ? known.serviceHoursId : null;
  if (write.op === "create" && known.state === "deleted") return null;
  return known.serviceHoursId;
}

/** The ledger key of an hour imported from the SIS (it has no host id of its own yet). */
const sisKey = (serviceHoursId: string) => `sis:${serviceHoursId}`;

const notConfigured = (): SyncError => ({
  type: "HoursNotConfigured",
  message: "Hours write-back needs both `hours` (the SIS sink) and `hoursSource` (the host's hours) in createSync.",
});

async function loadProfile(ctx: HoursContext): Promise<Result<{ profile: SyncProfile; version: number }, SyncError>> {
  const p = await ctx.store.getProfile(ctx.tenantId);
  if (p.isErr()) return err(storeFailed(p.error));
  if (p.value === null) {
    return err(noProfile());
  }
  return ok({ profile: p.value.value, version: p.value.version });
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
  if (ctx.sink === undefined || ctx.source === undefined) return err(notConfigured());
  const pushed = await withLock(ctx, (keepAlive) => pushUnderLock(ctx, options, keepAlive));
  if (pushed.isErr()) {
    await auditFailure(ctx, "hours-push", options.actor, pushed);
    return pushed;
  }
  const r = pushed.value;
  // A push that found nothing to send wrote nothing: no record (pushes run every few minutes).
  if (r.writes === 0 && r.failed === 0) return pushed;
  const audited = await appendAudit(ctx, {
    kind: "hours-push",
    actor: options.actor,
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
  });
  return audited.isErr() ? err(audited.error) : pushed;
}

async function pushUnderLock(
  ctx: HoursContext,
  options: PushHoursOptions,
  keepAlive: KeepAlive,
): Promise<Result<HoursPushResult, SyncError>> {
  const { sink, source, store, tenantId } = ctx;
  if (sink === undefined || source === undefined) return err(notConfigured());
  const loaded = await loadProfile(ctx);
  if (loaded.isErr()) return err(loaded.error);
  if (!loaded.value.profile.hoursSync.enabled) {
    return err({ type: "HoursSyncOff", message: "Hours write-back is off for this school: enableHoursSync() first." });
  }
  const watermark = await store.getWatermark(tenantId, HOURS_WATERMARK);
  if (watermark.isErr()) return err(storeFailed(watermark.error));
  const parked = await readParked(ctx);
  if (parked.isErr()) return err(parked.error);
  const changes = await source.changedSince(watermark.value);
  if (changes.isErr()) {
    return err({
      type: "HoursFailed",
      message: `Reading the host's hours failed: ${changes.error.message}`,
      cause: changes.error,
    });
  }
  // Entries parked by earlier pushes (their account was not linked) are looked at again first; a newer
  // state of the same entry from the host replaces them. The newest state of each entry wins (a page may
  // hold an entry twice).
  const latest = new Map<string, HostHourEntry>();
  for (const e of parked.value) latest.set(e.hourId, e);
  for (const e of changes.value.entries) {
    const seen = latest.get(e.hourId);
    if (seen === undefined || seen.updatedAt <= e.updatedAt) latest.set(e.hourId, e);
  }
  const decided = await decideAll(
    ctx,
    latest.values(),
    loaded.value.profile.role,
    loaded.value.profile.hoursSync.enabledAt ?? null,
  );
  if (decided.isErr()) return err(decided.error);
  const { outcomes, writes, stillParked } = decided.value;

  const sent = await sendWrites(ctx, writes, outcomes, options, keepAlive);
  if (sent.isErr()) return err(sent.error);
  const { batches, failed, stoppedEarly } = sent.value;

  const settled = !stoppedEarly && failed === 0;
  let newWatermark = watermark.value;
  if (settled) {
    // Parked entries are saved before the watermark moves past them: a crash in between re-reads them.
    const kept = await saveParked(ctx, parked.value, stillParked);
    if (kept.isErr()) return err(kept.error);
    if (changes.value.watermark !== null) {
      const moved = await store.setWatermark(tenantId, HOURS_WATERMARK, changes.value.watermark);
      if (moved.isErr()) return err(storeFailed(moved.error));
      newWatermark = changes.value.watermark;
    }
  }
  return ok({
    ...tally(outcomes, writes),
    entries: latest.size,
    retried: parked.value.length,
    parked: settled ? stillParked.length : parked.value.length,
    failed,
    writes: writes.length,
    batches,
    outcomes: [...outcomes.values()],
    settled,
    watermark: newWatermark,
  });
}

function tally(
  outcomes: ReadonlyMap<string, HourEntryOutcome>,
  writes: readonly PlannedWrite[],
): {
  created: number;
  updated: number;
  deleted: number;
  withdrawn: number;
  needsAttention: HourEntryOutcome[];
} {
  let created = 0;
  let updated = 0;
  let deleted = 0;
  let withdrawn = 0;
  // A withdrawn entry counts when this push withdrew it, not each time it is looked at again.
  const written = new Set(writes.map((w) => w.write.hourId));
  const needsAttention: HourEntryOutcome[] = [];
  for (const o of outcomes.values()) {
    if (o.status === "created") created++;
    else if (o.status === "updated") updated++;
    else if (o.status === "deleted") deleted++;
    else if (o.status === "withdrawn" && written.has(o.hourId)) withdrawn++;
    if (o.attention !== undefined) needsAttention.push(o);
  }
  return { created, updated, deleted, withdrawn, needsAttention };
}

/** One write the push (or a backfill) decided on, with the ledger entry that marks it pending. */
interface PlannedWrite {
  readonly write: HourWrite;
  readonly ledger: HoursLedgerEntry;
}

/** What the push decided for a set of host entries, before anything is sent. */
interface Decided {
  readonly outcomes: Map<string, HourEntryOutcome>;
  readonly writes: PlannedWrite[];
  /** Approved, live entries of accounts not linked to a SIS person: looked at again by the next push. */
  readonly stillParked: HostHourEntry[];
}

/**
 * Reads the accounts and the ledger and decides, for each entry, what the SIS needs (docs/hours.md). Hours the
 * host's copy of an SIS-imported hour claims are recorded in the ledger at once (not in a dry run). With `enabledAt`, an
 * entry the ledger never saw whose `createdAt` is before that moment is left for `backfillHours`.
 */
async function decideAll(
  ctx: HoursContext,
  entries: Iterable<HostHourEntry>,
  role: Role,
  enabledAt: string | null,
  dryRun = false,
): Promise<Result<Decided, SyncError>> {
  const { store, tenantId } = ctx;
  const [accounts, ledger] = await Promise.all([ctx.directory.listAccounts(), store.getHoursLedger(tenantId)]);
  if (accounts.isErr()) return err(directoryFailed(accounts.error));
  if (ledger.isErr()) return err(storeFailed(ledger.error));

  const personOf = new Map<string, string>();
  for (const a of accounts.value) if (a.sourceId !== undefined) personOf.set(a.accountId, a.sourceId);
  const byHourId = new Map(ledger.value.map((l) => [l.hourId, l]));
  // SIS-imported hours not yet claimed by a host entry, by fingerprint: the host's copy of one must not
  // be pushed back as a new record.
  const unclaimedSis = new Map<string, HoursLedgerEntry>();
  for (const l of ledger.value)
    if (l.origin === "sis" && l.hourId.startsWith("sis:")) unclaimedSis.set(l.fingerprint, l);

  const now = new Date(ctx.clock.now()).toISOString();
  const outcomes = new Map<string, HourEntryOutcome>();
  const writes: PlannedWrite[] = [];
  const claims: HoursLedgerEntry[] = [];
  const stillParked: HostHourEntry[] = [];

  for (const entry of entries) {
    // The other role's hours belong to the school's other profile (its own push and ledger): sending them
    // here too would write each of them twice.
    if (entry.role !== role) continue;
    const personId = personOf.get(entry.accountId);
    let known = byHourId.get(entry.hourId);
    if (known === undefined && enabledAt !== null && entry.createdAt != null && entry.createdAt < enabledAt) {
      // Logged before write-back was switched on: only an explicit backfill sends it (docs/hours.md).
      outcomes.set(entry.hourId, { hourId: entry.hourId, status: "before-enabled", serviceHoursId: null });
      continue;
    }
    if (personId === undefined) {
      // Not linked to a SIS person: nothing to write to, and nothing that could be written before. An
      // approved one waits for its account to be linked (parked, looked at by every push).
      if (known === undefined) {
        outcomes.set(entry.hourId, { hourId: entry.hourId, status: "unlinked", serviceHoursId: null });
        if (entry.approved && !entry.deleted) stillParked.push(entry);
        continue;
      }
    }
    const hour: ServiceHour = {
      personId: personId ?? known?.personId ?? "",
      role: entry.role,
      date: entry.date,
      hours: entry.hours,
      description: entry.description,
      ...(entry.note === undefined ? {} : { note: entry.note }),
      ...(entry.verifiedBy === undefined ? {} : { verifiedBy: entry.verifiedBy }),
    };
    const fingerprint = hourFingerprint(hour);
    const wanted = entry.approved && !entry.deleted && personId !== undefined;

    if (known === undefined && wanted) {
      const imported = unclaimedSis.get(fingerprint);
      if (imported !== undefined) {
        // The host's copy of an hour imported from the SIS: claim it, never echo it.
        unclaimedSis.delete(fingerprint);
        known = { ...imported, hourId: entry.hourId, updatedAt: now };
        claims.push(known, { ...imported, state: "deleted", updatedAt: now });
        outcomes.set(entry.hourId, {
          hourId: entry.hourId,
          status: "from-sis",
          serviceHoursId: imported.serviceHoursId,
        });
        continue;
      }
    }

    let write: HourWrite | null = null;
    if (wanted) {
      if (known === undefined || (known.state === "deleted" && known.serviceHoursId === null)) {
        write = { hourId: entry.hourId, op: "create", hour };
      } else if (known.state === "pending") {
        // The last write's fate is unknown (it may have been a create, an update or a delete): ask the
        // sink to make the record exist with this content, finding it by marker (or id) before writing.
        write = { hourId: entry.hourId, op: "create", serviceHoursId: known.serviceHoursId, reconcile: true, hour };
      } else if (known.state === "deleted") {
        write = { hourId: entry.hourId, op: "create", hour };
      } else if (known.state === "withdrawn") {
        // Still in the SIS, emptied: restore that record (found by marker or id), never a second one.
        write = { hourId: entry.hourId, op: "create", serviceHoursId: known.serviceHoursId, reconcile: true, hour };
      } else if (known.fingerprint !== fingerprint) {
        write = { hourId: entry.hourId, op: "update", serviceHoursId: known.serviceHoursId, hour };
      }
    } else if (known !== undefined && known.state !== "deleted" && known.state !== "withdrawn") {
      write = {
        hourId: entry.hourId,
        op: "delete",
        serviceHoursId: known.serviceHoursId,
        ...(known.state === "pending" ? { reconcile: true } : {}),
        hour,
      };
    }
    if (write === null) {
      outcomes.set(entry.hourId, {
        hourId: entry.hourId,
        status: wanted ? "unchanged" : known?.state === "withdrawn" ? "withdrawn" : "absent",
        serviceHoursId: known?.serviceHoursId ?? null,
      });
      continue;
    }
    writes.push({
      write,
      ledger: {
        hourId: entry.hourId,
        serviceHoursId: pendingId(write, known),
        personId: hour.personId,
        role: hour.role,
        fingerprint: write.op === "delete" ? (known?.fingerprint ?? fingerprint) : fingerprint,
        origin: known?.origin ?? "host",
        state: "pending",
        updatedAt: now,
      },
    });
  }

  if (claims.length > 0 && !dryRun) {
    const claimed = await store.putHoursLedger(tenantId, claims);
    if (claimed.isErr()) return err(storeFailed(claimed.error));
  }
  return ok({ outcomes, writes, stillParked });
}

/**
 * Sends planned writes in batches: each batch marked `pending` in the ledger before it goes (so a crash or
 * a lost answer is reconciled by marker before any retry) and settled after. Outcomes go into `outcomes`.
 */
async function sendWrites(
  ctx: HoursContext,
  writes: readonly PlannedWrite[],
  outcomes: Map<string, HourEntryOutcome>,
  options: PushHoursOptions,
  keepAlive: KeepAlive,
): Promise<Result<{ batches: number; failed: number; stoppedEarly: boolean }, SyncError>> {
  const { sink, store, tenantId } = ctx;
  if (sink === undefined) return err(notConfigured());
  const batchSize = Math.max(1, ctx.batchSize ?? 200);
  const meter = progressMeter(ctx.clock, "hours", writes.length, ctx.onProgress);
  let batches = 0;
  let failed = 0;
  let stoppedEarly = false;
  for (let i = 0; i < writes.length; i += batchSize) {
    if (options.signal?.aborted) {
      stoppedEarly = true;
      break;
    }
    const alive = await keepAlive.ensure();
    if (alive.isErr()) return err(alive.error);
    const batch = writes.slice(i, i + batchSize);
    // Intent first: a crash or a lost response after this leaves `pending`, which the next push reconciles.
    const intended = await store.putHoursLedger(
      tenantId,
      batch.map((b) => b.ledger),
    );
    if (intended.isErr()) return err(storeFailed(intended.error));
    batches++;
    const watched = watchLease(ctx, keepAlive, options.signal);
    const written = await sink.write(
      batch.map((b) => b.write),
      { signal: watched.signal, onProgress: watched.onProgress },
    );
    const lost = await watched.done();
    // Entries of a batch stopped half-way stay `pending`: the next push reconciles them by marker.
    if (lost !== null) return err(lost);
    if (written.isErr()) {
      return err({
        type: "HoursFailed",
        message: `Writing hours to the SIS failed: ${written.error.message}`,
        cause: written.error,
      });
    }
    const byId = new Map<string, HourWriteOutcome>(written.value.map((o) => [o.hourId, o]));
    const settledLedger: HoursLedgerEntry[] = [];
    for (const { write, ledger: intent } of batch) {
      const o = byId.get(write.hourId);
      if (o === undefined || o.status === "failed") {
        failed++;
        const error = o?.error ?? { type: "NoOutcome", message: "The sink returned no outcome for this write." };
        ctx.logger?.warn?.("hour write failed", { hourId: write.hourId, error });
        outcomes.set(write.hourId, {
          hourId: write.hourId,
          status: "failed",
          serviceHoursId: intent.serviceHoursId,
          error,
        });
        // An update of a record that is gone becomes a create next time (reconciled by marker first).
        if (o?.error?.type === "NotFound" && write.op === "update") {
          settledLedger.push({ ...intent, serviceHoursId: null });
        }
        continue;
      }
      outcomes.set(write.hourId, {
        hourId: write.hourId,
        status: o.status,
        serviceHoursId: o.serviceHoursId,
        ...(o.attention === undefined ? {} : { attention: o.attention }),
      });
      // `deleted` means the SIS no longer has it; `withdrawn` keeps the id of the record it still has.
      settledLedger.push({
        ...intent,
        serviceHoursId: o.status === "deleted" ? null : o.serviceHoursId,
        state: o.status === "deleted" ? "deleted" : o.status === "withdrawn" ? "withdrawn" : "synced",
      });
    }
    const recorded = await store.putHoursLedger(tenantId, settledLedger);
    if (recorded.isErr()) return err(storeFailed(recorded.error));
    meter(Math.min(i + batch.length, writes.length), failed);
  }
  return ok({ batches, failed, stoppedEarly });
}

/** The parked entries, as the last settled push left them (an empty list when none). */
async function readParked(ctx: HoursContext): Promise<Result<HostHourEntry[], SyncError>> {
  const raw = await ctx.store.getWatermark(ctx.tenantId, HOURS_PARKED);
  if (raw.isErr()) return err(storeFailed(raw.error));
  if (raw.value === null) return ok([]);
  try {
    const parsed: unknown = JSON.parse(raw.value);
    if (Array.isArray(parsed)) return ok(parsed as HostHourEntry[]);
  } catch {
    // answered below
  }
  return err(
    storeFailed({ type: "Corrupt", message: `The parked hours under "${HOURS_PARKED}" cannot be read.`, fatal: true }),
  );
}

/** Saves the parked entries when they changed. */
async function saveParked(
  ctx: HoursContext,
  before: readonly HostHourEntry[],
  after: readonly HostHourEntry[],
): Promise<Result<void, SyncError>> {
  const sorted = [...after].sort((a, b) => (a.hourId < b.hourId ? -1 : a.hourId > b.hourId ? 1 : 0));
  const json = JSON.stringify(sorted);
  if (before.length === 0 && after.length === 0) return ok(undefined);
  if (JSON.stringify(before) === json) return ok(undefined);
  const saved = await ctx.store.setWatermark(ctx.tenantId, HOURS_PARKED, json);
  return saved.isErr() ? err(storeFailed(saved.error)) : ok(undefined);
}

/**
 * Keeps the lease while one sink batch runs: at FACTS's 100 requests a minute a batch of 200 entries takes
 * minutes, longer than a lease. On each beat of the sink's progress the lease is checked by the clock and
 * renewed in the background once half of it is gone; when a renewal fails (another worker took the school,
 * or the store failed) the batch is stopped through its signal before its next request. `done` waits for a
 * renewal under way and answers why the batch had to stop, or null.
 */
function watchLease(
  ctx: HoursContext,
  lease: KeepAlive,
  outer: AbortSignal | undefined,
): { signal: AbortSignal; onProgress: () => void; done: () => Promise<SyncError | null> } {
  const control = new AbortController();
  const forward = () => control.abort(outer?.reason);
  outer?.addEventListener("abort", forward, { once: true });
  let lost: SyncError | null = null;
  let renewal: Promise<void> | null = null;
  const stop = (why: SyncError) => {
    lost ??= why;
    control.abort(new Error(why.message));
  };
  const onProgress = () => {
    if (lost !== null) return;
    // Half gone (or all: a stalled process): renew. The store, not the clock, says whether another
    // worker took the school meanwhile; if so the renewal fails and the batch stops.
    if (renewal === null && lease.remainingMs() <= ctx.lockTtlMs / 2) {
      renewal = lease.ensure().then(
        (held) => {
          renewal = null;
          if (held.isErr()) stop(held.error);
        },
        () => {
          // A store that threw instead of answering: the lease is not proven, so the batch stops.
          renewal = null;
          stop(lockLost());
        },
      );
    }
  };
  const done = async () => {
    while (renewal !== null) await renewal;
    outer?.removeEventListener("abort", forward);
    return lost;
  };
  return { signal: control.signal, onProgress, done };
}

/** SIS records the ledger has never seen, by their id or by the host id in their marker. */
function unseenHours(
  all: readonly SisServiceHour[],
  ledger: readonly HoursLedgerEntry[],
  role: Role,
): SisServiceHour[] {
  // A school's students and parents are two profiles, each with its own ledger: each sees its own role's hours.
  all = all.filter((h) => h.role === role);
  const knownSis = new Set<string>();
  const knownHost = new Set<string>();
  for (const l of ledger) {
    if (l.serviceHoursId !== null) knownSis.add(l.serviceHoursId);
    knownHost.add(l.hourId);
  }
  return all.filter((h) => !knownSis.has(h.serviceHoursId) && (h.hostHourId === null || !knownHost.has(h.hostHourId)));
}

/**
 * Reads every SIS service-hours record, hands the ones the ledger never saw to the host, and records them
 * as from-SIS so the push never echoes them back. Safe to run twice. @internal
 */
export async function importHistoricHours(
  ctx: HoursContext,
  actor?: string,
): Promise<Result<HoursImportResult, SyncError>> {
  if (ctx.sink === undefined || ctx.source === undefined) return err(notConfigured());
  const imported = await withLock(ctx, () => importUnderLock(ctx));
  if (imported.isErr()) {
    await auditFailure(ctx, "hours-import", actor, imported);
    return imported;
  }
  const { found, unseen, imported: count } = imported.value;
  const audited = await appendAudit(ctx, {
    kind: "hours-import",
    actor,
    status: "completed",
    counts: { found, unseen, imported: count },
  });
  return audited.isErr() ? err(audited.error) : imported;
}

async function importUnderLock(ctx: HoursContext): Promise<Result<HoursImportResult, SyncError>> {
  const { sink, source, store, tenantId } = ctx;
  if (sink === undefined || source === undefined) return err(notConfigured());
  const loaded = await loadProfile(ctx);
  if (loaded.isErr()) return err(loaded.error);
  const all = await sink.listAll();
  if (all.isErr())
    return err({ type: "HoursFailed", message: `Reading SIS hours failed: ${all.error.message}`, cause: all.error });
  const ledger = await store.getHoursLedger(tenantId);
  if (ledger.isErr()) return err(storeFailed(ledger.error));
  const unseen = unseenHours(all.value, ledger.value, loaded.value.profile.role);
  // Import first, then record: a crash in between re-offers the same records, which a host dedupes by
  // `serviceHoursId`; the other order could lose them for good.
  const imported = unseen.length === 0 ? ok({ imported: 0 }) : await source.importHistoric(unseen);
  if (imported.isErr()) {
    return err({
      type: "HoursFailed",
      message: `The host's import failed: ${imported.error.message}`,
      cause: imported.error,
    });
  }
  const now = new Date(ctx.clock.now()).toISOString();
  const recorded = await store.putHoursLedger(
    tenantId,
    unseen.map((h) => ({
      hourId: sisKey(h.serviceHoursId),
      serviceHoursId: h.serviceHoursId,
      personId: h.personId,
      role: h.role,
      fingerprint: hourFingerprint(h),
      origin: "sis" as const,
      state: "synced" as const,
      updatedAt: now,
    })),
  );
  if (recorded.isErr()) return err(storeFailed(recorded.error));
  const { profile, version } = loaded.value;
  if (!profile.hoursSync.historicImportDone) {
    const saved = await store.saveProfile(
      tenantId,
      { ...profile, hoursSync: { ...profile.hoursSync, historicImportDone: true } },
      version,
    );
    if (saved.isErr()) return err(storeFailed(saved.error));
  }
  return ok({ found: all.value.length, unseen: unseen.length, imported: imported.value.imported });
}

/**
 * The guard every path that switches write-back on goes through (docs/hours.md): refused with
 * `HistoricHoursUnseen` while the SIS holds hours the ledger never saw (import them first, or `force` to
 * leave them alone in the SIS). Both the sink and the host's hours are needed, forced or not.
 */
async function guardSwitchOn(ctx: HoursContext, force: boolean, role: Role): Promise<Result<void, SyncError>> {
  if (ctx.sink === undefined || ctx.source === undefined) return err(notConfigured());
  if (force) return ok(undefined);
  const all = await ctx.sink.listAll();
  if (all.isErr()) {
    return err({ type: "HoursFailed", message: `Reading SIS hours failed: ${all.error.message}`, cause: all.error });
  }
  const ledger = await ctx.store.getHoursLedger(ctx.tenantId);
  if (ledger.isErr()) return err(storeFailed(ledger.error));
  const unseen = unseenHours(all.value, ledger.value, role).length;
  if (unseen > 0) {
    return err({
      type: "HistoricHoursUnseen",
      message: `The SIS holds ${unseen} service-hours records this school never imported: run importHistoricHours() first, or enable with { force: true }.`,
      unseen,
    });
  }
  return ok(undefined);
}

/**
 * Moves the push's watermark to the host's newest change, so write-back starts from the moment it is
 * switched on: hours logged before go only through `backfillHours`. Follows the host's pages to the end.
 */
async function startFromNow(ctx: HoursContext): Promise<Result<void, SyncError>> {
  const source = ctx.source;
  if (source === undefined) return err(notConfigured());
  const stored = await ctx.store.getWatermark(ctx.tenantId, HOURS_WATERMARK);
  if (stored.isErr()) return err(storeFailed(stored.error));
  let watermark = stored.value;
  for (;;) {
    const page = await source.changedSince(watermark);
    if (page.isErr()) {
      return err({
        type: "HoursFailed",
        message: `Reading the host's hours failed: ${page.error.message}`,
        cause: page.error,
      });
    }
    const next = page.value.watermark;
    if (page.value.entries.length === 0 || next === null || next === watermark) break;
    watermark = next;
  }
  if (watermark === null || watermark === stored.value) return ok(undefined);
  const moved = await ctx.store.setWatermark(ctx.tenantId, HOURS_WATERMARK, watermark);
  return moved.isErr() ? err(storeFailed(moved.error)) : ok(undefined);
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
  const guarded = await guardSwitchOn(ctx, false, next.role);
  if (guarded.isErr()) return err(guarded.error);
  const started = await startFromNow(ctx);
  if (started.isErr()) return err(started.error);
  return ok({ ...next, hoursSync: { ...setting, enabledAt: new Date(ctx.clock.now()).toISOString() } });
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
  const loaded = await loadProfile(ctx);
  if (loaded.isErr()) return err(loaded.error);
  const { profile, version } = loaded.value;
  if (profile.hoursSync.enabled) return ok(profile);
  const guarded = await guardSwitchOn(ctx, force, profile.role);
  if (guarded.isErr()) {
    await auditSwitchRefused(ctx, "enableHoursSync", actor, guarded.error);
    return err(guarded.error);
  }
  const started = await startFromNow(ctx);
  if (started.isErr()) return err(started.error);
  const next: SyncProfile = {
    ...profile,
    hoursSync: { ...profile.hoursSync, enabled: true, enabledAt: new Date(ctx.clock.now()).toISOString() },
  };
  const saved = await ctx.store.saveProfile(ctx.tenantId, next, version);
  if (saved.isErr()) return err(storeFailed(saved.error));
  const audited = await auditSwitchedOn(ctx, "enableHoursSync", actor, force);
  return audited.isErr() ? err(audited.error) : ok(next);
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

/** What a backfill did, or would do. */
export interface HoursBackfillResult {
  readonly dryRun: boolean;
  /** Host entries dated in the range. */
  readonly entries: number;
  /** The writes, in the order they are (or would be) sent. */
  readonly writes: readonly BackfillWrite[];
  /** Entries in the range that cannot be sent: their account is not linked (backfill again once it is). */
  readonly unlinked: number;
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  /** Entries whose SIS record could only be emptied and marked (FACTS cannot delete). */
  readonly withdrawn: number;
  readonly failed: number;
  /** Entries with something a person must do in the SIS (their `attention`). */
  readonly needsAttention: readonly HourEntryOutcome[];
  /** Per-entry outcomes of the entries sent or left alone (those a dry run would send are in `writes`). */
  readonly outcomes: readonly HourEntryOutcome[];
  /** Every write settled (always `true` for a dry run). */
  readonly settled: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Sends host hours logged before write-back was switched on, dated in `[from, to]`, against the ledger like
 * the push (nothing is sent twice, SIS-imported hours are not echoed). `dryRun` answers what it would send.
 * Leaves the push's watermark and parked entries alone. @internal
 */
export async function backfillHours(
  ctx: HoursContext,
  options: BackfillHoursOptions,
): Promise<Result<HoursBackfillResult, SyncError>> {
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
  if (ctx.sink === undefined || ctx.source === undefined) return err(notConfigured());
  const done = await withLock(ctx, (keepAlive) => backfillUnderLock(ctx, options, keepAlive));
  if (done.isErr()) {
    await auditFailure(ctx, "hours-backfill", options.actor, done);
    return done;
  }
  const r = done.value;
  const outcomes = auditOutcomes(r.outcomes);
  if (r.dryRun) for (const w of r.writes) outcomes[w.hourId] = `would ${w.op}`;
  const audited = await appendAudit(ctx, {
    kind: "hours-backfill",
    actor: options.actor,
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
  });
  return audited.isErr() ? err(audited.error) : done;
}

async function backfillUnderLock(
  ctx: HoursContext,
  options: BackfillHoursOptions,
  keepAlive: KeepAlive,
): Promise<Result<HoursBackfillResult, SyncError>> {
  const source = ctx.source;
  if (source === undefined) return err(notConfigured());
  const loaded = await loadProfile(ctx);
  if (loaded.isErr()) return err(loaded.error);
  if (!loaded.value.profile.hoursSync.enabled) {
    return err({ type: "HoursSyncOff", message: "Hours write-back is off for this school: enableHoursSync() first." });
  }
  const inRange = new Map<string, HostHourEntry>();
  let watermark: string | null = null;
  for (;;) {
    const page = await source.changedSince(watermark);
    if (page.isErr()) {
      return err({
        type: "HoursFailed",
        message: `Reading the host's hours failed: ${page.error.message}`,
        cause: page.error,
      });
    }
    for (const e of page.value.entries) {
      if (e.date < options.from || (options.to !== undefined && e.date > options.to)) {
        inRange.delete(e.hourId);
        continue;
      }
      const seen = inRange.get(e.hourId);
      if (seen === undefined || seen.updatedAt <= e.updatedAt) inRange.set(e.hourId, e);
    }
    const next = page.value.watermark;
    if (page.value.entries.length === 0 || next === null || next === watermark) break;
    watermark = next;
  }
  const decided = await decideAll(ctx, inRange.values(), loaded.value.profile.role, null, options.dryRun === true);
  if (decided.isErr()) return err(decided.error);
  const { outcomes, writes } = decided.value;
  const listed: BackfillWrite[] = writes.map(({ write }) => ({
    hourId: write.hourId,
    op: write.op,
    personId: write.hour.personId,
    role: write.hour.role,
    date: write.hour.date,
    hours: write.hour.hours,
    description: write.hour.description,
  }));
  let unlinked = 0;
  for (const o of outcomes.values()) if (o.status === "unlinked") unlinked++;
  if (options.dryRun === true) {
    return ok({
      dryRun: true,
      entries: inRange.size,
      writes: listed,
      unlinked,
      created: 0,
      updated: 0,
      deleted: 0,
      withdrawn: 0,
      failed: 0,
      needsAttention: [],
      outcomes: [...outcomes.values()],
      settled: true,
    });
  }
  const sent = await sendWrites(ctx, writes, outcomes, { signal: options.signal }, keepAlive);
  if (sent.isErr()) return err(sent.error);
  return ok({
    dryRun: false,
    entries: inRange.size,
    writes: listed,
    unlinked,
    ...tally(outcomes, writes),
    failed: sent.value.failed,
    outcomes: [...outcomes.values()],
    settled: !sent.value.stoppedEarly && sent.value.failed === 0,
  });
}
