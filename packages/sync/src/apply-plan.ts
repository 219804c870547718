/**
 * `sync.apply`: what is checked before the engine runs (the reference, R11 under the lock), the engine's
 * wiring to this school, and the audit record of an apply refused before writing.
 *
 * @internal
 * @module
 */

import { inviteCandidates, type RosterSnapshot } from "@rostersync/core";
import { errAsync, ResultAsync, safeTry } from "neverthrow";
import { type ApplyContext, type ApplyResult, startRun } from "./apply.js";
import { type AuditEntry, auditBesides, reasonOf } from "./audit.js";
import { recordCompletion } from "./completion.js";
import type { SyncContext } from "./context.js";
import type { SyncError } from "./errors.js";
import { type PlanReference, readReference } from "./reference.js";
import { guarded } from "./result.js";
import { checkReference, verifyUnderLock } from "./verify.js";

/** Options of `sync.apply` and `sync.resume`. */
export interface ApplyOptions {
  /**
   * The `planHash` of a held plan (R10) the admin acknowledged, for this call only. Without it (or one
   * stored with `sync.acknowledge`) a held plan is refused.
   */
  readonly acknowledge?: string | undefined;
  /** Stops the run between two actions; resume it later. */
  readonly signal?: AbortSignal | undefined;
  /** Who applies (a host user id); recorded on the run and its audit record. Default `host`. */
  readonly actor?: string | undefined;
}

/** Refusals of `apply` that get an audit record: the plan was not applied, and nothing was written. */
const AUDITED_REFUSALS = new Set<string>(["Held", "StalePlan", "ProfileMismatch"]);

/** The apply engine's context for this school: a completed run is recorded by `recordCompletion`. @internal */
export function applyContextOf(ctx: SyncContext): ApplyContext {
  return {
    tenantId: ctx.tenantId,
    store: ctx.store,
    directory: ctx.directory,
    clock: ctx.clock,
    newId: ctx.newId,
    logger: ctx.logger,
    onProgress: ctx.onProgress,
    lockTtlMs: ctx.lockTtlMs,
    journalBatchSize: ctx.journalBatchSize,
    inviteCandidates,
    onCompleted: (envelope, result) => recordCompletion(ctx, envelope, result),
  };
}

/**
 * Applies the plan `reference` names. Only its hash is taken from the caller (plus tenant and profile, to
 * refuse): the actions and holds run are those planned again under the lock (docs/applying.md). `pinned`:
 * the roster an unattended run read moments ago in the same call; under the lock the accounts, decisions
 * and setup are read again, the roster is not (FACTS's budget). @internal
 */
export function applyPlan(
  ctx: SyncContext,
  engine: ApplyContext,
  reference: PlanReference,
  options: ApplyOptions,
  pinned?: RosterSnapshot,
): ResultAsync<ApplyResult, SyncError> {
  return guarded(() =>
    safeTry(async function* () {
      const ref = yield* checkReference(reference, ctx.tenantId);
      return await startRun(engine, options, () => verifyUnderLock(ctx, ref, options, pinned));
    }),
  );
}

/**
 * The audit record of an apply refused before writing (held, stale, another setup), or `null` for an error
 * that gets none. The holds named are those of the plan made under the lock, never the caller's. @internal
 */
export function refusalAudit(reference: PlanReference, error: SyncError, actor: string | undefined): AuditEntry | null {
  if (!AUDITED_REFUSALS.has(error.type)) return null;
  return {
    kind: "apply-refused",
    actor,
    status: "refused",
    planHash: readReference(reference)?.planHash ?? "",
    counts: { holds: error.type === "Held" ? error.holds.length : 0 },
    outcomes:
      error.type === "Held"
        ? { holds: error.holds.map((h) => h.type) }
        : error.type === "StalePlan"
          ? { currentHash: error.currentHash }
          : error.type === "ProfileMismatch"
            ? { currentProfileHash: error.currentProfileHash }
            : {},
    reason: reasonOf(error),
  };
}

/**
 * Applies like `applyPlan` (the same arguments), and records an apply refused before writing in the audit;
 * the refusal is still what the caller gets. @internal
 */
export function auditedApply(...args: Parameters<typeof applyPlan>): ResultAsync<ApplyResult, SyncError> {
  const [ctx, , reference, options] = args;
  return guarded(() =>
    applyPlan(...args).orElse((error) => {
      const entry = refusalAudit(reference, error, options.actor);
      if (entry === null) return errAsync(error);
      return ResultAsync.fromSafePromise(auditBesides(ctx, entry)).andThen(() => errAsync(error));
    }),
  );
}
