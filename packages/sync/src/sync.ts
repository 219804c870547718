import { randomUUID } from "node:crypto";
import type {
  AccessCheck,
  AuditRecord,
  Clock,
  Decisions,
  HoursSink,
  HoursSource,
  LastRun,
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
  type DecisionsBuilder,
  decisionsBuilder,
  EMPTY_DECISIONS,
  inviteCandidates,
  plan as makePlan,
  review as makeReview,
  RosterInputError,
} from "@rostersync/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import { type ApplyContext, type ApplyResult, type Logger, type RunEnvelope, resumeRun, startRun } from "./apply.js";
import { directoryFailed, type SyncError, sourceFailed, storeFailed } from "./errors.js";
import {
  enableHoursSync,
  type HoursImportResult,
  type HoursPushResult,
  importHistoricHours,
  type PushHoursOptions,
  pushHours,
} from "./hours.js";
import { type ProgressListener, readMeter } from "./progress.js";
import { checkSourceAccess, readCatalogue, validateSetup } from "./setup.js";

/** What {@link createSync} needs: the school, its ports, and optional knobs. */
export interface SyncOptions {
  /** The school. Every store call is scoped by it; a plan made for another school is refused. */
  readonly tenantId: string;
  /** Where the roster comes from (e.g. `createFactsSource`). */
  readonly source: RosterSource;
  /** The host app's accounts (e.g. `createSqliteDirectory`, or the host's own adapter). */
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
  /** The `planHash` of a held plan (R10) the admin acknowledged. Without it a held plan is refused. */
  readonly acknowledge?: string | undefined;
  /** Stops the run between two actions; resume it later. */
  readonly signal?: AbortSignal | undefined;
  /** Who applies (a host user id); recorded on the run and its audit record. Default `host`. */
  readonly actor?: string | undefined;
}

