import { createHash } from "node:crypto";
import type {
  Clock,
  HostHourEntry,
  HoursLedgerEntry,
  HoursSink,
  HoursSource,
  HourWrite,
  HourWriteOutcome,
  ServiceHour,
  SisServiceHour,
  SyncProfile,
  SyncStore,
  TargetDirectory,
} from "@rostersync/core";
import { err, ok, type Result } from "neverthrow";
import type { Logger } from "./apply.js";
import { directoryFailed, type SyncError, storeFailed } from "./errors.js";
import { LeaseKeeper } from "./lease.js";
import { type ProgressListener, progressMeter } from "./progress.js";

/** The store watermark key of the hours push. */
export const HOURS_WATERMARK = "hours-push";

/** Options of `sync.pushHours`. */
export interface PushHoursOptions {
  /** Stops between batches; entries not written stay unsettled and go out on the next push. */
  readonly signal?: AbortSignal | undefined;
}

/** What happened to one host hour entry in a push. */
export interface HourEntryOutcome {
  readonly hourId: string;
  /**
   * `created` / `updated` / `deleted`: written; `unchanged`: the SIS has it already; `absent`: unapproved or
   * deleted and never written; `unlinked`: the account is not linked to a SIS person (not pushed);
   * `from-sis`: an hour imported from the SIS (never echoed back); `failed`: retried on the next push.
   */
  readonly status: "created" | "updated" | "deleted" | "unchanged" | "absent" | "unlinked" | "from-sis" | "failed";
  readonly serviceHoursId: string | null;
  readonly error?: { readonly type: string; readonly message: string } | undefined;
}

/** The result of one hours push. */
export interface HoursPushResult {
  /** Entries the host reported changed since the last watermark. */
  readonly entries: number;
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly failed: number;
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
  const acquired = await ctx.store.acquireLock(ctx.tenantId, ctx.newId(), ctx.lockTtlMs, ctx.clock.now());
  if (acquired.isErr()) {
    return err(
      acquired.error.type === "Locked"
        ? { type: "Locked", message: "Another worker is syncing this school right now." }
        : storeFailed(acquired.error),
    );
  }
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
    return err({ type: "NoProfile", message: "This school has no setup yet: call sync.setup(profile) first." });
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
  return withLock(ctx, (keepAlive) => pushUnderLock(ctx, options, keepAlive));
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
  const changes = await source.changedSince(watermark.value);
  if (changes.isErr()) {
    return err({
      type: "HoursFailed",
      message: `Reading the host's hours failed: ${changes.error.message}`,
      cause: changes.error,
    });
  }
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

  // The newest state of each entry wins (a page may hold an entry twice).
  const latest = new Map<string, HostHourEntry>();
  for (const e of changes.value.entries) latest.set(e.hourId, e);

  const now = new Date(ctx.clock.now()).toISOString();
  const outcomes = new Map<string, HourEntryOutcome>();
  const writes: { write: HourWrite; ledger: HoursLedgerEntry }[] = [];
  const claims: HoursLedgerEntry[] = [];

  for (const entry of latest.values()) {
    const personId = personOf.get(entry.accountId);
    let known = byHourId.get(entry.hourId);
    if (personId === undefined) {
      // Not linked to a SIS person: nothing to write to, and nothing that could be written before.
      if (known === undefined) {
        outcomes.set(entry.hourId, { hourId: entry.hourId, status: "unlinked", serviceHoursId: null });
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
      } else if (known.fingerprint !== fingerprint) {
        write = { hourId: entry.hourId, op: "update", serviceHoursId: known.serviceHoursId, hour };
      }
    } else if (known !== undefined && known.state !== "deleted") {
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
        status: wanted ? "unchanged" : "absent",
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

  if (claims.length > 0) {
    const claimed = await store.putHoursLedger(tenantId, claims);
    if (claimed.isErr()) return err(storeFailed(claimed.error));
  }

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
      outcomes.set(write.hourId, { hourId: write.hourId, status: o.status, serviceHoursId: o.serviceHoursId });
      settledLedger.push({
        ...intent,
        serviceHoursId: o.status === "deleted" ? null : o.serviceHoursId,
        state: o.status === "deleted" ? "deleted" : "synced",
      });
    }
    const recorded = await store.putHoursLedger(tenantId, settledLedger);
    if (recorded.isErr()) return err(storeFailed(recorded.error));
    meter(Math.min(i + batch.length, writes.length), failed);
  }

  const settled = !stoppedEarly && failed === 0;
  let newWatermark = watermark.value;
  if (settled && changes.value.watermark !== null) {
    const moved = await store.setWatermark(tenantId, HOURS_WATERMARK, changes.value.watermark);
    if (moved.isErr()) return err(storeFailed(moved.error));
    newWatermark = changes.value.watermark;
  }
  let created = 0;
  let updated = 0;
  let deleted = 0;
  for (const o of outcomes.values()) {
    if (o.status === "created") created++;
    else if (o.status === "updated") updated++;
    else if (o.status === "deleted") deleted++;
  }
  return ok({
    entries: latest.size,
    created,
    updated,
    deleted,
    failed,
    writes: writes.length,
    batches,
    outcomes: [...outcomes.values()],
    settled,
    watermark: newWatermark,
  });
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
function unseenHours(all: readonly SisServiceHour[], ledger: readonly HoursLedgerEntry[]): SisServiceHour[] {
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
export async function importHistoricHours(ctx: HoursContext): Promise<Result<HoursImportResult, SyncError>> {
  if (ctx.sink === undefined || ctx.source === undefined) return err(notConfigured());
  return withLock(ctx, () => importUnderLock(ctx));
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
  const unseen = unseenHours(all.value, ledger.value);
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
 * Switches hours write-back on. Refused with `HistoricHoursUnseen` while the SIS holds hours the ledger
 * never saw (import them first, or pass `force` to leave them alone in the SIS). @internal
 */
export async function enableHoursSync(ctx: HoursContext, force: boolean): Promise<Result<SyncProfile, SyncError>> {
  const loaded = await loadProfile(ctx);
  if (loaded.isErr()) return err(loaded.error);
  const { profile, version } = loaded.value;
  if (profile.hoursSync.enabled) return ok(profile);
  if (!force) {
    if (ctx.sink === undefined) return err(notConfigured());
    const all = await ctx.sink.listAll();
    if (all.isErr()) {
      return err({ type: "HoursFailed", message: `Reading SIS hours failed: ${all.error.message}`, cause: all.error });
    }
    const ledger = await ctx.store.getHoursLedger(ctx.tenantId);
    if (ledger.isErr()) return err(storeFailed(ledger.error));
    const unseen = unseenHours(all.value, ledger.value).length;
    if (unseen > 0) {
      return err({
        type: "HistoricHoursUnseen",
        message: `The SIS holds ${unseen} service-hours records this school never imported: run importHistoricHours() first, or enable with { force: true }.`,
        unseen,
      });
    }
  }
  const next: SyncProfile = { ...profile, hoursSync: { ...profile.hoursSync, enabled: true } };
  const saved = await ctx.store.saveProfile(ctx.tenantId, next, version);
  if (saved.isErr()) return err(storeFailed(saved.error));
  return ok(next);
}
