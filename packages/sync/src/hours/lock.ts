/**
 * The hours steps' hold on the school's run lease: taken for the whole step, proven before every sink
 * batch, and kept alive while one long batch runs (docs/hours.md).
 *
 * @internal
 * @module
 */

import type { Clock, SyncStore } from "@rostersync/core";
import { type Result, type ResultAsync, safeTry } from "neverthrow";
import { type SyncError, storeFailed } from "../errors.js";
import { acquireLease, LeaseKeeper } from "../lease.js";

/** What holding the lease needs. @internal */
export interface LockContext {
  readonly tenantId: string;
  readonly store: SyncStore;
  readonly clock: Clock;
  /** Makes lock-owner ids. */
  readonly newId: () => string;
  /** The school's run lock is held for this long between renewals. */
  readonly lockTtlMs: number;
}

/** A step's hold on the school's run lease. @internal */
export interface KeepAlive {
  /** Proves the lease held (renewing it when half is gone); a lost lease stops the caller. */
  readonly ensure: () => Promise<Result<void, SyncError>>;
  /** Milliseconds left on the lease by the clock, without asking the store. */
  readonly remainingMs: () => number;
}

/** The push stopped because the lease could not be proven held. @internal */
export const lockLost = (): SyncError => ({
  type: "LockLost",
  message: "The school's run lock was lost: the push stopped.",
  runId: "",
});

/**
 * Runs `work` holding the school's run lock: two pushes at once could both see an hour as new and create
 * it twice, and a push racing an apply would read links mid-change. The lock is released however `work`
 * ends. @internal
 */
export function withLock<T>(
  ctx: LockContext,
  work: (keepAlive: KeepAlive) => PromiseLike<Result<T, SyncError>>,
): ResultAsync<T, SyncError> {
  return safeTry(async function* () {
    const lease = yield* await acquireLease(ctx, ctx.newId(), "Another worker is syncing this school right now.");
    const keeper = new LeaseKeeper(ctx, lease);
    const keepAlive: KeepAlive = {
      ensure: () =>
        keeper
          .ensure()
          .then((held) => held.mapErr((loss) => (loss.type === "store" ? storeFailed(loss.error) : lockLost()))),
      remainingMs: () => keeper.remainingMs(),
    };
    try {
      return await work(keepAlive);
    } finally {
      await ctx.store.releaseLock(keeper.current);
    }
  });
}

/** A watch over the lease while one sink batch runs. @internal */
export interface LeaseWatch {
  /** The batch's signal: aborted by the caller's signal, or when the lease is lost. */
  readonly signal: AbortSignal;
  /** The sink's heartbeat. */
  readonly onProgress: () => void;
  /** Waits for a renewal under way and answers why the batch had to stop, or null. */
  readonly done: () => Promise<SyncError | null>;
}

/**
 * Keeps the lease while one sink batch runs: at FACTS's 100 requests a minute a batch of 200 entries takes
 * minutes, longer than a lease. On each beat of the sink's progress the lease is checked by the clock and
 * renewed in the background once half of it is gone; when a renewal fails (another worker took the school,
 * or the store failed) the batch is stopped through its signal before its next request. @internal
 */
export function watchLease(lockTtlMs: number, lease: KeepAlive, outer: AbortSignal | undefined): LeaseWatch {
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
    if (renewal === null && lease.remainingMs() <= lockTtlMs / 2) {
      renewal = lease.ensure().then(
        (held) => {
          renewal = null;
          held.orTee(stop);
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
