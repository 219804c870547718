/**
 * The read-only steps: refresh (read the roster, review it), plan, merge candidates. Each reads its inputs
 * with `gatherInputs` and calls core; nothing here writes.
 *
 * @internal
 * @module
 */

import {
  mergeCandidates as findMergeCandidates,
  type MergeCandidate,
  plan as makePlan,
  review as makeReview,
  type ReviewReport,
  type SyncPlan,
} from "@rostersync/core";
import { type ResultAsync, safeTry } from "neverthrow";
import type { SyncContext } from "./context.js";
import type { SyncError } from "./errors.js";
import { gatherInputs, readRoster } from "./inputs.js";
import { forHashing } from "./reference.js";
import { pure } from "./result.js";

/** A plan made by `sync.plan()`: core's `SyncPlan`, stamped with the school it was made for. */
export type TenantPlan = SyncPlan & { readonly tenantId: string };

/** Reads the roster afresh and reviews it; keeps both for the next steps of this instance. @internal */
export function refreshReview(ctx: SyncContext, signal?: AbortSignal): ResultAsync<ReviewReport, SyncError> {
  return safeTry(async function* () {
    ctx.state.roster = yield* readRoster(ctx, signal);
    return await reviewNow(ctx, signal);
  });
}

/** Reviews the last refresh's roster (read now when there is none) against the stored state. @internal */
export function reviewNow(ctx: SyncContext, signal?: AbortSignal): ResultAsync<ReviewReport, SyncError> {
  return gatherInputs(ctx, { fresh: false, signal }).andThen(({ input }) =>
    pure(() => makeReview(input)).map((report) => {
      ctx.state.lastReview = report;
      return report;
    }),
  );
}

/**
 * Plans against the last refresh's roster and the directory as it is now. The hash leaves acknowledged
 * holds out (`forHashing`), so acknowledging a plan never changes it. @internal
 */
export function planNow(ctx: SyncContext): ResultAsync<TenantPlan, SyncError> {
  return gatherInputs(ctx, { fresh: false }).andThen(({ input }) =>
    pure(() => {
      ctx.state.lastReview ??= makeReview(input);
      return { ...makePlan({ ...input, decisions: forHashing(input.decisions) }), tenantId: ctx.tenantId };
    }),
  );
}

/** Core's merge candidates (R6) against the last refresh's roster and the directory now. @internal */
export function findCandidates(ctx: SyncContext): ResultAsync<readonly MergeCandidate[], SyncError> {
  return gatherInputs(ctx, { fresh: false }).andThen(({ input }) => pure(() => findMergeCandidates(input)));
}
