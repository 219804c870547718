import type {
  Account,
  AccountPatch,
  Logger as CoreLogger,
  DirectoryError,
  FieldChange,
  Invitation,
  JournalEntry,
  JsonValue,
  Lease,
  PlanAction,
  PlanCounts,
  RunRecord,
  RunStatus,
  SyncPlan,
} from "@rostersync/core";
import { err, errAsync, ok, okAsync, type Result, ResultAsync, safeTry } from "neverthrow";
import type { SyncContext } from "./context.js";
import { directoryFailed, type SyncError, storeFailed, thrownToPortError } from "./errors.js";
import { acquireLease, LeaseKeeper, type LeaseLoss } from "./lease.js";
import { progressMeter } from "./progress.js";

/**
 * A sink for what sync has to say: core's `Logger`, the one logger type of every package.
 *
 * @deprecated Import `Logger` from `@rostersync/core`; this alias goes in the next release.
 */
export type Logger = CoreLogger;

/** What happened to one action of a run. */
export interface ActionFailure {
  readonly actionId: string;
  readonly type: PlanAction["type"];
  readonly error: { readonly type: string; readonly message: string };
}

/** Where the time of a run went, in milliseconds (this session only, for resumed runs). */
export interface RunTimings {
  readonly totalMs: number;
  /** Time spent in the store's journal appends. */
  readonly journalMs: number;
  /** Time spent in directory writes. */
  readonly directoryMs: number;
}

/** What `apply` and `resume` return once a run has finished. */
export interface ApplyResult {
  /** The run id: pass it to `resume`. Same as `runId`. */
  readonly id: string;
  readonly runId: string;
  readonly status: RunStatus;
  readonly planHash: string;
  readonly total: number;
  /** Actions that were written (or needed no write, like skips). */
  readonly done: number;
  readonly failed: number;
  /** Successful actions by kind. */
  readonly counts: PlanCounts;
  readonly failures: readonly ActionFailure[];
  /** Accounts created by this run. */
  readonly createdAccountIds: readonly string[];
  /** Accounts to invite: added by this run or never accessed (R13, core's `inviteCandidates`). */
  readonly inviteCandidates: readonly Invitation[];
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly timings: RunTimings;
}

/** What is kept with a run besides the plan, so that `resume` needs nothing else. @internal */
export interface RunEnvelope {
  readonly tenantId: string;
  readonly plan: SyncPlan;
  /** People the admin saw in scope in the review this plan was made from (marked reviewed on success). */
  readonly reviewedIds: readonly string[];
  /** Effective selections of that review (kept as decisions on success). */
  readonly selections: Readonly<Record<string, boolean>>;
  readonly errorFingerprints: readonly string[];
  /** People that review showed in scope with a data error (core's `SeenInReview.withErrors`). */
  readonly withErrors?: readonly string[] | undefined;
  readonly acknowledged: boolean;
  /** Who acknowledged the plan's holds, when it was acknowledged with `sync.acknowledge`. */
  readonly acknowledgedBy?: string | undefined;
}

/**
 * What the check under the lock hands the engine: the plan to run (made there, never the caller's), what
 * is kept with it, and the accounts it was planned against (for the write guard; listed when absent).
 * @internal
 */
export type Verified = Omit<RunEnvelope, "tenantId"> & { readonly accounts?: readonly Account[] | undefined };

/**
 * Everything the apply engine needs: the school's ports and knobs (as the sync holds them; `journalBatchSize`
 * a fixed number of actions per batch, or `auto`, adapting to what an append costs) and its bookkeeping.
 * @internal
 */
export interface ApplyContext
  extends Pick<
    SyncContext,
    "tenantId" | "store" | "directory" | "clock" | "newId" | "logger" | "onProgress" | "lockTtlMs" | "journalBatchSize"
  > {
  /** Called once per finished run with status `completed`, before the lock is released. */
  readonly onCompleted: (envelope: RunEnvelope, result: ApplyResult) => PromiseLike<Result<void, SyncError>>;
  readonly inviteCandidates: (accounts: readonly Account[], plan: SyncPlan) => readonly Invitation[];
}

/** Options of one run. @internal */
export interface RunOptions {
  readonly signal?: AbortSignal | undefined;
  readonly actor?: string | undefined;
}

