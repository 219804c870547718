/**
 * What a completed apply run records: the counts the next plan's holds compare with (R10), and what the
 * review it was planned from showed (R4, R5), through core's `seenInReview` and `recordSeen`, the two
 * halves of core's `markReviewed` and `recordDefaults`.
 *
 * @internal
 * @module
 */

import {
  type Decisions,
  type LastRun,
  type ReviewReport,
  recordSeen,
  type SeenInReview,
  seenInReview,
} from "@rostersync/core";
import { ok, type ResultAsync, safeTry } from "neverthrow";
import type { ApplyResult, RunEnvelope } from "./apply.js";
import type { SyncContext } from "./context.js";
import { updateDecisions } from "./decide.js";
import { type SyncError, storeFailed } from "./errors.js";

/**
 * What applying the plan made from `review` records when its run completes, kept with the run so that a
 * resume in another process records it too. An attended run records what core's `markReviewed` and
 * `recordDefaults` would (core's `seenInReview`: only people seen in scope). Nobody looks at an unattended
 * run's review: it keeps new people's default selections and today's errors, but marks nobody reviewed and
 * keeps who had an error as the decisions say, so people who entered the scope stay New? until an admin has
 * seen them (R5). @internal
 */
export function seenByRun(review: ReviewReport, decisions: Decisions, attended: boolean): SeenInReview {
  const seen = seenInReview(review, decisions);
  return attended ? seen : { ...seen, reviewed: [], withErrors: decisions.reviewedWithErrors ?? [] };
}

/** The run's `SeenInReview`, as its envelope keeps it. */
const seenOf = (envelope: RunEnvelope): SeenInReview => ({
  reviewed: envelope.reviewedIds,
  selections: envelope.selections,
  errors: envelope.errorFingerprints,
  withErrors: envelope.withErrors ?? [],
});

/** The decisions once the run kept in `envelope` has completed (core's `recordSeen`). @internal */
export const recordRun = (decisions: Decisions, envelope: RunEnvelope): Decisions =>
  recordSeen(decisions, seenOf(envelope));

/**
 * The school's `lastRun` after a completed run: R10 compares the next plan with these counts (a plan
 * journalled before they existed has none). @internal
 */
export function lastRunOf(envelope: RunEnvelope, result: Pick<ApplyResult, "finishedAt">): LastRun {
  const { managedCount, inScopeCount, inScopeSlices } = envelope.plan;
  return {
    sourceCount: envelope.plan.sourceCount,
    errorFingerprints: envelope.errorFingerprints,
    finishedAt: result.finishedAt,
    planHash: envelope.plan.planHash,
    ...(managedCount === undefined ? {} : { managedCount }),
    ...(inScopeCount === undefined ? {} : { inScopeCount }),
    ...(inScopeSlices === undefined ? {} : { inScopeSlices }),
  };
}

/**
 * Records a completed run (the apply engine's `onCompleted`): the last run, then the decisions; and forgets
 * the roster and review this instance kept, which the run has made old. @internal
 */
export function recordCompletion(
  ctx: SyncContext,
  envelope: RunEnvelope,
  result: ApplyResult,
): ResultAsync<void, SyncError> {
  return safeTry(async function* () {
    yield* ctx.store.saveLastRun(ctx.tenantId, lastRunOf(envelope, result)).mapErr(storeFailed);
    yield* updateDecisions(ctx.store, ctx.tenantId, (d) => recordRun(d, envelope));
    ctx.state.roster = null;
    ctx.state.lastReview = null;
    return ok(undefined);
  });
}
