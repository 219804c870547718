import { randomUUID } from "node:crypto";
import type {
  AccessCheck,
  AuditKind,
  AuditRecord,
  Clock,
  Decisions,
  HoursSink,
  HoursSource,
  LastRun,
  MergeCandidate,
  PlanInput,
  ReviewReport,
  RosterSnapshot,
  RosterSource,
  SourceCatalogue,
  SyncPlan,
  SyncProfile,
  SyncStore,
  TargetDirectory,
  TargetField,
} from "@rostersync/core";
import {
  acknowledgeHold,
  type DecisionsBuilder,
  decisionsBuilder,
  EMPTY_DECISIONS,
  mergeCandidates as findMergeCandidates,
  inviteCandidates,
  plan as makePlan,
  review as makeReview,
  RosterInputError,
  recordSeen,
  seenInReview,
} from "@rostersync/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import {
  type ApplyContext,
  type ApplyResult,
  type Logger,
  type RunEnvelope,
  resumeRun,
  startRun,
  type Verified,
} from "./apply.js";
import { type AuditContext, auditBesides, reasonOf } from "./audit.js";
import { directoryFailed, noProfile, type SyncError, sourceFailed, storeFailed } from "./errors.js";
import {
  auditSwitchedOn,
  auditSwitchRefused,
  type BackfillHoursOptions,
  backfillHours,
  enableHoursSync,
  type HoursBackfillResult,
  type HoursContext,
  type HoursImportResult,
  type HoursPushResult,
  hoursSwitchForSetup,
  importHistoricHours,
  type PushHoursOptions,
  pushHours,
} from "./hours.js";
import { type ProgressListener, readMeter } from "./progress.js";
import {
  type Acknowledgement,
  acknowledgementKey,
  forHashing,
  type PlanReference,
  type ReadReference,
  readAcknowledgement,
  readReference,
} from "./reference.js";

/** The actor of unattended runs in runs and audit records. */
const UNATTENDED = "unattended";

/** Refusals of `apply` that get an audit record: the plan was not applied, and nothing was written. */
const AUDITED_REFUSALS = new Set<string>(["Held", "StalePlan", "ProfileMismatch"]);

import { checkSourceAccess, readCatalogue, validateSetup } from "./setup.js";

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

/** A plan made by `sync.plan()`: core's `SyncPlan`, stamped with the school it was made for. */
export type TenantPlan = SyncPlan & { readonly tenantId: string };

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

/** Everything a review and a plan are made from, with the versions they were read at. */
interface Inputs {
  readonly input: PlanInput & { readonly targetFields: readonly TargetField[] };
  readonly profileVersion: number;
  readonly decisionsVersion: number | null;
}

/**
 * Lifts an internal promise into the public `ResultAsync`. Ports answer with error values, but one that
 * throws anyway (a bug in an adapter) must not reject across our boundary: it becomes a `StoreFailed`
 * naming the throw. Thrown directory writes never get here (apply treats them as crashes).
 */
const wrap = <T>(promise: Promise<Result<T, SyncError>>): ResultAsync<T, SyncError> =>
  new ResultAsync(
    promise.catch((thrown: unknown): Result<T, SyncError> => {
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      return err({
        type: "StoreFailed",
        message: `A port threw instead of answering: ${message}`,
        cause: { type: "Thrown", message, fatal: true },
      });
    }),
  );