/** What happened to one action, as the journal records it. @internal */
export type Outcome =
  | { readonly status: "done"; readonly result?: JsonValue | undefined }
  | { readonly status: "failed"; readonly error: { readonly type: string; readonly message: string } };

/** `auto` journal batches start here and never go below it… */
const AUTO_BATCH_MIN = 256;
/** …nor above this. */
const AUTO_BATCH_MAX = 32_768;
/** Progress is reported at least every this many actions, and after each batch. */
const PROGRESS_EVERY = 1000;

const EMPTY_COUNTS: PlanCounts = { add: 0, link: 0, update: 0, restore: 0, archive: 0, skip: 0, createField: 0 };

const iso = (ms: number) => new Date(ms).toISOString();

/** Calls a port, turning a throw (at once or later) into a fatal error value. */
const settle = <T, E>(call: () => ResultAsync<T, E>): ResultAsync<T, E | DirectoryError> =>
  ResultAsync.fromPromise((async () => await call())(), thrownToPortError).andThen((r): Result<T, E> => r);

/** The outcome of a directory write that gave nothing back. */
const done = (): Outcome => ({ status: "done" });

/** The built-in account fields a change can name; every other name is a profile field. */
function patchOf(changes: readonly FieldChange[]): AccountPatch {
  const patch: { -readonly [K in keyof AccountPatch]: AccountPatch[K] } = {};
  let fields: Record<string, string | null> | undefined;
  for (const change of changes) {
    switch (change.field) {
      case "email":
        if (change.to !== null) patch.email = change.to;
        break;
      case "firstName":
        patch.firstName = change.to ?? "";
        break;
      case "lastName":
        patch.lastName = change.to ?? "";
        break;
      case "familyGroupId":
        patch.familyGroupId = change.to;
        break;
      default:
        // No prototype: a field named `__proto__` is written like any other.
        fields ??= Object.create(null) as Record<string, string | null>;
        fields[change.field] = change.to;
    }
  }
  if (fields !== undefined) patch.fields = fields;
  return patch;
}

/**
 * A fatal stop of a run: the error, and the status the run is recorded with. `leaseLost`: the lease could not
 * be proven held, so nothing more is written anywhere — not the batch's outcomes, not the run's status, not an
 * audit record — and the run stays as the store has it (`running`, resumable by whoever holds the lease next).
 */
interface Stop {
  readonly error: SyncError;
  readonly status: RunStatus;
  readonly leaseLost?: boolean;
}

/** The stop for a lease that could not be proven held during run `runId`. */
function leaseStop(loss: LeaseLoss, runId: string): Stop {
  const error: SyncError =
    loss.type === "store"
      ? storeFailed(loss.error)
      : {
          type: "LockLost",
          message:
            loss.type === "lost"
              ? "The school's run lock was lost (another worker took it): the run stopped and can be resumed."
              : "The school's run lock could not be kept (renewing it takes more than half of lockTtlMs): the run stopped and can be resumed.",
          runId,
        };
  return { error, status: "running", leaseLost: true };
}

/**
 * The write guard (R6, R7): why `action` must not be written to the account it names, or `null` when it may.
 * Only a `link` may touch an account sync does not manage, and only one linked to nobody else (or to this
 * person already: a replay); an update, a restore and an archive need an account sync manages, and the first
 * two one linked to the action's person. Checked at every write, against the accounts listed when the run
 * (or its resume) started, whatever the plan says.
 */
export function unmanagedWrite(action: PlanAction, accounts: ReadonlyMap<string, Account>): string | null {
  if (action.type === "skip" || action.type === "createField" || action.type === "add") return null;
  const account = accounts.get(action.accountId);
  if (account === undefined) return `Account ${action.accountId} was not in the directory when the run started.`;
  if (action.type === "link") {
    return account.sourceId === undefined || account.sourceId === action.sourceId
      ? null
      : `Account ${action.accountId} is linked to another person; a link never moves it.`;
  }
  if (!account.managed) return `Account ${action.accountId} is not managed by sync: only a link may write to it.`;
  if (action.type !== "archive" && account.sourceId !== action.sourceId) {
    return `Account ${action.accountId} is not linked to ${action.sourceId}.`;
  }
  return null;
}

