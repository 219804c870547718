/**
 * `sync.run({ unattended: true })`: refresh, plan and apply with one roster read, but only when nothing
 * needs a person (docs/applying.md). `unattendedVerdict` decides; `runUnattended` does the I/O around it.
 *
 * @internal
 * @module
 */

import { plan as makePlan, review as makeReview, type ReviewReport, type SyncPlan } from "@rostersync/core";
import { ok, type ResultAsync, safeTry } from "neverthrow";
import type { ApplyContext, ApplyResult } from "./apply.js";
import { auditedApply } from "./apply-plan.js";
import { type AuditEntry, auditBesides } from "./audit.js";
import { type SyncContext, UNATTENDED } from "./context.js";
import type { SyncError } from "./errors.js";
import { gatherInputs, readRoster } from "./inputs.js";
import { pure } from "./result.js";
import type { TenantPlan } from "./review.js";

/**
 * Why an unattended run applied nothing: `first-run` (no sync was ever applied: the first one must be
 * reviewed by a person), `holds` (R10 holds to acknowledge), `new-errors` (errors nobody has seen yet).
 */
export type UnattendedStopReason = "first-run" | "holds" | "new-errors";

/** What an unattended run did: applied, or stopped because something needs a person (docs/applying.md). */
export type UnattendedResult =
  | { readonly applied: true; readonly review: ReviewReport; readonly plan: TenantPlan; readonly run: ApplyResult }
  | {
      readonly applied: false;
      readonly review: ReviewReport;
      readonly plan: TenantPlan;
      /** For the person who gets it: why nothing was applied. */
      readonly message: string;
      /** Why nobody applied it: the first sync of the school, holds to acknowledge, errors nobody has seen. */
      readonly needsAttention: {
        readonly reasons: readonly UnattendedStopReason[];
        /** No sync was ever applied to this school: the first one is reviewed and applied by a person. */
        readonly firstRun: boolean;
        readonly holds: SyncPlan["holds"];
        readonly newErrors: ReviewReport["rows"];
      };
    };

/** Why an unattended run stops, for the person who gets it. @internal */
export interface UnattendedStop {
  readonly reasons: readonly UnattendedStopReason[];
  readonly firstRun: boolean;
  readonly newErrors: ReviewReport["rows"];
  readonly message: string;
}

/**
 * Whether an unattended run may apply `plan` (`null`) or must stop for a person: the school's first sync
 * (nobody has reviewed it yet), holds (R10), or errors nobody has seen (R5). @internal
 */
export function unattendedVerdict(review: ReviewReport, plan: SyncPlan, firstRun: boolean): UnattendedStop | null {
  const newErrors = review.rows.filter((r) => r.isNewError);
  const held = plan.holds.length > 0;
  if (!firstRun && !held && newErrors.length === 0) return null;
  const reasons: UnattendedStopReason[] = [];
  if (firstRun) reasons.push("first-run");
  if (held) reasons.push("holds");
  if (newErrors.length > 0) reasons.push("new-errors");
  const message = firstRun
    ? "This school has never been synced by a person: the first sync must be reviewed and applied by an admin. Nothing was applied."
    : `Nothing was applied: ${[
        held ? `${plan.holds.length} hold(s) to acknowledge` : "",
        newErrors.length > 0 ? `${newErrors.length} new error(s) to review` : "",
      ]
        .filter((x) => x !== "")
        .join(" and ")}.`;
  return { reasons, firstRun, newErrors, message };
}

/** The audit record of an unattended run that stopped for a person. @internal */
export function stopAudit(plan: SyncPlan, stop: UnattendedStop): AuditEntry {
  return {
    kind: "unattended-stopped",
    actor: UNATTENDED,
    status: "stopped",
    planHash: plan.planHash,
    counts: { ...plan.counts, holds: plan.holds.length, newErrors: stop.newErrors.length },
    outcomes: { reasons: [...stop.reasons], holds: plan.holds.map((h) => h.type) },
    reason: stop.message,
  };
}

/**
 * Reads the roster once, reviews and plans it, and applies the plan only when `unattendedVerdict` lets it
 * (the apply plans again under the lock from the same roster). A stop is logged and audited. @internal
 */
export function runUnattended(
  ctx: SyncContext,
  engine: ApplyContext,
  signal?: AbortSignal,
): ResultAsync<UnattendedResult, SyncError> {
  return safeTry(async function* () {
    const snapshot = yield* readRoster(ctx, signal);
    ctx.state.roster = snapshot;
    const { input } = yield* gatherInputs(ctx, { fresh: false, signal, pinned: snapshot });
    const made = yield* pure(() => ({ review: makeReview(input), plan: makePlan(input) }));
    const { review } = made;
    ctx.state.lastReview = review;
    const plan: TenantPlan = { ...made.plan, tenantId: ctx.tenantId };
    const stop = unattendedVerdict(review, plan, input.lastRun === null);
    if (stop !== null) {
      ctx.logger?.warn?.("unattended run needs a person", {
        firstRun: stop.firstRun,
        holds: plan.holds.length,
        newErrors: stop.newErrors.length,
      });
      await auditBesides(ctx, stopAudit(plan, stop));
      const { reasons, firstRun, newErrors, message } = stop;
      return ok({
        applied: false,
        review,
        plan,
        message,
        needsAttention: { reasons, firstRun, holds: plan.holds, newErrors },
      } as const);
    }
    const run = yield* auditedApply(ctx, engine, plan, { actor: UNATTENDED, signal }, snapshot);
    return ok({ applied: true, review, plan, run } as const);
  });
}
