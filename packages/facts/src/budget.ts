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
  const clock = options.clock ?? systemClock;
  const mode = options.countFrom ?? "adaptive";
  const margin = options.marginMs ?? (mode === "response" ? 10 : 25);
  // Recent round trips, for what a usual one takes.
  const trips: number[] = [];
  const usualTrip = (): number | null => {
    // The 75th percentile: a round trip slower than that is taken as having been late on the way out.
    if (trips.length < 10) return null;
    const sorted = [...trips].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) * 0.75)] as number;
  };
  // Long windows (a minute) count every request from its response: it costs one round trip a minute, and a
  // 429 there could cost a minute. Short windows use the mode's estimate.
  const windows = (options.windows ?? DEFAULT_BUDGET).map((w) => ({
    requests: Math.max(1, Math.floor(w.requests)),
    windowMs: w.windowMs,
    fromResponse: mode === "response" || (mode === "adaptive" && w.windowMs >= 10_000),
  }));
  const longest = Math.max(...windows.map((w) => w.windowMs)) + 1000;
  // Grows after each 429 (a sign that requests reach FACTS later than they look), up to a quarter second.
  let extra = 0;
  // When each finished request counted, sorted: by the mode's estimate, and by its response.
  const estimated: number[] = [];
  const responded: number[] = [];
  let inFlight = 0;
  let pausedUntil = 0;
  let spent = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const wakers = new Set<() => void>();

  const insert = (log: number[], t: number) => {
    if (log.length === 0 || (log[log.length - 1] as number) <= t) log.push(t);
    else log.splice(firstAfter(log, t), 0, t);
    // Forget what no window can see any more.
    if (log.length > 4096 && (log[2048] as number) < t - longest - extra) log.splice(0, 2048);
  };

  /** `now` when a request fits; a later time to look again; `null` to wait for a request to finish. */
  const earliest = (
    now: number,
    logs: { estimated: readonly number[]; responded: readonly number[] },
    pending: number,
  ) => {
    let at = Math.max(now, pausedUntil);
    for (const w of windows) {
      const log = w.fromResponse ? logs.responded : logs.estimated;
      const span = w.windowMs + margin + extra;
      const from = firstAfter(log, now - span);
      const active = log.length - from + pending;
      if (active < w.requests) continue;
      const k = active - w.requests + 1;
      const finished = log.length - from;
      if (finished < k) return null;
      at = Math.max(at, (log[from + k - 1] as number) + span);
    }
    return at;
  };

  const wait = (ms: number | null, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
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

  const takeNow = async (signal?: AbortSignal): Promise<BudgetRelease> => {
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      const now = clock.now();
      const at = earliest(now, { estimated, responded }, inFlight);
      if (at !== null && at <= now) {
        spent++;
        if (mode === "send") {
          insert(estimated, now);
          insert(responded, now);
          return () => undefined;
        }
        inFlight++;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          inFlight--;
          const end = clock.now();
          let counted = end;
          if (mode === "adaptive") {
            const trip = end - now;
            const usual = usualTrip();
            trips.push(trip);
            if (trips.length > 50) trips.shift();
            if (usual !== null) counted = Math.min(end, now + Math.max(0, trip - usual));
          }
          insert(estimated, counted);
          insert(responded, end);
          for (const wake of [...wakers]) wake();
        };
      }
      await wait(at === null ? null : at - now, signal);
    }
  };

  return {
    take(signal) {
      // One caller at a time, first come first served.
      const turn = queue.then(() => takeNow(signal));
      queue = turn.catch(() => undefined);
      return turn;
    },
    pause(ms) {
      const wait = Number.isFinite(ms) ? Math.max(0, ms) : 0;
      pausedUntil = Math.max(pausedUntil, clock.now() + wait);
      if (mode !== "response") extra = Math.min(250, extra + 25);
    },
    estimate(n) {
      if (Number.isNaN(n) || n <= 0) return 0;
      if (!Number.isFinite(n)) return Number.POSITIVE_INFINITY;
      const now = clock.now();
      // Requests in flight are taken as finishing now.
      const cut = (log: readonly number[]) => {
        const out = log.slice(firstAfter(log, now - longest - extra));
        for (let i = 0; i < inFlight; i++) insert(out, now);
        return out;
      };
      const logs = { estimated: cut(estimated), responded: cut(responded) };
      // Replay request by request only until every window has turned over twice; after that the budget
      // runs at its slowest window's steady rate, so the rest is arithmetic, not a loop over every page.
      const replay = Math.min(n, 2 * windows.reduce((sum, w) => sum + w.requests, 0) + inFlight + 1, 4096);
      let last = now;
      for (let i = 0; i < replay; i++) {
        last = earliest(now, logs, 0) ?? now;
        insert(logs.estimated, last);
        insert(logs.responded, last);
      }
      const perRequest = windows.reduce(
        (slowest, w) => Math.max(slowest, (w.windowMs + margin + extra) / w.requests),
        0,
      );
      return Math.max(0, last - now) + (n - replay) * perRequest;
    },
    get spent() {
      return spent;
    },
  };
}