/** One session of work on a run (a fresh apply or a resume), holding the lock throughout. */
class RunSession {
  private seq: number;
  private readonly keeper: LeaseKeeper;
  private journalMs = 0;
  private directoryMs = 0;
  private readonly startedMs: number;
  private readonly knownFields: Set<string>;
  private readonly accounts: ReadonlyMap<string, Account>;
  readonly outcomes = new Map<string, Outcome>();

  constructor(
    private readonly ctx: ApplyContext,
    private readonly run: RunRecord,
    private readonly plan: SyncPlan,
    keeper: LeaseKeeper,
    lastSeq: number,
    knownFields: readonly string[],
    accounts: readonly Account[],
  ) {
    this.keeper = keeper;
    this.seq = lastSeq;
    this.startedMs = ctx.clock.now();
    this.knownFields = new Set(knownFields);
    this.accounts = new Map(accounts.map((a) => [a.accountId, a]));
  }

  get timings(): RunTimings {
    return {
      totalMs: this.ctx.clock.now() - this.startedMs,
      journalMs: this.journalMs,
      directoryMs: this.directoryMs,
    };
  }

  /** `null` while the lease is proven held (renewed if due); otherwise the stop that ends the run. */
  async held(): Promise<Stop | null> {
    const kept = await this.keeper.ensure();
    return kept.isOk() ? null : leaseStop(kept.error, this.run.runId);
  }

  private async journal(entries: JournalEntry[]): Promise<Result<void, SyncError>> {
    if (entries.length === 0) return ok(undefined);
    const t0 = performance.now();
    const written = await this.ctx.store.appendJournal(this.ctx.tenantId, this.run.runId, entries);
    this.journalMs += performance.now() - t0;
    return written.mapErr(storeFailed);
  }

  private async execute(action: PlanAction): Promise<Result<Outcome, DirectoryError>> {
    const refused = unmanagedWrite(action, this.accounts);
    if (refused !== null) return ok({ status: "failed", error: { type: "Unmanaged", message: refused } });
    const t0 = performance.now();
    try {
      return await this.write(action);
    } finally {
      this.directoryMs += performance.now() - t0;
    }
  }

  /** The directory write of one action (every one idempotent: a replay after a crash writes nothing twice). */
  private write(action: PlanAction): ResultAsync<Outcome, DirectoryError> {
    const directory = this.ctx.directory;
    switch (action.type) {
      case "skip":
        return okAsync(done());
      case "createField":
        // Creating a field is not idempotent in every host: a field that is there is a replay.
        if (this.knownFields.has(action.field.name)) return okAsync({ status: "done", result: { existed: true } });
        return settle(() => directory.createField(action.field)).map(() => {
          this.knownFields.add(action.field.name);
          return done();
        });
      case "add":
        return settle(() => directory.createAccount(action.account, action.sourceId)).map(
          (c): Outcome => ({ status: "done", result: { accountId: c.accountId, created: c.created } }),
        );
      case "link":
        return settle(() => directory.linkAccount(action.accountId, action.sourceId, patchOf(action.changes)))
          .andThen(() =>
            // R6: an account the host archived and no sync linked comes back as it is linked.
            action.restore === true ? settle(() => directory.restoreAccount(action.accountId, {})) : okAsync(undefined),
          )
          .map(done);
      case "update":
        return settle(() => directory.updateAccount(action.accountId, patchOf(action.changes))).map(done);
      case "restore":
        return settle(() => directory.restoreAccount(action.accountId, patchOf(action.changes))).map(done);
      case "archive": {
        const into = action.mergedInto;
        if (into === undefined) return settle(() => directory.archiveAccount(action.accountId)).map(done);
        // R6 after the fact: the host moves the duplicate's hours and retires it.
        const merge = directory.mergeAccounts;
        if (merge === undefined) {
          return errAsync({
            type: "Unsupported",
            message: `The directory cannot merge account ${action.accountId} into ${into}: it has no mergeAccounts.`,
          });
        }
        return settle(() => merge.call(directory, action.accountId, into)).map(done);
      }
    }
  }

