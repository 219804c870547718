/**
 * The stale-plan check (R11) and what `apply` decides before writing anything: which plan a reference
 * names, whether the plan made again now from the stored inputs is that plan, and whether its holds (R10)
 * are acknowledged. The checks are pure; `verifyUnderLock` reads the inputs under the run lock and runs them.
 *
 * @internal
 * @module
 */

import {
  plan as makePlan,
  review as makeReview,
  type ReviewReport,
  type RosterSnapshot,
  type SyncPlan,
} from "@rostersync/core";
import { err, ok, type Result, type ResultAsync, safeTry } from "neverthrow";
import type { Verified } from "./apply.js";
import { seenByRun } from "./completion.js";
import { type SyncContext, UNATTENDED } from "./context.js";
import type { SyncError } from "./errors.js";
import { gatherInputs, type Inputs } from "./inputs.js";
import { forHashing, type PlanReference, type ReadReference, readAcknowledgement, readReference } from "./reference.js";
import { pure } from "./result.js";

/** Who applies, and the hash they acknowledge for this call only. @internal */
export interface ApplyIntent {
  readonly acknowledge?: string | undefined;
  readonly actor?: string | undefined;
}

/**
 * Reads what `apply` was handed, trusting only the hash (plus tenant and profile hash, to refuse):
 * nothing to read is `NoPlan`, a plan of another school `WrongTenant`. @internal
 */
export function checkReference(reference: PlanReference, tenantId: string): Result<ReadReference, SyncError> {
  const ref = readReference(reference);
  if (ref === null) {
    return err({ type: "NoPlan", message: "apply needs a plan's hash (or the plan): call sync.plan() first." });
  }
  if (ref.tenantId !== undefined && ref.tenantId !== tenantId) {
    return err({
      type: "WrongTenant",
      message: `This plan was made for school ${ref.tenantId}, not ${tenantId}.`,
      expected: tenantId,
      actual: ref.tenantId,
    });
  }
  return ok(ref);
}

/**
 * How the holds of a plan made again are acknowledged: not held (`none`), by this call (`call`, with who
 * applies), or by an acknowledgement stored with `sync.acknowledge` (`stored`: read who gave it).
 * @internal
 */
export type HoldsAcknowledged =
  | { readonly by: "none" }
  | { readonly by: "call"; readonly actor: string }
  | { readonly by: "stored" };

/** The plan made again from the inputs as they are now, with its review. @internal */
export interface Replanned {
  readonly plan: SyncPlan;
  readonly review: ReviewReport;
  readonly holds: HoldsAcknowledged;
}

/**
 * Plans again from `input` and compares with the reference (R11): another setup is `ProfileMismatch`,
 * another hash `StalePlan`, and holds (the new plan's own, R10) nobody acknowledged for that exact hash
 * `Held`. Pure: everything it looks at is in its arguments. @internal
 */
export function replan(ref: ReadReference, input: Inputs["input"], intent: ApplyIntent): Result<Replanned, SyncError> {
  return pure(() => ({
    plan: makePlan({ ...input, decisions: forHashing(input.decisions) }),
    review: makeReview(input),
  })).andThen(({ plan, review }): Result<Replanned, SyncError> => {
    if (ref.profileHash !== undefined && plan.profileHash !== ref.profileHash) {
      return err({
        type: "ProfileMismatch",
        message: "This plan was made with another setup than the school's current one: plan again.",
        planProfileHash: ref.profileHash,
        currentProfileHash: plan.profileHash,
      });
    }
    if (plan.planHash !== ref.planHash) {
      return err({
        type: "StalePlan",
        message: "The roster, the accounts, the decisions or the setup changed since this plan was made.",
        planHash: ref.planHash,
        currentHash: plan.planHash,
      });
    }
    if (plan.holds.length === 0) return ok({ plan, review, holds: { by: "none" } });
    if (intent.acknowledge === plan.planHash) {
      return ok({ plan, review, holds: { by: "call", actor: intent.actor ?? "host" } });
    }
    if (input.decisions.acknowledgedHolds.includes(plan.planHash)) return ok({ plan, review, holds: { by: "stored" } });
    return err({
      type: "Held",
      message: `This plan is held (${plan.holds.map((h) => h.type).join(", ")}): acknowledge its hash to apply it.`,
      planHash: plan.planHash,
      holds: plan.holds,
    });
  });
}

/**
 * What the engine runs and keeps with the run: the plan made again, the accounts it was planned against,
 * and what its review records on completion (`seenByRun`). @internal
 */
export function verifiedRun(
  replanned: Replanned,
  input: Inputs["input"],
  attended: boolean,
  acknowledgedBy: string | undefined,
): Verified {
  const { plan, review } = replanned;
  const seen = seenByRun(review, input.decisions, attended);
  return {
    plan,
    accounts: input.accounts,
    reviewedIds: seen.reviewed,
    selections: seen.selections,
    errorFingerprints: seen.errors,
    withErrors: seen.withErrors,
    acknowledged: plan.holds.length > 0,
    ...(acknowledgedBy === undefined ? {} : { acknowledgedBy }),
  };
}

/**
 * R11 under the lock: reads every input again (the roster too, unless `pinned`: an unattended run's read
 * of moments ago), plans again, and hands the engine that plan. @internal
 */
export function verifyUnderLock(
  ctx: SyncContext,
  ref: ReadReference,
  intent: ApplyIntent & { readonly signal?: AbortSignal | undefined },
  pinned?: RosterSnapshot,
): ResultAsync<Verified, SyncError> {
  return safeTry(async function* () {
    const { input } = yield* gatherInputs(ctx, { fresh: pinned === undefined, signal: intent.signal, pinned });
    const replanned = yield* replan(ref, input, intent);
    const { holds } = replanned;
    const acknowledgedBy =
      holds.by === "call"
        ? holds.actor
        : holds.by === "stored"
          ? ((yield* readAcknowledgement(ctx.store, ctx.tenantId, replanned.plan.planHash))?.actor ?? "host")
          : undefined;
    return ok(verifiedRun(replanned, input, intent.actor !== UNATTENDED, acknowledgedBy));
  });
}