/** What an unattended run did: applied, or stopped because something needs a person (docs/applying.md). */
export type UnattendedResult =
  | { readonly applied: true; readonly review: ReviewReport; readonly plan: TenantPlan; readonly run: ApplyResult }
  | {
      readonly applied: false;
      readonly review: ReviewReport;
      readonly plan: TenantPlan;
      /** Why nobody applied it: holds to acknowledge, and errors nobody has seen yet. */
      readonly needsAttention: {
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
   * not have… is `InvalidInput` listing every problem, and nothing is saved.
   */
  setup(profile: SyncProfile): ResultAsync<SyncProfile, SyncError>;
  /** What the setup screens offer (schools, grades, user types, fields), without a full roster read when the source can. */
  catalogue(options?: { readonly signal?: AbortSignal | undefined }): ResultAsync<SourceCatalogue, SyncError>;
  /** "Test the key": which permissions the source's key has, named as the SIS names them. */
  checkAccess(options?: { readonly signal?: AbortSignal | undefined }): ResultAsync<AccessCheck, SyncError>;
  /** The school's audit records, newest first (the store's `listAudit`). */
  audit(options?: { readonly limit?: number | undefined }): ResultAsync<readonly AuditRecord[], SyncError>;
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
  /** Plans against the last refresh's roster and the directory as it is now. */
  plan(): ResultAsync<TenantPlan, SyncError>;
  /** Applies a plan exactly once (docs/applying.md). */
  apply(plan: TenantPlan | SyncPlan, options?: ApplyOptions): ResultAsync<ApplyResult, SyncError>;
  /** Finishes a run a crash, a kill, an abort or a fatal error interrupted. */
  resume(runId: string, options?: Omit<ApplyOptions, "acknowledge">): ResultAsync<ApplyResult, SyncError>;
  /** Refresh, plan and apply, but only when no hold and no new error needs a person (docs/applying.md). */
  run(options: {
    readonly unattended: true;
    readonly signal?: AbortSignal | undefined;
  }): ResultAsync<UnattendedResult, SyncError>;
  /** Pushes approved host hours to the SIS (docs/hours.md). Only when `hoursSync` is enabled. */
  pushHours(options?: PushHoursOptions): ResultAsync<HoursPushResult, SyncError>;
  /** Imports the SIS's hours into the host and records them as from-SIS, so they are never echoed back. */
  importHistoricHours(): ResultAsync<HoursImportResult, SyncError>;
  /** Switches hours write-back on; refused while the SIS holds hours the ledger never saw, unless `force`. */
  enableHoursSync(options?: { readonly force?: boolean | undefined }): ResultAsync<SyncProfile, SyncError>;
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

  /** Reads everything a plan depends on; the roster from the source when `fresh`, else the last refresh's. */
  async function gather(fresh: boolean, signal?: AbortSignal): Promise<Result<Inputs, SyncError>> {
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
      return err({ type: "NoProfile", message: "This school has no setup yet: call sync.setup(profile) first." });
    }
    let snapshot = fresh ? null : roster;
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
      return { ...makePlan(inputs.value.input), tenantId };
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
    lockTtlMs: options.lockTtlMs ?? 60_000,
    journalBatchSize: options.journalBatchSize ?? "auto",
    inviteCandidates,
    async onCompleted(envelope: RunEnvelope, result: ApplyResult) {
      const saved = await store.saveLastRun(tenantId, {
        sourceCount: envelope.plan.sourceCount,
        errorFingerprints: envelope.errorFingerprints,
        finishedAt: result.finishedAt,
        planHash: envelope.plan.planHash,
      });
      if (saved.isErr()) return err(storeFailed(saved.error));
      // The people of the applied review were seen by the admin: they are no longer New? (R5), the
      // default selection new people got is kept (R4), and today's errors are no longer new ones.
      const marked = await updateDecisions((d) => ({
        ...d,
        selections: { ...envelope.selections, ...d.selections },
        reviewed: [...new Set([...d.reviewed, ...envelope.reviewedIds])].sort(),
        reviewedErrors: [...new Set([...(d.reviewedErrors ?? []), ...envelope.errorFingerprints])].sort(),
      }));
      if (marked.isErr()) return err(marked.error);
      roster = null;
      lastReview = null;
      return ok(undefined);
    },
  };

  function applyPlan(plan: TenantPlan | SyncPlan, applyOptions: ApplyOptions): ResultAsync<ApplyResult, SyncError> {
    return wrap(
      (async (): Promise<Result<ApplyResult, SyncError>> => {
        if (
          plan === null ||
          typeof plan !== "object" ||
          typeof plan.planHash !== "string" ||
          !Array.isArray(plan.actions)
        ) {
          return err({ type: "NoPlan", message: "apply needs a plan: call sync.plan() first." });
        }
        const planTenant = (plan as Partial<TenantPlan>).tenantId;
        if (planTenant !== undefined && planTenant !== tenantId) {
          return err({
            type: "WrongTenant",
            message: `This plan was made for school ${planTenant}, not ${tenantId}.`,
            expected: tenantId,
            actual: planTenant,
          });
        }
        return startRun(ctx, plan, applyOptions, async () => {
          // R11 under the lock: re-read every input, re-plan, compare. Nothing has been written yet.
          const inputs = await gather(true, applyOptions.signal);
          if (inputs.isErr()) return err(inputs.error);
          // A hold acknowledged in the decisions after planning must not make the plan stale: the hash is
          // compared as the decisions stood when the plan was made.
          const read = inputs.value.input;
          const ackInDecisions = read.decisions.acknowledgedHolds.includes(plan.planHash);
          const input = ackInDecisions
            ? {
                ...read,
                decisions: {
                  ...read.decisions,
                  acknowledgedHolds: read.decisions.acknowledgedHolds.filter((h) => h !== plan.planHash),
                },
              }
            : read;
          const planned = pure(() => ({ now: makePlan(input), review: makeReview(input) }));
          if (planned.isErr()) return err(planned.error);
          const { now, review } = planned.value;
          if (now.profileHash !== plan.profileHash) {
            return err({
              type: "ProfileMismatch",
              message: "This plan was made with another setup than the school's current one: plan again.",
              planProfileHash: plan.profileHash,
              currentProfileHash: now.profileHash,
            });
          }
          if (now.planHash !== plan.planHash) {
            return err({
              type: "StalePlan",
              message: "The roster, the accounts, the decisions or the setup changed since this plan was made.",
              planHash: plan.planHash,
              currentHash: now.planHash,
            });
          }
          const decisions = input.decisions;
          const acknowledged = applyOptions.acknowledge === plan.planHash || ackInDecisions;
          if (plan.holds.length > 0 && !acknowledged) {
            return err({
              type: "Held",
              message: `This plan is held (${plan.holds.map((h) => h.type).join(", ")}): acknowledge its hash to apply it.`,
              planHash: plan.planHash,
              holds: plan.holds,
            });
          }
          const selections: Record<string, boolean> = {};
          const reviewedIds: string[] = [];
          // What core's `markReviewed` and `recordDefaults` would do with this review, kept with the run so
          // that a resume in another process can do it too.
          for (const row of review.rows) {
            reviewedIds.push(row.sourceId);
            if (row.isNew && row.status !== "out-of-scope" && typeof decisions.selections[row.sourceId] !== "boolean") {
              selections[row.sourceId] = row.selected;
            }
          }
          return ok({
            reviewedIds,
            selections,
            errorFingerprints: review.errorFingerprints,
            acknowledged: plan.holds.length > 0,
          });
        });
      })(),
    );
  }

  const sync: Sync = {
    tenantId,

    setup(profile) {
      return wrap(
        (async (): Promise<Result<SyncProfile, SyncError>> => {
          const valid = await validateSetup(source, profile);
          if (valid.isErr()) return err(valid.error);
          // Optimistic: save over the version this instance last read, so an admin editing a setup that
          // someone else changed meanwhile gets `Conflict` instead of silently overwriting it.
          let expected = profileVersion;
          if (expected === undefined) {
            const current = await store.getProfile(tenantId);
            if (current.isErr()) return err(storeFailed(current.error));
            expected = current.value?.version ?? null;
          }
          const saved = await store.saveProfile(tenantId, profile, expected);
          if (saved.isErr()) return err(storeFailed(saved.error));
          profileVersion = saved.value;
          return ok(profile);
        })(),
      );
    },

    catalogue(catalogueOptions = {}) {
      return wrap(readCatalogue(source, catalogueOptions));
    },

    checkAccess(catalogueOptions = {}) {
      return wrap(checkSourceAccess(source, catalogueOptions));
    },

    audit(auditOptions = {}) {
      return store.listAudit(tenantId, auditOptions).mapErr(storeFailed);
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

    plan() {
      return wrap(planNow());
    },

    apply(plan, applyOptions = {}) {
      return applyPlan(plan, applyOptions);
    },

    resume(runId, resumeOptions = {}) {
      return wrap(resumeRun(ctx, runId, resumeOptions));
    },

    run(runOptions) {
      return wrap(
        (async (): Promise<Result<UnattendedResult, SyncError>> => {
          const reviewed = await refresh(runOptions.signal);
          if (reviewed.isErr()) return err(reviewed.error);
          const review = reviewed.value;
          const planned = await planNow();
          if (planned.isErr()) return err(planned.error);
          const plan = planned.value;
          const newErrors = review.rows.filter((r) => r.isNewError);
          if (plan.holds.length > 0 || newErrors.length > 0) {
            options.logger?.warn?.("unattended run needs a person", {
              holds: plan.holds.length,
              newErrors: newErrors.length,
            });
            return ok({ applied: false, review, plan, needsAttention: { holds: plan.holds, newErrors } });
          }
          const applied = await applyPlan(plan, { actor: "unattended", signal: runOptions.signal });
          if (applied.isErr()) return err(applied.error);
          return ok({ applied: true, review, plan, run: applied.value });
        })(),
      );
    },

    pushHours(pushOptions = {}) {
      return wrap(
        pushHours(
          {
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
            lockTtlMs: ctx.lockTtlMs,
          },
          pushOptions,
        ),
      );
    },

    importHistoricHours() {
      return wrap(
        importHistoricHours({
          tenantId,
          store,
          directory,
          sink: options.hours,
          source: options.hoursSource,
          clock,
          newId,
          lockTtlMs: ctx.lockTtlMs,
        }).finally(forgetProfileVersion),
      );
    },

    enableHoursSync(enableOptions = {}) {
      return wrap(
        enableHoursSync(
          {
            tenantId,
            store,
            directory,
            sink: options.hours,
            source: options.hoursSource,
            clock,
            newId,
            lockTtlMs: ctx.lockTtlMs,
          },
          enableOptions.force === true,
        ).finally(forgetProfileVersion),
      );
    },
  };
  return sync;
}