  /**
   * Writes `pending` in plan order. Journal writes are batched: the intents of a batch are appended
   * (durably) before any of its writes, and its outcomes after them, so every write still has its intent
   * before it and its outcome after it, at two store calls per batch instead of two per action.
   *
   * With `auto`, the batch grows while the journal costs more than a tenth of the batch's directory time
   * and shrinks back when it costs almost nothing, so a store with a costly append (a network round
   * trip, a big run row) is amortised without holding many open intents when appends are cheap. A
   * bigger batch only means more intents to write again after a crash, and those writes are idempotent.
   */
  async writeAll(pending: readonly PlanAction[], options: RunOptions): Promise<Stop | null> {
    const { ctx, run } = this;
    const auto = ctx.journalBatchSize === "auto";
    let batchSize = auto ? AUTO_BATCH_MIN : Math.max(1, ctx.journalBatchSize as number);
    let failed = 0;
    for (const o of this.outcomes.values()) if (o.status === "failed") failed++;
    const meter = progressMeter(ctx.clock, "apply", this.plan.actions.length, ctx.onProgress, run.runId);
    meter(this.outcomes.size, failed);

    let i = 0;
    while (i < pending.length) {
      if (options.signal?.aborted) return this.aborted();
      const before = await this.held();
      if (before !== null) return before;

      const batch = pending.slice(i, i + batchSize);
      i += batch.length;
      const journalBefore = this.journalMs;
      const directoryBefore = this.directoryMs;
      let sinceReport = 0;
      const at = iso(ctx.clock.now());
      const intents: JournalEntry[] = batch.map((a) => ({
        seq: ++this.seq,
        actionId: a.actionId,
        phase: "intent",
        at,
      }));
      const intended = await this.journal(intents);
      if (intended.isErr()) return { error: intended.error, status: "failed" };

      const outcomes: JournalEntry[] = [];
      let stop: Stop | null = null;
      for (const action of batch) {
        if (options.signal?.aborted) {
          stop = this.aborted();
          break;
        }
        // Never start a write without the lease proven held: a slow batch renews by the clock as it goes.
        stop = await this.held();
        if (stop !== null) break;
        const r = await this.execute(action);
        if (r.isErr() && (r.error.fatal === true || r.error.type === "Unauthorized")) {
          // Fatal: no outcome, so the intent stays open and `resume` writes it again once fixed.
          ctx.logger?.error?.("fatal directory error; run stopped", { actionId: action.actionId, type: r.error.type });
          stop = { error: directoryFailed(r.error, run.runId), status: "failed" };
          break;
        }
        const outcome: Outcome = r.isOk()
          ? r.value
          : { status: "failed", error: { type: r.error.type, message: r.error.message } };
        if (outcome.status === "failed") {
          failed++;
          ctx.logger?.warn?.("action failed", { actionId: action.actionId, error: outcome.error });
        }
        this.outcomes.set(action.actionId, outcome);
        if (++sinceReport >= PROGRESS_EVERY) {
          sinceReport = 0;
          meter(this.outcomes.size, failed);
        }
        const doneAt = iso(ctx.clock.now());
        outcomes.push(
          outcome.status === "done"
            ? {
                seq: 0,
                actionId: action.actionId,
                phase: "outcome",
                at: doneAt,
                outcome: "done",
                ...(outcome.result === undefined ? {} : { result: outcome.result }),
              }
            : {
                seq: 0,
                actionId: action.actionId,
                phase: "outcome",
                at: doneAt,
                outcome: "failed",
                error: outcome.error,
              },
        );
      }
      // Lease lost: the batch's intents stay open and whoever holds the lease now writes them again
      // (idempotently). Journalling them here would race that worker's journal.
      if (stop?.leaseLost === true) return stop;
      if (outcomes.length > 0) {
        const after = await this.held();
        if (after !== null) return after;
      }
      for (const o of outcomes) (o as { seq: number }).seq = ++this.seq;
      const recorded = await this.journal(outcomes);
      if (recorded.isErr()) return { error: recorded.error, status: "failed" };
      if (stop !== null) return stop;
      meter(this.outcomes.size, failed);
      if (auto) {
        const journal = this.journalMs - journalBefore;
        const directory = this.directoryMs - directoryBefore;
        if (journal > directory * 0.1) {
          // Jump straight to the size that would bring the journal near 5% of the writes it covers.
          const wanted = Math.ceil((batchSize * journal) / Math.max(directory * 0.05, 1e-3));
          batchSize = Math.min(AUTO_BATCH_MAX, Math.max(batchSize * 2, wanted));
        } else if (journal < directory * 0.025) batchSize = Math.max(AUTO_BATCH_MIN, batchSize / 2);
      }
    }
    return null;
  }

