/**
 * The steps that change the admin's decisions: `decide` (core's `decisionsBuilder`) and `acknowledge`
 * (R10), both saved with optimistic versions.
 *
 * @internal
 * @module
 */

import {
  acknowledgeHold,
  type Decisions,
  type DecisionsBuilder,
  decisionsBuilder,
  EMPTY_DECISIONS,
  type ReviewReport,
  type SyncStore,
} from "@rostersync/core";
import { err, ok, type Result, type ResultAsync, safeTry } from "neverthrow";
import type { SyncContext } from "./context.js";
import { type SyncError, storeFailed } from "./errors.js";
import { type Acknowledgement, acknowledgementKey } from "./reference.js";
import { refreshReview, reviewNow } from "./review.js";

/** How many times a save that lost a race is made again on the newer version. */
const SAVE_ATTEMPTS = 3;

/**
 * Saves decisions with retries on a concurrent save: `change` is applied again to the newest version, up to
 * `attempts` times; any other store failure, or the last conflict, is the error. @internal
 */
export function updateDecisions(
  store: SyncStore,
  tenantId: string,
  change: (current: Decisions) => Decisions,
  attempts = SAVE_ATTEMPTS,
): ResultAsync<Decisions, SyncError> {
  return safeTry(async function* () {
    for (let attempt = 1; ; attempt++) {
      const current = yield* store.getDecisions(tenantId).mapErr(storeFailed);
      const next = change(current?.value ?? EMPTY_DECISIONS);
      const saved = await store.saveDecisions(tenantId, next, current?.version ?? null);
      if (saved.isOk()) return ok(next);
      if (saved.error.type !== "Conflict" || attempt >= attempts) return err(storeFailed(saved.error));
    }
  });
}

/** What a host's `decide` callback asks for. */
export type DecisionChange = (draft: DecisionsBuilder) => DecisionsBuilder | Decisions;

/**
 * Runs the host's change on `current` with core's builder (made with `review`). Core refuses bad input
 * (a duplicate resolution naming someone outside the group…) by throwing: that is `InvalidDecision`.
 * @internal
 */
export function applyChange(
  change: DecisionChange,
  current: Decisions,
  review: ReviewReport | undefined,
): Result<Decisions, SyncError> {
  try {
    const out = change(decisionsBuilder(current, review));
    return ok("done" in out ? out.done() : out);
  } catch (thrown) {
    return err({ type: "InvalidDecision", message: thrown instanceof Error ? thrown.message : String(thrown) });
  }
}

/**
 * Changes the decisions and saves them (made again on a newer version when someone saved in between), then
 * reviews again. Refreshes first when this instance has no review yet. @internal
 */
export function decide(ctx: SyncContext, change: DecisionChange): ResultAsync<ReviewReport, SyncError> {
  return safeTry(async function* () {
    if (ctx.state.lastReview === null) yield* refreshReview(ctx);
    const review = ctx.state.lastReview ?? undefined;
    let refused = null as SyncError | null;
    const saved = await updateDecisions(ctx.store, ctx.tenantId, (current) => {
      const changed = applyChange(change, current, review);
      if (changed.isOk()) return changed.value;
      refused = changed.error;
      return current;
    });
    if (refused !== null) return err(refused);
    yield* saved;
    return await reviewNow(ctx);
  });
}

/**
 * Stores who acknowledged the held plan `planHash`, then the acknowledgement itself (R10); a crash in
 * between leaves nothing acknowledged. @internal
 */
export function acknowledge(
  ctx: SyncContext,
  planHash: string,
  actor = "host",
): ResultAsync<Acknowledgement, SyncError> {
  return safeTry(async function* () {
    if (typeof planHash !== "string" || planHash.length === 0) {
      return err({ type: "InvalidDecision", message: "acknowledge needs the held plan's planHash." } as const);
    }
    const acknowledgement: Acknowledgement = { planHash, actor, at: new Date(ctx.clock.now()).toISOString() };
    yield* ctx.store
      .setWatermark(ctx.tenantId, acknowledgementKey(planHash), JSON.stringify(acknowledgement))
      .mapErr(storeFailed);
    yield* updateDecisions(ctx.store, ctx.tenantId, (d) => acknowledgeHold(d, planHash));
    return ok(acknowledgement);
  });
}
