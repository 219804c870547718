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
  /** Nobody sends before `Date.now() + ms` (a `429`'s `Retry-After`). */
  pause(ms: number): void;
  /** Milliseconds until `n` more requests could all have been sent, from the budget alone. */
  estimate(n: number): number;
  /** Requests spent so far. */
  readonly spent: number;
}

const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException("The operation was aborted.", "AbortError");

/** Sleeps `ms`, or rejects as soon as the signal fires. */
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
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Index of the first value greater than `t` in a sorted array. */
function firstAfter(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
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
  const margin = options.marginMs ?? (mode === "response" ? 10 : 25);
  // Recent round trips, for what a usual one takes.
  const trips: number[] = [];
  const usualTrip = (): number | null => {
    // The 75th percentile: a round trip slower than that is taken as having been late on the way out.
    if (trips.length < 10) return null;
    const sorted = [...trips].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) * 0.75)] as number;
  };
  const windows = (options.windows ?? DEFAULT_BUDGET).map((w) => ({
    requests: Math.max(1, Math.floor(w.requests)),
    windowMs: w.windowMs + margin,
  }));
  const longest = Math.max(...windows.map((w) => w.windowMs));
  // When each finished request counted, sorted; requests still in flight are only counted.
  const done: number[] = [];
  let inFlight = 0;
  let pausedUntil = 0;
  let spent = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const wakers = new Set<() => void>();

  const record = (t: number) => {
    if (done.length === 0 || (done[done.length - 1] as number) <= t) done.push(t);
    else done.splice(firstAfter(done, t), 0, t);
    // Forget what no window can see any more.
    if (done.length > 4096 && (done[2048] as number) < t - longest) done.splice(0, 2048);
  };

  /** `now` when a request fits; a later time to look again; `null` to wait for a request to finish. */
  const earliest = (now: number, log: readonly number[], pending: number): number | null => {
    let at = Math.max(now, pausedUntil);
    for (const w of windows) {
      const from = firstAfter(log, now - w.windowMs);
      const active = log.length - from + pending;
      if (active < w.requests) continue;
      const k = active - w.requests + 1;
      const finished = log.length - from;
      if (finished < k) return null;
      at = Math.max(at, (log[from + k - 1] as number) + w.windowMs);
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
      const timer = ms === null ? undefined : setTimeout(finish, Math.max(0, ms));
      wakers.add(finish);
      signal?.addEventListener("abort", onAbort, { once: true });
    });

  const takeNow = async (signal?: AbortSignal): Promise<BudgetRelease> => {
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      const now = Date.now();
      const at = earliest(now, done, inFlight);
      if (at !== null && at <= now) {
        spent++;
        if (mode === "send") {
          record(now);
          return () => undefined;
        }
        inFlight++;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          inFlight--;
          const end = Date.now();
          let counted = end;
          if (mode === "adaptive") {
            const trip = end - now;
            const usual = usualTrip();
            trips.push(trip);
            if (trips.length > 50) trips.shift();
            if (usual !== null) counted = Math.min(end, now + Math.max(0, trip - usual));
          }
          record(counted);
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
      pausedUntil = Math.max(pausedUntil, Date.now() + Math.max(0, ms));
    },
    estimate(n) {
      const now = Date.now();
      // Requests in flight are taken as finishing now.
      const log = done.slice(firstAfter(done, now - longest));
      for (let i = 0; i < inFlight; i++) log.push(now);
      let last = now;
      for (let i = 0; i < n; i++) {
        last = earliest(now, log, 0) ?? now;
        if (log.length === 0 || (log[log.length - 1] as number) <= last) log.push(last);
        else log.splice(firstAfter(log, last), 0, last);
      }
      return Math.max(0, last - now);
    },
    get spent() {
      return spent;
    },
  };
}