  private aborted(): Stop {
    return {
      error: { type: "Aborted", message: "The run was aborted; resume it to finish.", runId: this.run.runId },
      status: "aborted",
    };
  }
}

/** @internal */
export function toJson(value: unknown): JsonValue {
  return value as JsonValue;
}

/** Reads a run's envelope back from its record. */
function envelopeOf(run: RunRecord): RunEnvelope {
  return run.plan as unknown as RunEnvelope;
}

function acquire(ctx: ApplyContext, owner: string): Promise<Result<Lease, SyncError>> {
  return acquireLease(ctx, owner, "Another worker is applying a plan for this school right now.");
}

/** What a run's outcomes add up to, in plan order. @internal */
export interface RunTally {
  readonly done: number;
  readonly counts: PlanCounts;
  readonly failures: readonly ActionFailure[];
  readonly createdAccountIds: readonly string[];
  /** `done` or `failed: message` per action with an outcome, for the audit record. */
  readonly outcomes: Readonly<Record<string, string>>;
}

/** Adds up the outcomes of `plan`'s actions (actions without one are left out). @internal */
export function tallyRun(plan: SyncPlan, outcomes: ReadonlyMap<string, Outcome>): RunTally {
  const counts: { -readonly [K in keyof PlanCounts]: number } = { ...EMPTY_COUNTS };
  const failures: ActionFailure[] = [];
  const createdAccountIds: string[] = [];
  const record: Record<string, string> = {};
  let done = 0;
  for (const action of plan.actions) {
    const o = outcomes.get(action.actionId);
    if (o === undefined) continue;
    if (o.status === "done") {
      done++;
      counts[action.type]++;
      record[action.actionId] = "done";
      const res = o.result as { accountId?: string; created?: boolean } | undefined;
      // An idempotent replay (`created: false`) is still this run's account: its first attempt made it.
      if (action.type === "add" && res?.accountId !== undefined) createdAccountIds.push(res.accountId);
    } else {
      failures.push({ actionId: action.actionId, type: action.type, error: o.error });
      record[action.actionId] = `failed: ${o.error.message}`;
    }
  }
  return { done, counts, failures, createdAccountIds, outcomes: record };
}

function finish(
  ctx: ApplyContext,
  session: RunSession,
  run: RunRecord,
  envelope: RunEnvelope,
  stop: Stop | null,
  actor: string,
  replay = false,
): ResultAsync<ApplyResult, SyncError> {
  return safeTry(async function* () {
    // The lease is gone: the run is someone else's now, so neither its record nor the audit is touched.
    if (stop?.leaseLost === true) return err(stop.error);
    const plan = envelope.plan;
    const { done, counts, failures, createdAccountIds, outcomes } = tallyRun(plan, session.outcomes);
    const status: RunStatus = stop === null ? "completed" : stop.status;
    // A finished run is answered as it was recorded: its `finishedAt` is not moved.
    const finishedAt = replay && run.finishedAt !== undefined ? run.finishedAt : iso(ctx.clock.now());
    const invite =
      status === "completed"
        ? (await settle(() => ctx.directory.listAccounts())).map((accounts) => ctx.inviteCandidates(accounts, plan))
        : ok([]);
    const result: ApplyResult = {
      id: run.runId,
      runId: run.runId,
      status,
      planHash: plan.planHash,
      total: plan.actions.length,
      done,
      failed: failures.length,
      counts,
      failures,
      createdAccountIds,
      inviteCandidates: invite.unwrapOr([]),
      startedAt: run.startedAt,
      finishedAt,
      timings: session.timings,
    };
    if (replay) {
      // A finished run is answered as it was; its bookkeeping is done again (it is idempotent) in case the
      // process died between finishing the run and saving `lastRun` and the decisions — unless a later run
      // has finished since, whose `lastRun` must not be put back to this one's.
      const last = yield* ctx.store.getLastRun(ctx.tenantId).mapErr(storeFailed);
      const lastAt = last?.finishedAt;
      if (lastAt !== undefined && lastAt > finishedAt) return ok(result);
      yield* await ctx.onCompleted(envelope, result);
      return ok(result);
    }
    const summary = toJson({ total: result.total, done, failed: failures.length, counts, failures, createdAccountIds });
    // A fatal stop is recorded as failed; `resume` accepts failed and aborted runs as well as ones a
    // crash left running. Recording needs the lease: without it the run stays as it is, for its new holder.
    const held = await session.held();
    if (held !== null) return err(held.error);
    yield* ctx.store.finishRun(ctx.tenantId, run.runId, { status, finishedAt, summary }).mapErr(storeFailed);
    yield* ctx.store
      .appendAudit(ctx.tenantId, {
        auditId: ctx.newId(),
        runId: run.runId,
        at: finishedAt,
        actor,
        planHash: plan.planHash,
        status,
        counts: toJson({
          ...counts,
          failed: failures.length,
          acknowledgedHold: envelope.acknowledged,
          ...(envelope.acknowledgedBy === undefined ? {} : { acknowledgedBy: envelope.acknowledgedBy }),
        }),
        outcomes,
      })
      .mapErr(storeFailed);
    if (stop !== null) return err(stop.error);
    yield* await ctx.onCompleted(envelope, result);
    return ok(result);
  });
}

