import { randomUUID } from "node:crypto";
import type {
  AccessCheck,
  AuditKind,
  AuditRecord,
  Clock,
  Decisions,
  DecisionsBuilder,
  HoursSink,
  HoursSource,
  Logger,
  MergeCandidate,
  ReviewReport,
  RosterSource,
  SourceCatalogue,
  SyncProfile,
  SyncStore,
  TargetDirectory,
} from "@rostersync/core";
import { EMPTY_DECISIONS } from "@rostersync/core";
import type { Result, ResultAsync } from "neverthrow";
import { type ApplyResult, resumeRun } from "./apply.js";
import { type ApplyOptions, applyContextOf, auditedApply } from "./apply-plan.js";
import type { SyncContext } from "./context.js";
import { acknowledge, decide } from "./decide.js";
import type { SyncError } from "./errors.js";
import { storeFailed } from "./errors.js";
import {
  type BackfillHoursOptions,
  backfillHours,
  enableHoursSync,
  type HoursBackfillResult,
  type HoursContext,
  type HoursImportResult,
  type HoursPushResult,
  importHistoricHours,
  type PushHoursOptions,
  pushHours,
} from "./hours.js";
import type { ProgressListener } from "./progress.js";
import type { Acknowledgement, PlanReference } from "./reference.js";
import { guarded } from "./result.js";
import { findCandidates, planNow, refreshReview, type TenantPlan } from "./review.js";
import { checkSourceAccess, readCatalogue, saveSetup } from "./setup.js";
import { runUnattended, type UnattendedResult } from "./unattended.js";

export type { ApplyOptions } from "./apply-plan.js";
export type { TenantPlan } from "./review.js";
export type { UnattendedResult, UnattendedStopReason } from "./unattended.js";

/** What {@link createSync} needs: the school, its ports, and optional knobs. */
export interface SyncOptions {
  /** The school. Every store call is scoped by it; a plan made for another school is refused. */
  readonly tenantId: string;
  /** Where the roster comes from (e.g. `createFactsSource`). */
  readonly source: RosterSource;
  /** The host app's accounts (the host's own adapter, or `createSqliteDirectory` of `@rostersync/storage-sqlite`). */
  readonly directory: TargetDirectory;
  /** Where profile, decisions, runs, journal, ledger and locks live (e.g. `createSqliteStore`). */
  readonly store: SyncStore;
  /** Where approved hours go (FACTS service hours). Needed by `pushHours` and the historic import. */
  readonly hours?: HoursSink | undefined;
  /** The host's hour entries. Needed by `pushHours` and the historic import. */
  readonly hoursSource?: HoursSource | undefined;
  /** Default: the system clock. */
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  /** Progress of `apply`, `resume` and `pushHours` (done/total, rate, ETA). */
  readonly onProgress?: ProgressListener | undefined;
  /** Makes run, audit and lock-owner ids. Default `randomUUID`. */
  readonly newId?: (() => string) | undefined;
  /** How long the run lock lasts between renewals. Default 60 s. */
  readonly lockTtlMs?: number | undefined;
  /**
   * Actions per journal batch (a batch's intents are written before its writes, its outcomes after).
   * Default `auto`: starts at 256 and grows (up to 32,768) while journal appends cost more than a tenth of
   * the directory writes they cover.
   */
  readonly journalBatchSize?: number | "auto" | undefined;
  /** Hour writes per sink call (the FACTS sink reads back one batch with one filtered request). Default 200. */
  readonly hoursBatchSize?: number | undefined;
}

/**
 * The API a host embeds. Every method returns a neverthrow `ResultAsync`: `await` it to get a `Result`,
 * then check `isOk()` / `isErr()` (errors are {@link SyncError} values; nothing throws).
 */
