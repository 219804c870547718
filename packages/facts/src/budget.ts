import type { Clock } from "@rostersync/core";
import { systemClock } from "./clock.js";
import { firstAfter } from "./sorted.js";

/** One rolling window of the request budget: at most `requests` in any `windowMs`. */
export interface BudgetWindow {
  readonly requests: number;
  readonly windowMs: number;
}

/** The request budget of a FACTS subscription. Default: 100 per rolling 60 s and 10 per second. */
export interface BudgetOptions {
  /** The windows every request must fit in. Default `[{ requests: 100, windowMs: 60_000 }, { requests: 10, windowMs: 1_000 }]`. */
  readonly windows?: readonly BudgetWindow[] | undefined;
  /**
   * When a spent request counts as having reached FACTS, which only FACTS knows. `adaptive` (default):
   * at its send time plus however much longer than usual (the 75th percentile of recent ones) its round trip took (a cold connection, a busy
   * event loop delay the arrival and show up there), and at its response until ten round trips have been
   * seen. `response`: when its response arrived, never earlier than FACTS counted it, so it can never meet a
   * `429` through transit delays, at the cost of one round trip per window. `send`: when it was sent.
   */
  readonly countFrom?: "adaptive" | "response" | "send" | undefined;
  /** Extra milliseconds added to each window against clock granularity and jitter. Default 25 (10 for `response`). */
  readonly marginMs?: number | undefined;
  /** Where time comes from. Default: the system clock. A client passes its own. */
  readonly clock?: Clock | undefined;
}

/** The default FACTS budget (FACTS.md, Transport). */
export const DEFAULT_BUDGET: readonly BudgetWindow[] = Object.freeze([
  { requests: 100, windowMs: 60_000 },
  { requests: 10, windowMs: 1_000 },
]);

/** Gives a spent request back to the budget's clock: call it when its response arrived (or it failed). */
export type BudgetRelease = () => void;

/**
 * A token bucket per window whose tokens come back exactly one window after they were used, which is what
 * a rolling window allows: never more than `requests` in any `windowMs`, and no idle time when a window has
 * room. A `429` pauses every caller until its `Retry-After` has passed. Share one budget between every
 * client of the same keys.
 */
export interface RequestBudget {
  /** Waits until one more request fits every window, then spends it. Rejects with the signal's reason on abort. */
  take(signal?: AbortSignal): Promise<BudgetRelease>;
  /** Nobody sends before `ms` from now (a `429`'s `Retry-After`). */
  pause(ms: number): void;
  /**
   * Milliseconds until `n` more requests could all have been sent, from the budget alone. Cheap for any `n`
   * (a few thousand steps at most, then the windows' steady rate).
   */
  estimate(n: number): number;
  /** Requests spent so far. */
  readonly spent: number;
}

/** The longest delay a timer can hold (2³¹ − 1 ms, about 24.8 days); longer ones would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException("The operation was aborted.", "AbortError");

/** Sleeps `ms` (at most {@link MAX_TIMER_MS}), or rejects as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, ms)),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A window as the budget counts it: its cap, its length, and which log of finished requests it reads. */
interface CountedWindow {
  readonly requests: number;
  readonly windowMs: number;
  /** Counted from responses (long windows, or `countFrom: "response"`), else from the mode's estimate. */
  readonly fromResponse: boolean;
}

/** When each finished request counted, sorted: by the mode's estimate, and by its response. */
interface CountLogs {
  readonly estimated: number[];
  readonly responded: number[];
}

/** Everything a budget remembers between calls; the functions below read and update it. */
interface BudgetState {
  readonly clock: Clock;
  readonly mode: NonNullable<BudgetOptions["countFrom"]>;
  readonly margin: number;
  readonly windows: readonly CountedWindow[];
  /** The longest window plus a second: what no window can see any more is forgotten. */
  readonly longest: number;
  /** Recent round trips, for what a usual one takes. */
  readonly trips: number[];
  readonly logs: CountLogs;
  /** Callers waiting for a request to finish. */
  readonly wakers: Set<() => void>;
  /** Grows after each 429 (a sign that requests reach FACTS later than they look), up to a quarter second. */
  extra: number;
  inFlight: number;
  pausedUntil: number;
  spent: number;
}

/**
 * Long windows (a minute) count every request from its response: it costs one round trip a minute, and a
 * 429 there could cost a minute. Short windows use the mode's estimate.
 */
function countedWindows(windows: readonly BudgetWindow[], mode: BudgetState["mode"]): CountedWindow[] {
  return windows.map((w) => ({
    requests: Math.max(1, Math.floor(w.requests)),
    windowMs: w.windowMs,
    fromResponse: mode === "response" || (mode === "adaptive" && w.windowMs >= 10_000),
  }));
}

/** What a usual round trip takes, or `null` until ten have been seen. */
function usualTrip(trips: readonly number[]): number | null {
  // The 75th percentile: a round trip slower than that is taken as having been late on the way out.
  if (trips.length < 10) return null;
  const sorted = [...trips].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) * 0.75)] as number;
}

/** Adds `t` to a sorted log of the budget, forgetting what no window can see any more. */
function insert(state: BudgetState, log: number[], t: number): void {
  if (log.length === 0 || (log[log.length - 1] as number) <= t) log.push(t);
  else log.splice(firstAfter(log, t), 0, t);
  // Forget what no window can see any more.
  if (log.length > 4096 && (log[2048] as number) < t - state.longest - state.extra) log.splice(0, 2048);
}

/**
 * `now` when one more request fits every window given these logs and `pending` requests in flight; a later
 * time to look again; `null` to wait for a request to finish.
 */