/**
 * Runs `work` holding the school's run lease (taken for `owner`, or `Locked`), and releases the lease
 * whatever `work` answers or throws. @internal
 */
async function underLease<T>(
  ctx: ApplyContext,
  owner: string,
  work: (keeper: LeaseKeeper) => PromiseLike<Result<T, SyncError>>,
): Promise<Result<T, SyncError>> {
  const locked = await acquire(ctx, owner);
  if (locked.isErr()) return err(locked.error);
  const keeper = new LeaseKeeper(ctx, locked.value);
  try {
    return await work(keeper);
  } finally {
    await ctx.store.releaseLock(keeper.current);
  }
}

/**
 * Starts a run: takes the school's lock, lets `verify` make the plan under the lock (R11: planned again from
 * the inputs read there, never a caller's plan object), stores the run with that plan, and writes every
 * action with its journal. @internal
 */
export function startRun(
  ctx: ApplyContext,
  options: RunOptions,
  verify: () => PromiseLike<Result<Verified, SyncError>>,
): Promise<Result<ApplyResult, SyncError>> {
  return underLease(ctx, ctx.newId(), (keeper) =>
    safeTry(async function* () {
      const { accounts: planned, ...kept } = yield* await verify();
      const plan = kept.plan;
      const [fields, accounts] = await Promise.all([
        settle(() => ctx.directory.listFields()),
        planned === undefined ? settle(() => ctx.directory.listAccounts()) : okAsync(planned),
      ]);
      const fieldNames = (yield* fields.mapErr((e) => directoryFailed(e))).map((f) => f.name);
      const accountList = yield* accounts.mapErr((e) => directoryFailed(e));
      // The re-check may have outlived the lease (a slow roster read): a run is only created under a lease
      // proven held, or a worker that took the school meanwhile could be applying next to it.
      yield* (await keeper.ensure()).mapErr(
        (loss): SyncError =>
          loss.type === "store"
            ? storeFailed(loss.error)
            : {
                type: "Locked",
                message: "The school's run lock was lost while checking the plan; nothing was written.",
              },
      );
      const envelope: RunEnvelope = { tenantId: ctx.tenantId, ...kept };
      const run: RunRecord = {
        runId: ctx.newId(),
        planHash: plan.planHash,
        profileHash: plan.profileHash,
        status: "running",
        startedAt: iso(ctx.clock.now()),
        actor: options.actor ?? "host",
        totalActions: plan.actions.length,
        plan: toJson(envelope),
      };
      yield* ctx.store.createRun(ctx.tenantId, run).mapErr(storeFailed);
      ctx.logger?.info?.("apply started", { runId: run.runId, actions: plan.actions.length });
      const session = new RunSession(ctx, run, plan, keeper, 0, fieldNames, accountList);
      const stop = await session.writeAll(plan.actions, options);
      return await finish(ctx, session, run, envelope, stop, options.actor ?? "host");
    }),
  );
}

