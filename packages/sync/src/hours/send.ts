/**
 * Sending decided writes to the SIS in batches, each batch marked `pending` in the ledger before it goes
 * (so a crash or a lost answer is reconciled by marker before any retry) and settled after (docs/hours.md).
 *
 * @internal
 * @module
 */

import { err, ok, type ResultAsync, safeTry } from "neverthrow";
import type { SyncContext } from "../context.js";
import { type SyncError, storeFailed } from "../errors.js";
import { progressMeter } from "../progress.js";
import { type KeepAlive, watchLease } from "./lock.js";
import { type SettledBatch, settleBatch } from "./reconcile.js";
import type { PlannedWrite } from "./types.js";
import type { RoleHours } from "./view.js";

/** What sending needs: the school's store, clock and lease length, and the hour writes per sink call. @internal */
export interface SendContext
  extends Pick<SyncContext, "tenantId" | "store" | "clock" | "lockTtlMs" | "onProgress" | "logger"> {
  readonly batchSize?: number | undefined;
}

/** What a send did. @internal */
export interface Sent {
  /** Sink calls made (one per batch). */
  readonly batches: number;
  /** The batches sent and settled, in order. */
  readonly settled: readonly SettledBatch[];
  /** The caller's signal stopped it between batches: writes not sent stay for the next push. */
  readonly stoppedEarly: boolean;
}

/**
 * Sends `writes` through the role's view, batch by batch, proving the lease before each batch and keeping
 * it while the batch runs. A lost lease or a failed batch stops with an error; entries of a batch stopped
 * half-way stay `pending`, and the next push reconciles them by marker. @internal
 */
export function sendWrites(
  ctx: SendContext,
  hours: RoleHours,
  writes: readonly PlannedWrite[],
  signal: AbortSignal | undefined,
  keepAlive: KeepAlive,
): ResultAsync<Sent, SyncError> {
  return safeTry(async function* () {
    const batchSize = Math.max(1, ctx.batchSize ?? 200);
    const meter = progressMeter(ctx.clock, "hours", writes.length, ctx.onProgress);
    const settled: SettledBatch[] = [];
    let failed = 0;
    for (let i = 0; i < writes.length; i += batchSize) {
      if (signal?.aborted) return ok({ batches: settled.length, settled, stoppedEarly: true });
      yield* await keepAlive.ensure();
      const batch = writes.slice(i, i + batchSize);
      // Intent first: a crash or a lost response after this leaves `pending`, which the next push reconciles.
      yield* ctx.store
        .putHoursLedger(
          ctx.tenantId,
          batch.map((b) => b.ledger),
        )
        .mapErr(storeFailed);
      const watched = watchLease(ctx.lockTtlMs, keepAlive, signal);
      const written = await hours.write(
        batch.map((b) => b.write),
        { signal: watched.signal, onProgress: watched.onProgress },
      );
      const lost = await watched.done();
      if (lost !== null) return err(lost);
      const answered = settleBatch(batch, yield* written);
      for (const f of answered.failed) ctx.logger?.warn?.("hour write failed", { hourId: f.hourId, error: f.error });
      yield* ctx.store.putHoursLedger(ctx.tenantId, answered.ledger).mapErr(storeFailed);
      settled.push(answered);
      failed += answered.failed.length;
      meter(Math.min(i + batch.length, writes.length), failed);
    }
    return ok({ batches: settled.length, settled, stoppedEarly: false });
  });
}