/** Runs a core function that refuses malformed input by throwing `RosterInputError`, as a value. */
function pure<T>(compute: () => T): Result<T, SyncError> {
  try {
    return ok(compute());
  } catch (e) {
    if (e instanceof RosterInputError) return err({ type: "InvalidInput", message: e.message, problems: e.problems });
    throw e;
  }
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
  const { tenantId, source, directory, store } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const newId = options.newId ?? randomUUID;
  let roster: RosterSnapshot | null = null;
  /** The profile version this instance last read or wrote (`undefined`: not read yet). */
  let profileVersion: number | null | undefined;
  // The hours steps save the profile themselves (flags); the next setup reads the version afresh.
  const forgetProfileVersion = () => {
    profileVersion = undefined;
  };
  let lastReview: ReviewReport | null = null;
  const lockTtlMs = options.lockTtlMs ?? 60_000;
  const auditCtx: AuditContext = { tenantId, store, clock, newId, logger: options.logger };
  /** What the hours steps need. */
  const hoursContext = (): HoursContext => ({
    tenantId,
    store,
    directory,
    sink: options.hours,
    source: options.hoursSource,
    clock,
    batchSize: options.hoursBatchSize ?? 200,
    onProgress: options.onProgress,
    logger: options.logger,
    newId,
    lockTtlMs,
  });

  async function readSource(signal?: AbortSignal): Promise<Result<RosterSnapshot, SyncError>> {
    const onRead = readMeter(clock, options.onProgress);
    const r = await source.read({
      ...(signal === undefined ? {} : { signal }),
      ...(onRead === undefined ? {} : { onProgress: onRead }),
    });
    return r.mapErr(
      (e): SyncError =>
        signal?.aborted === true
          ? { type: "Aborted", message: "Cancelled while reading the roster; nothing was written." }
          : sourceFailed(e),
    );
  }

  /**
   * Reads everything a plan depends on; the roster from the source when `fresh`, else `pinned` or the last
   * refresh's.
   */
  async function gather(
    fresh: boolean,
    signal?: AbortSignal,
    pinned?: RosterSnapshot,
  ): Promise<Result<Inputs, SyncError>> {
    const [profile, decisions, lastRun, accounts, fields] = await Promise.all([
      store.getProfile(tenantId),
      store.getDecisions(tenantId),
      store.getLastRun(tenantId),
      directory.listAccounts(),
      directory.listFields(),
    ]);
    if (profile.isErr()) return err(storeFailed(profile.error));
    if (decisions.isErr()) return err(storeFailed(decisions.error));
    if (lastRun.isErr()) return err(storeFailed(lastRun.error));
    if (accounts.isErr()) return err(directoryFailed(accounts.error));
    if (fields.isErr()) return err(directoryFailed(fields.error));
    profileVersion = profile.value?.version ?? null;
    if (profile.value === null) {
      return err(noProfile());
    }
    let snapshot = fresh ? null : (pinned ?? roster);
    if (snapshot === null) {
      const read = await readSource(signal);
      if (read.isErr()) return err(read.error);
      snapshot = read.value;
    }
    const lr: LastRun | null = lastRun.value;
    return ok({
      input: {
        people: snapshot.people,
        accounts: accounts.value,
        profile: profile.value.value,
        decisions: decisions.value?.value ?? EMPTY_DECISIONS,
        lastRun: lr,
        targetFields: fields.value,
      },
      profileVersion: profile.value.version,
      decisionsVersion: decisions.value?.version ?? null,
    });
  }

  async function refresh(signal?: AbortSignal): Promise<Result<ReviewReport, SyncError>> {
    const read = await readSource(signal);
    if (read.isErr()) return err(read.error);
    roster = read.value;
    const inputs = await gather(false, signal);
    if (inputs.isErr()) return err(inputs.error);
    const report = pure(() => makeReview(inputs.value.input));
    if (report.isOk()) lastReview = report.value;
    return report;
  }

  async function planNow(): Promise<Result<TenantPlan, SyncError>> {
    const inputs = await gather(false);
    if (inputs.isErr()) return err(inputs.error);
    return pure(() => {
      lastReview ??= makeReview(inputs.value.input);
      const input = inputs.value.input;
      return { ...makePlan({ ...input, decisions: forHashing(input.decisions) }), tenantId };
    });
  }

  /** Saves decisions with retries on a concurrent save: `change` is re-applied to the newest version. */
  async function updateDecisions(
    change: (current: Decisions) => Decisions,
    attempts = 3,
  ): Promise<Result<Decisions, SyncError>> {
    for (let attempt = 1; ; attempt++) {
      const current = await store.getDecisions(tenantId);
      if (current.isErr()) return err(storeFailed(current.error));
      const next = change(current.value?.value ?? EMPTY_DECISIONS);
      const saved = await store.saveDecisions(tenantId, next, current.value?.version ?? null);
      if (saved.isOk()) return ok(next);
      if (saved.error.type !== "Conflict" || attempt >= attempts) return err(storeFailed(saved.error));
    }
  }

  const ctx: ApplyContext = {
    tenantId,
    store,
    directory,
    clock,
    newId,
    logger: options.logger,
    onProgress: options.onProgress,
    lockTtlMs,
    journalBatchSize: options.journalBatchSize ?? "auto",
    inviteCandidates,
    async onCompleted(envelope: RunEnvelope, result: ApplyResult) {
      // R10 compares the next plan with these counts (a plan journalled before they existed has none).
      const { managedCount, inScopeCount, inScopeSlices } = envelope.plan;
      const saved = await store.saveLastRun(tenantId, {
        sourceCount: envelope.plan.sourceCount,
        errorFingerprints: envelope.errorFingerprints,
        finishedAt: result.finishedAt,
        planHash: envelope.plan.planHash,
        ...(managedCount === undefined ? {} : { managedCount }),
        ...(inScopeCount === undefined ? {} : { inScopeCount }),
        ...(inScopeSlices === undefined ? {} : { inScopeSlices }),
      });
      if (saved.isErr()) return err(storeFailed(saved.error));
      // The people the applied review showed in scope were seen by the admin: they are no longer New?
      // (R5), the default selection new people got is kept (R4), and today's errors are no longer new
      // ones. Core's recordSeen, as markReviewed and recordDefaults do it.
      const marked = await updateDecisions((d) =>
        recordSeen(d, {
          reviewed: envelope.reviewedIds,
          selections: envelope.selections,
          errors: envelope.errorFingerprints,
          withErrors: envelope.withErrors ?? [],
        }),
      );
      if (marked.isErr()) return err(marked.error);
      roster = null;
      lastReview = null;
      return ok(undefined);
    },
  };

  /**
   * `pinned`: the roster an unattended run read moments ago in the same call; under the lock the accounts,
   * decisions and setup are read again, the roster is not (FACTS's budget, issue 15 item 8).
   */
  function applyPlan(
    reference: PlanReference,
    applyOptions: ApplyOptions,
    pinned?: RosterSnapshot,
  ): ResultAsync<ApplyResult, SyncError> {
    return wrap(
      (async (): Promise<Result<ApplyResult, SyncError>> => {
        // Only the hash is taken from the caller (plus tenant and profile, to refuse): the actions and holds
        // run are the ones planned below, under the lock (docs/applying.md).
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
        return startRun(ctx, applyOptions, () => verifyUnderLock(ref, applyOptions, pinned));
      })(),
    );
  }

  /**
   * Applies like `applyPlan`, and records an apply refused before writing (held, stale, another setup) in
   * the audit; the refusal is still what the caller gets.
   */
  function auditedApply(
    reference: PlanReference,
    applyOptions: ApplyOptions,
    pinned?: RosterSnapshot,
  ): ResultAsync<ApplyResult, SyncError> {
    return wrap(
      (async (): Promise<Result<ApplyResult, SyncError>> => {
        const result = await applyPlan(reference, applyOptions, pinned);
        if (result.isOk() || !AUDITED_REFUSALS.has(result.error.type)) return result;
        const e = result.error;
        await auditBesides(auditCtx, {
          kind: "apply-refused",
          actor: applyOptions.actor,
          status: "refused",
          planHash: readReference(reference)?.planHash ?? "",
          // The holds are those of the plan made under the lock, never the caller's object.
          counts: { holds: e.type === "Held" ? e.holds.length : 0 },
          outcomes:
            e.type === "Held"
              ? { holds: e.holds.map((h) => h.type) }
              : e.type === "StalePlan"
                ? { currentHash: e.currentHash }
                : e.type === "ProfileMismatch"
                  ? { currentProfileHash: e.currentProfileHash }
                  : {},
          reason: reasonOf(e),
        });
        return result;
      })(),
    );
  }

  /**
   * Refresh, plan and apply with one roster read (FACTS's budget is the scarcest resource); applied only
   * when no hold and no new error needs a person, and never as a school's first sync (docs/applying.md).
   */
  async function unattendedRun(signal?: AbortSignal): Promise<Result<UnattendedResult, SyncError>> {
    const read = await readSource(signal);
    if (read.isErr()) return err(read.error);
    const snapshot = read.value;
    roster = snapshot;
    const inputs = await gather(false, signal, snapshot);
    if (inputs.isErr()) return err(inputs.error);
    const made = pure(() => ({ review: makeReview(inputs.value.input), plan: makePlan(inputs.value.input) }));
    if (made.isErr()) return err(made.error);
    const { review } = made.value;
    lastReview = review;
    const plan: TenantPlan = { ...made.value.plan, tenantId };
    const newErrors = review.rows.filter((r) => r.isNewError);
    // No sync applied before: nobody has reviewed this school yet, so nothing is applied unattended.
    const firstRun = inputs.value.input.lastRun === null;
    if (firstRun || plan.holds.length > 0 || newErrors.length > 0) {
      const reasons: UnattendedStopReason[] = [];
      if (firstRun) reasons.push("first-run");
      if (plan.holds.length > 0) reasons.push("holds");
      if (newErrors.length > 0) reasons.push("new-errors");
      const message = firstRun
        ? "This school has never been synced by a person: the first sync must be reviewed and applied by an admin. Nothing was applied."
        : `Nothing was applied: ${[
            plan.holds.length > 0 ? `${plan.holds.length} hold(s) to acknowledge` : "",
            newErrors.length > 0 ? `${newErrors.length} new error(s) to review` : "",
          ]
            .filter((x) => x !== "")
            .join(" and ")}.`;
      options.logger?.warn?.("unattended run needs a person", {
        firstRun,
        holds: plan.holds.length,
        newErrors: newErrors.length,
      });
      await auditBesides(auditCtx, {
        kind: "unattended-stopped",
        actor: UNATTENDED,
        status: "stopped",
        planHash: plan.planHash,
        counts: { ...plan.counts, holds: plan.holds.length, newErrors: newErrors.length },
        outcomes: { reasons: reasons, holds: plan.holds.map((h) => h.type) },
        reason: message,
      });
      return ok({
        applied: false,
        review,
        plan,
        message,
        needsAttention: { reasons, firstRun, holds: plan.holds, newErrors },
      });
    }
    const applied = await auditedApply(plan, { actor: UNATTENDED, signal }, snapshot);
    if (applied.isErr()) return err(applied.error);
    return ok({ applied: true, review, plan, run: applied.value });
  }

  /** R11 under the lock: reads every input again, plans again, and hands the engine that plan. */
  async function verifyUnderLock(
    ref: ReadReference,
    applyOptions: ApplyOptions,
    pinned?: RosterSnapshot,
  ): Promise<Result<Verified, SyncError>> {
    const inputs = await gather(pinned === undefined, applyOptions.signal, pinned);
    if (inputs.isErr()) return err(inputs.error);
    const input = inputs.value.input;
    const planned = pure(() => ({
      now: makePlan({ ...input, decisions: forHashing(input.decisions) }),
      review: makeReview(input),
    }));
    if (planned.isErr()) return err(planned.error);
    const { now, review } = planned.value;
    if (ref.profileHash !== undefined && now.profileHash !== ref.profileHash) {
      return err({
        type: "ProfileMismatch",
        message: "This plan was made with another setup than the school's current one: plan again.",
        planProfileHash: ref.profileHash,
        currentProfileHash: now.profileHash,
      });
    }
    if (now.planHash !== ref.planHash) {
      return err({
        type: "StalePlan",
        message: "The roster, the accounts, the decisions or the setup changed since this plan was made.",
        planHash: ref.planHash,
        currentHash: now.planHash,
      });
    }
    // The holds are this plan's own (R10); an acknowledgement counts only for its exact hash.
    let acknowledgedBy: string | undefined;
    if (now.holds.length > 0) {
      if (applyOptions.acknowledge === now.planHash) acknowledgedBy = applyOptions.actor ?? "host";
      else if (input.decisions.acknowledgedHolds.includes(now.planHash)) {
        const who = await readAcknowledgement(store, tenantId, now.planHash);
        if (who.isErr()) return err(who.error);
        acknowledgedBy = who.value?.actor ?? "host";
      } else {
        return err({
          type: "Held",
          message: `This plan is held (${now.holds.map((h) => h.type).join(", ")}): acknowledge its hash to apply it.`,
          planHash: now.planHash,
          holds: now.holds,
        });
      }
    }
    // What reviewing this review records (core's seenInReview: only people seen in scope), kept with the
    // run so that a resume in another process can record it too. Nobody looks at an unattended run's
    // review: it keeps new people's default selections but marks nobody reviewed, so people who entered
    // the scope stay New? until an admin has seen them (R5).
    const seen = seenInReview(review, input.decisions);
    const attended = applyOptions.actor !== UNATTENDED;
    return ok({
      plan: now,
      accounts: input.accounts,
      reviewedIds: attended ? seen.reviewed : [],
      selections: seen.selections,
      errorFingerprints: seen.errors,
      withErrors: attended ? seen.withErrors : (input.decisions.reviewedWithErrors ?? []),
      acknowledged: now.holds.length > 0,
      ...(acknowledgedBy === undefined ? {} : { acknowledgedBy }),
    });
  }

  const sync: Sync = {
    tenantId,

    setup(profile, setupOptions = {}) {
      return wrap(
        (async (): Promise<Result<SyncProfile, SyncError>> => {
          const valid = await validateSetup(source, profile);
          if (valid.isErr()) return err(valid.error);
          // Optimistic: save over the version this instance last read, so an admin editing a setup that
          // someone else changed meanwhile gets `Conflict` instead of silently overwriting it.
          const current = await store.getProfile(tenantId);
          if (current.isErr()) return err(storeFailed(current.error));
          const expected = profileVersion === undefined ? (current.value?.version ?? null) : profileVersion;
          // Switching hours write-back on here goes through the enable guard like enableHoursSync().
          const hours = hoursContext();
          const switched = await hoursSwitchForSetup(hours, current.value?.value ?? null, profile);
          if (switched.isErr()) {
            await auditSwitchRefused(hours, "setup", setupOptions.actor, switched.error);
            return err(switched.error);
          }
          const saved = await store.saveProfile(tenantId, switched.value, expected);
          if (saved.isErr()) return err(storeFailed(saved.error));
          profileVersion = saved.value;
          if (switched.value.hoursSync.enabled && current.value?.value.hoursSync.enabled !== true) {
            const audited = await auditSwitchedOn(hours, "setup", setupOptions.actor, false);
            if (audited.isErr()) return err(audited.error);
          }
          return ok(switched.value);
        })(),
      );
    },

    catalogue(catalogueOptions = {}) {
      return wrap(readCatalogue(source, catalogueOptions));
    },

    checkAccess(catalogueOptions = {}) {
      return wrap(checkSourceAccess(source, catalogueOptions));
    },

    profile() {
      return store
        .getProfile(tenantId)
        .map((p) => {
          profileVersion = p?.version ?? null;
          return p?.value ?? null;
        })
        .mapErr(storeFailed);
    },

    decisions() {
      return store
        .getDecisions(tenantId)
        .map((d) => d?.value ?? EMPTY_DECISIONS)
        .mapErr(storeFailed);
    },

    refresh(refreshOptions) {
      return wrap(refresh(refreshOptions?.signal));
    },

    decide(change) {
      return wrap(
        (async (): Promise<Result<ReviewReport, SyncError>> => {
          if (lastReview === null) {
            const reviewed = await refresh();
            if (reviewed.isErr()) return err(reviewed.error);
          }
          const review = lastReview;
          let thrown: unknown = null;
          const saved = await updateDecisions((current) => {
            try {
              const out = change(decisionsBuilder(current, review ?? undefined));
              return "done" in out ? out.done() : out;
            } catch (e) {
              // Core's helpers refuse bad input (e.g. a member outside the group) by throwing.
              thrown = e;
              return current;
            }
          });
          if (thrown !== null) {
            return err({
              type: "InvalidDecision",
              message: thrown instanceof Error ? thrown.message : String(thrown),
            });
          }
          if (saved.isErr()) return err(saved.error);
          const inputs = await gather(false);
          if (inputs.isErr()) return err(inputs.error);
          const report = pure(() => makeReview(inputs.value.input));
          if (report.isOk()) lastReview = report.value;
          return report;
        })(),
      );
    },

    mergeCandidates() {
      return wrap(
        (async (): Promise<Result<readonly MergeCandidate[], SyncError>> => {
          const inputs = await gather(false);
          if (inputs.isErr()) return err(inputs.error);
          return pure(() => findMergeCandidates(inputs.value.input));
        })(),
      );
    },

    plan() {
      return wrap(planNow());
    },

    apply(reference, applyOptions = {}) {
      return auditedApply(reference, applyOptions);
    },

    acknowledge(planHash, acknowledgeOptions = {}) {
      return wrap(
        (async (): Promise<Result<Acknowledgement, SyncError>> => {
          if (typeof planHash !== "string" || planHash.length === 0) {
            return err({ type: "InvalidDecision", message: "acknowledge needs the held plan's planHash." });
          }
          const acknowledgement: Acknowledgement = {
            planHash,
            actor: acknowledgeOptions.actor ?? "host",
            at: new Date(clock.now()).toISOString(),
          };
          // Who first, then the acknowledgement itself: a crash in between leaves nothing acknowledged.
          const who = await store.setWatermark(tenantId, acknowledgementKey(planHash), JSON.stringify(acknowledgement));
          if (who.isErr()) return err(storeFailed(who.error));
          const saved = await updateDecisions((d) => acknowledgeHold(d, planHash));
          return saved.map(() => acknowledgement);
        })(),
      );
    },

    resume(runId, resumeOptions = {}) {
      return wrap(resumeRun(ctx, runId, resumeOptions));
    },

    run(runOptions) {
      return wrap(unattendedRun(runOptions.signal));
    },

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

    audit(auditOptions = {}) {
      return store.listAudit(tenantId, auditOptions).mapErr(storeFailed);
    },
  };
  return sync;
}