function earliest(
  state: BudgetState,
  now: number,
  logs: { readonly estimated: readonly number[]; readonly responded: readonly number[] },
  pending: number,
): number | null {
  let at = Math.max(now, state.pausedUntil);
  for (const w of state.windows) {
    const log = w.fromResponse ? logs.responded : logs.estimated;
    const span = w.windowMs + state.margin + state.extra;
    const from = firstAfter(log, now - span);
    const active = log.length - from + pending;
    if (active < w.requests) continue;
    const k = active - w.requests + 1;
    const finished = log.length - from;
    if (finished < k) return null;
    at = Math.max(at, (log[from + k - 1] as number) + span);
  }
  return at;
}

/** Waits `ms` (or, for `null`, until woken), or until any request finishes; rejects on abort. */
function waitForRoom(wakers: Set<() => void>, ms: number | null, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const finish = () => {
      if (timer !== undefined) clearTimeout(timer);
      wakers.delete(finish);
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    const onAbort = () => {
      finish();
      reject(abortReason(signal as AbortSignal));
    };
    const timer = ms === null ? undefined : setTimeout(finish, Math.min(MAX_TIMER_MS, Math.max(0, ms)));
    wakers.add(finish);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * When a request sent at `sent` whose response arrived at `end` counts by the mode's estimate: its send time
 * plus however much longer than usual its round trip took (`adaptive`, once ten trips were seen), else `end`.
 */
function countedAt(state: BudgetState, sent: number, end: number): number {
  if (state.mode !== "adaptive") return end;
  const trip = end - sent;
  const usual = usualTrip(state.trips);
  state.trips.push(trip);
  if (state.trips.length > 50) state.trips.shift();
  return usual === null ? end : Math.min(end, sent + Math.max(0, trip - usual));
}

/** Spends one request sent at `sent`; the release records when it counted and wakes every waiting caller. */
function spend(state: BudgetState, sent: number): BudgetRelease {
  state.spent++;
  if (state.mode === "send") {
    insert(state, state.logs.estimated, sent);
    insert(state, state.logs.responded, sent);
    return () => undefined;
  }
  state.inFlight++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    state.inFlight--;
    const end = state.clock.now();
    insert(state, state.logs.estimated, countedAt(state, sent, end));
    insert(state, state.logs.responded, end);
    for (const wake of [...state.wakers]) wake();
  };
}

/** Waits until one more request fits every window, then spends it. */
async function takeWhenRoom(state: BudgetState, signal?: AbortSignal): Promise<BudgetRelease> {
  for (;;) {
    if (signal?.aborted) throw abortReason(signal);
    const now = state.clock.now();
    const at = earliest(state, now, state.logs, state.inFlight);
    if (at !== null && at <= now) return spend(state, now);
    await waitForRoom(state.wakers, at === null ? null : at - now, signal);
  }
}

/** {@link RequestBudget.estimate}: replays the next requests against copies of the logs, then does arithmetic. */
function estimateWait(state: BudgetState, n: number): number {
  if (Number.isNaN(n) || n <= 0) return 0;
  if (!Number.isFinite(n)) return Number.POSITIVE_INFINITY;
  const now = state.clock.now();
  // Requests in flight are taken as finishing now.
  const cut = (log: readonly number[]) => {
    const out = log.slice(firstAfter(log, now - state.longest - state.extra));
    for (let i = 0; i < state.inFlight; i++) insert(state, out, now);
    return out;
  };
  const logs = { estimated: cut(state.logs.estimated), responded: cut(state.logs.responded) };
  // Replay request by request only until every window has turned over twice; after that the budget
  // runs at its slowest window's steady rate, so the rest is arithmetic, not a loop over every page.
  const replay = Math.min(n, 2 * state.windows.reduce((sum, w) => sum + w.requests, 0) + state.inFlight + 1, 4096);
  let last = now;
  for (let i = 0; i < replay; i++) {
    last = earliest(state, now, logs, 0) ?? now;
    insert(state, logs.estimated, last);
    insert(state, logs.responded, last);
  }
  const perRequest = state.windows.reduce(
    (slowest, w) => Math.max(slowest, (w.windowMs + state.margin + state.extra) / w.requests),
    0,
  );
  return Math.max(0, last - now) + (n - replay) * perRequest;
}

/**
 * Creates a {@link RequestBudget}.
 *
 * @example
 * ```ts
 * const budget = createBudget({ windows: [{ requests: 100, windowMs: 60_000 }] });
 * const release = await budget.take();
 * try { await send(); } finally { release(); }
 * ```
 */
export function createBudget(options: BudgetOptions = {}): RequestBudget {
  const mode = options.countFrom ?? "adaptive";
  const windows = countedWindows(options.windows ?? DEFAULT_BUDGET, mode);
  const state: BudgetState = {
    clock: options.clock ?? systemClock,
    mode,
    margin: options.marginMs ?? (mode === "response" ? 10 : 25),
    windows,
    longest: Math.max(...windows.map((w) => w.windowMs)) + 1000,
    trips: [],
    logs: { estimated: [], responded: [] },
    wakers: new Set(),
    extra: 0,
    inFlight: 0,
    pausedUntil: 0,
    spent: 0,
  };
  let queue: Promise<unknown> = Promise.resolve();
  return {
    take(signal) {
      // One caller at a time, first come first served.
      const turn = queue.then(() => takeWhenRoom(state, signal));
      queue = turn.catch(() => undefined);
      return turn;
    },
    pause(ms) {
      const wait = Number.isFinite(ms) ? Math.max(0, ms) : 0;
      state.pausedUntil = Math.max(state.pausedUntil, state.clock.now() + wait);
      if (mode !== "response") state.extra = Math.min(250, state.extra + 25);
    },
    estimate(n) {
      return estimateWait(state, n);
    },
    get spent() {
      return state.spent;
    },
  };
}
