/**
 * The school's run lease, kept by the clock: shared by apply (before every journal or directory write) and
 * the hours push (before every sink batch).
 *
 * @internal
 * @module
 */

import type { Clock, Lease, StoreError, SyncStore } from "@rostersync/core";
import { err, ok, type Result } from "neverthrow";
import { type SyncError, storeFailed } from "./errors.js";

/** What keeping a lease needs. @internal */
export interface LeaseContext {
  readonly store: SyncStore;
  readonly clock: Clock;
  readonly lockTtlMs: number;
}

/** Why a lease could not be proven held. */
export type LeaseLoss =
  | { readonly type: "lost" }
  | { readonly type: "slow" }
  | { readonly type: "store"; readonly error: StoreError };

/** A renewal that leaves less than half the TTL is tried again this many times before giving up. */
const MAX_RENEWALS = 3;

/**
 * Keeps the school's run lease by the clock. {@link LeaseKeeper.ensure} is called before every store or
 * directory write of a run: it passes only while more than half of `lockTtlMs` is left on the lease (by the
 * injected clock), and renews it first when less is left. A write therefore starts with at least half a TTL
 * of proven lease ahead of it, whatever the batch size; a lease that cannot be renewed (taken over,
 * released, or renewals slower than half a TTL) stops the run before its next write.
 */
export class LeaseKeeper {
  constructor(
    private readonly ctx: LeaseContext,
    private lease: Lease,
  ) {}

  get current(): Lease {
    return this.lease;
  }

  /** Milliseconds left on the lease by the clock (≤ 0: expired; someone else may hold it now). */
  remainingMs(): number {
    return this.lease.expiresAt - this.ctx.clock.now();
  }

  async ensure(): Promise<Result<void, LeaseLoss>> {
    const margin = this.ctx.lockTtlMs / 2;
    for (let renewals = 0; ; renewals++) {
      const now = this.ctx.clock.now();
      if (this.lease.expiresAt - now > margin) return ok(undefined);
      if (renewals === MAX_RENEWALS) return err({ type: "slow" });
      const renewed = await this.ctx.store.renewLock(this.lease, this.ctx.lockTtlMs, now);
      if (renewed.isErr()) {
        const e = renewed.error;
        return err(e.type === "LockLost" || e.type === "Locked" ? { type: "lost" } : { type: "store", error: e });
      }
      this.lease = renewed.value;
    }
  }
}

/**
 * Takes the school's run lock for `owner`: the one way apply and the hours push acquire it. Another holder
 * is `Locked` with `busy` as its message (what the admin reads); any other store failure is `StoreFailed`.
 * @internal
 */
export async function acquireLease(
  ctx: LeaseContext & { readonly tenantId: string },
  owner: string,
  busy: string,
): Promise<Result<Lease, SyncError>> {
  return await ctx.store
    .acquireLock(ctx.tenantId, owner, ctx.lockTtlMs, ctx.clock.now())
    .mapErr((e): SyncError => (e.type === "Locked" ? { type: "Locked", message: busy } : storeFailed(e)));
}