export interface Sync {
  /** The school this instance works for. */
  readonly tenantId: string;
  /**
   * Saves the school's setup (optimistic: someone else saving in between is `Conflict`). The profile is
   * checked first against the source's catalogue: an unknown school or grade code, a field the source does
   * not have… is `InvalidInput` listing every problem, and nothing is saved. A setup that switches
   * `hoursSync.enabled` on goes through the same guard as `enableHoursSync()` (without `force`) and starts
   * write-back from now; it resolves to the profile as saved (with `hoursSync.enabledAt`).
   */
  setup(profile: SyncProfile, options?: { readonly actor?: string | undefined }): ResultAsync<SyncProfile, SyncError>;
  /** What the setup screens offer (schools, grades, user types, fields), without a full roster read when the source can. */
  catalogue(options?: { readonly signal?: AbortSignal | undefined }): ResultAsync<SourceCatalogue, SyncError>;
  /** "Test the key": which permissions the source's key has, named as the SIS names them. */
  checkAccess(options?: { readonly signal?: AbortSignal | undefined }): ResultAsync<AccessCheck, SyncError>;
  /** The school's setup, or `null` before the first `setup`. */
  profile(): ResultAsync<SyncProfile | null, SyncError>;
  /** The admin's decisions (empty before the first sync). */
  decisions(): ResultAsync<Decisions, SyncError>;
  /** Reads the source and the directory and builds the review. Keeps every decision. */
  refresh(options?: { readonly signal?: AbortSignal | undefined }): ResultAsync<ReviewReport, SyncError>;
  /**
   * Changes decisions with core's chainable `decisionsBuilder` (made with the current review) and saves
   * them; return the builder (or the decisions) from the callback. Saved with optimistic versions: when
   * someone else saved in between, the change is made again on their version. Resolves to the new review.
   */
  decide(change: (draft: DecisionsBuilder) => DecisionsBuilder | Decisions): ResultAsync<ReviewReport, SyncError>;
  /**
   * Accounts that may be the same person under another email (R6, core's `mergeCandidates`), against the
   * last refresh's roster and the directory as it is now: people about to get a new account, and people
   * whose sync-made account is a duplicate (merge after the fact). Merge one with
   * `decide((d) => d.manualMerge(sourceId, accountId))`.
   */
  mergeCandidates(): ResultAsync<readonly MergeCandidate[], SyncError>;
  /** Plans against the last refresh's roster and the directory as it is now. */
  plan(): ResultAsync<TenantPlan, SyncError>;
  /**
   * Applies the plan with this hash exactly once (docs/applying.md). `reference` is a hash, `{ planHash }`
   * or a whole plan, of which only the hash is read: under the lock, `apply` plans again from the inputs as
   * they are now and runs that plan and its holds; another hash is `StalePlan`, unacknowledged holds `Held`.
   */
  apply(reference: PlanReference, options?: ApplyOptions): ResultAsync<ApplyResult, SyncError>;
  /**
   * Stores an acknowledgement of the held plan with this hash (R10), with who gave it, so that any process
   * can apply it later with `apply(planHash)` (docs/safety-holds.md). It counts for that exact hash only.
   */
  acknowledge(
    planHash: string,
    options?: { readonly actor?: string | undefined },
  ): ResultAsync<Acknowledgement, SyncError>;
  /** Finishes a run a crash, a kill, an abort or a fatal error interrupted. */
  resume(runId: string, options?: Omit<ApplyOptions, "acknowledge">): ResultAsync<ApplyResult, SyncError>;
  /**
   * Refresh, plan and apply with one roster read, but only when no hold and no new error needs a person,
   * and never as the school's first sync (that one is reviewed and applied by a person) (docs/applying.md).
   */
  run(options: {
    readonly unattended: true;
    readonly signal?: AbortSignal | undefined;
  }): ResultAsync<UnattendedResult, SyncError>;
  /** Pushes approved host hours to the SIS (docs/hours.md). Only when `hoursSync` is enabled. */
  pushHours(options?: PushHoursOptions): ResultAsync<HoursPushResult, SyncError>;
  /** Imports the SIS's hours into the host and records them as from-SIS, so they are never echoed back. */
  importHistoricHours(options?: { readonly actor?: string | undefined }): ResultAsync<HoursImportResult, SyncError>;
  /**
   * Switches hours write-back on, from now (hours logged before go only through `backfillHours`); refused
   * while the SIS holds hours the ledger never saw, unless `force`.
   */
  enableHoursSync(options?: {
    readonly force?: boolean | undefined;
    readonly actor?: string | undefined;
  }): ResultAsync<SyncProfile, SyncError>;
  /**
   * Sends host hours dated from `from` (to `to`) that the push leaves alone because they were logged before
   * write-back was switched on. Nothing is sent twice; `dryRun: true` answers what it would send first.
   */
  backfillHours(options: BackfillHoursOptions): ResultAsync<HoursBackfillResult, SyncError>;
  /**
   * The school's audit trail, newest first: apply runs, refused applies, unattended runs that stopped for a
   * person, hours pushes, imports, backfills and switches, and tardy exports (docs/applying.md).
   */
  audit(options?: {
    readonly kind?: AuditKind | undefined;
    readonly limit?: number | undefined;
  }): ResultAsync<readonly AuditRecord[], SyncError>;
}