/** The outcomes a run's journal records, by action. @internal */
export function outcomesOf(journal: readonly JournalEntry[]): Map<string, Outcome> {
  const outcomes = new Map<string, Outcome>();
  for (const entry of journal) {
    if (entry.phase !== "outcome") continue;
    outcomes.set(
      entry.actionId,
      entry.outcome === "failed"
        ? { status: "failed", error: entry.error ?? { type: "Unknown", message: "failed" } }
        : { status: "done", ...(entry.result === undefined ? {} : { result: entry.result }) },
    );
  }
  return outcomes;
}

/**
 * The journal must agree with the directory: a journalled create or link whose account is gone (or linked
 * to someone else) means the store and the directory are out of step, and writing on would compound it.
 * @internal
 */
export function checkInStep(
  plan: SyncPlan,
  outcomes: ReadonlyMap<string, Outcome>,
  accounts: readonly Account[],
  runId: string,
): Result<void, SyncError> {
  const byId = new Map(accounts.map((a) => [a.accountId, a]));
  for (const action of plan.actions) {
    const o = outcomes.get(action.actionId);
    if (o?.status !== "done" || (action.type !== "add" && action.type !== "link")) continue;
    const accountId =
      action.type === "add" ? (o.result as { accountId?: string } | undefined)?.accountId : action.accountId;
    const account = accountId === undefined ? undefined : byId.get(accountId);
    if (account === undefined || account.sourceId !== action.sourceId) {
      return err({
        type: "OutOfStep",
        message: `The journal says ${action.actionId} wrote account ${accountId ?? "?"}, but the directory does not have it linked to ${action.sourceId}.`,
        runId,
        actionId: action.actionId,
      });
    }
  }
  return ok(undefined);
}

/**
 * Finishes an interrupted run: actions with an outcome in the journal are done; an intent without one
 * is written again (every directory write is idempotent); the rest are written as in a fresh run. @internal
 */
export function resumeRun(
  ctx: ApplyContext,
  runId: string,
  options: RunOptions,
): Promise<Result<ApplyResult, SyncError>> {
  // Lease first, then the run: read before the lease, a run that another worker finishes in between
  // would be finished a second time (a second audit record, its `finishedAt` overwritten).
  return underLease(ctx, ctx.newId(), (keeper) =>
    safeTry(async function* () {
      const run = yield* ctx.store.getRun(ctx.tenantId, runId).mapErr(storeFailed);
      if (run === null)
        return err({ type: "RunNotFound", message: `This school has no run ${runId}.`, runId } as const);
      const envelope = envelopeOf(run);
      if (envelope.tenantId !== ctx.tenantId) {
        return err({
          type: "WrongTenant",
          message: "This run belongs to another school.",
          expected: ctx.tenantId,
          actual: envelope.tenantId,
        } as const);
      }
      const plan = envelope.plan;
      const journal = yield* ctx.store.readJournal(ctx.tenantId, runId).mapErr(storeFailed);
      const [accounts, fields] = await Promise.all([
        settle(() => ctx.directory.listAccounts()),
        settle(() => ctx.directory.listFields()),
      ]);
      const accountList = yield* accounts.mapErr((e) => directoryFailed(e, runId));
      const fieldNames = (yield* fields.mapErr((e) => directoryFailed(e, runId))).map((f) => f.name);
      const seq = journal.at(-1)?.seq ?? 0;
      const session = new RunSession(ctx, run, plan, keeper, seq, fieldNames, accountList);
      for (const [actionId, outcome] of outcomesOf(journal)) session.outcomes.set(actionId, outcome);
      yield* checkInStep(plan, session.outcomes, accountList, runId);
      const actor = options.actor ?? run.actor ?? "host";
      // Nothing left: answer with the finished run, as a replayed request should.
      if (run.status === "completed") return await finish(ctx, session, run, envelope, null, actor, true);
      const pending = plan.actions.filter((a) => !session.outcomes.has(a.actionId));
      ctx.logger?.info?.("resume", { runId, pending: pending.length, done: session.outcomes.size });
      const stop = await session.writeAll(pending, options);
      return await finish(ctx, session, run, envelope, stop, actor);
    }),
  );
}