/**
 * Creates the sync a host embeds for one school.
 *
 * @example
 * ```ts
 * const sync = createSync({ tenantId: "school-1", source, directory, store });
 * const review = await sync.refresh(); // Result<ReviewReport, SyncError>: check isErr() before use
 * const decided = await sync.decide((d) => d.resolveDuplicate("smith@example.org", "1042").unselect("2210"));
 * if (decided.isErr()) return showError(decided.error); // InvalidDecision, StoreFailed…
 * const plan = await sync.plan();
 * if (plan.isErr()) return showError(plan.error);
 * // A held plan (R10) waits for a person: show plan.value.holds, and pass { acknowledge: planHash } only
 * // after they agreed. Never acknowledge automatically: that turns the safety holds off.
 * const run = await sync.apply(plan.value, { actor: "admin-7" });
 * if (run.isErr() && run.error.type === "Held") return askToAcknowledge(run.error.holds);
 * if (run.isErr() && run.error.type === "Aborted" && run.error.runId) await sync.resume(run.error.runId);
 * ```
 */
export function createSync(options: SyncOptions): Sync {
  const { tenantId, store } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const newId = options.newId ?? randomUUID;
  const lockTtlMs = options.lockTtlMs ?? 60_000;
  const ctx: SyncContext = {
    tenantId,
    source: options.source,
    directory: options.directory,
    store,
    clock,
    newId,
    logger: options.logger,
    onProgress: options.onProgress,
    lockTtlMs,
    journalBatchSize: options.journalBatchSize ?? "auto",
    state: { roster: null, lastReview: null, profileVersion: undefined },
  };
  const engine = applyContextOf(ctx);
  const wrap = <T>(step: PromiseLike<Result<T, SyncError>>) => guarded(() => step);
  // The hours steps save the profile themselves (flags); the next setup reads the version afresh.
  const forgetProfileVersion = () => {
    ctx.state.profileVersion = undefined;
  };
  /** What the hours steps need. */
  const hoursContext = (): HoursContext => ({
    tenantId,
    store,
    directory: options.directory,
    sink: options.hours,
    source: options.hoursSource,
    clock,
    batchSize: options.hoursBatchSize ?? 200,
    onProgress: options.onProgress,
    logger: options.logger,
    newId,
    lockTtlMs,
  });

  return {
    tenantId,
    setup: (profile, setupOptions = {}) => guarded(() => saveSetup(ctx, hoursContext(), profile, setupOptions.actor)),
    catalogue: (catalogueOptions = {}) => guarded(() => readCatalogue(options.source, catalogueOptions)),
    checkAccess: (catalogueOptions = {}) => guarded(() => checkSourceAccess(options.source, catalogueOptions)),
    profile: () =>
      store
        .getProfile(tenantId)
        .map((p) => {
          ctx.state.profileVersion = p?.version ?? null;
          return p?.value ?? null;
        })
        .mapErr(storeFailed),
    decisions: () =>
      store
        .getDecisions(tenantId)
        .map((d) => d?.value ?? EMPTY_DECISIONS)
        .mapErr(storeFailed),
    refresh: (refreshOptions) => guarded(() => refreshReview(ctx, refreshOptions?.signal)),
    decide: (change) => guarded(() => decide(ctx, change)),
    mergeCandidates: () => guarded(() => findCandidates(ctx)),
    plan: () => guarded(() => planNow(ctx)),
    apply: (reference, applyOptions = {}) => auditedApply(ctx, engine, reference, applyOptions),
    acknowledge: (planHash, acknowledgeOptions = {}) =>
      guarded(() => acknowledge(ctx, planHash, acknowledgeOptions.actor)),
    resume: (runId, resumeOptions = {}) => guarded(() => resumeRun(engine, runId, resumeOptions)),
    run: (runOptions) => guarded(() => runUnattended(ctx, engine, runOptions.signal)),

    pushHours(pushOptions = {}) {
      return wrap(pushHours(hoursContext(), pushOptions));
    },

    importHistoricHours(importOptions = {}) {
      return wrap(importHistoricHours(hoursContext(), importOptions.actor).finally(forgetProfileVersion));
    },

    enableHoursSync(enableOptions = {}) {
      return wrap(
        enableHoursSync(hoursContext(), enableOptions.force === true, enableOptions.actor).finally(
          forgetProfileVersion,
        ),
      );
    },

    backfillHours(backfillOptions) {
      return wrap(backfillHours(hoursContext(), backfillOptions));
    },

    audit: (auditOptions = {}) => store.listAudit(tenantId, auditOptions).mapErr(storeFailed),
  };
}
