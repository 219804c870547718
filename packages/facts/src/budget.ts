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
   * Extra milliseconds added to each window, so clock skew and transit time between this process and
   * FACTS never push a request into a full window. Default 25.
   */
  readonly marginMs?: number | undefined;
}

/** The default FACTS budget (FACTS.md, Transport). */
export const DEFAULT_BUDGET: readonly BudgetWindow[] = Object.freeze([
  { requests: 100, windowMs: 60_000 },
  { requests: 10, windowMs: 1_000 },
]);

/**
 * A token bucket per window whose tokens come back exactly one window after they were spent, which is
 * what a rolling window allows: never more than `requests` in any `windowMs`, and no idle time when a
 * window has room. A `429` pauses every caller until its `Retry-After` has passed.
 */
export interface RequestBudget {
  /** Waits until one more request fits every window, then spends it. Rejects with the signal's reason on abort. */
  take(signal?: AbortSignal): Promise<void>;
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

/**
 * Creates a {@link RequestBudget}.
 *
 * @example
 * ```ts
 * const budget = createBudget({ windows: [{ requests: 100, windowMs: 60_000 }] });
 * await budget.take();
 * ```
 */
export function createBudget(options: BudgetOptions = {}): RequestBudget {
  const windows = (options.windows ?? DEFAULT_BUDGET).map((w) => ({
    requests: Math.max(1, Math.floor(w.requests)),
    windowMs: w.windowMs + (options.marginMs ?? 25),
  }));
  // Send times, oldest first; only as many as the largest window can need are kept.
  const keep = Math.max(...windows.map((w) => w.requests));
  const sent: number[] = [];
  let pausedUntil = 0;
  let spent = 0;
  let queue: Promise<void> = Promise.resolve();

  const earliest = (log: readonly number[], now: number): number => {
    let at = Math.max(now, pausedUntil);
    for (const w of windows) {
      if (log.length >= w.requests) {
        const oldest = log[log.length - w.requests] as number;
        at = Math.max(at, oldest + w.windowMs);
      }
    }
    return at;
  };

  const takeNow = async (signal?: AbortSignal): Promise<void> => {
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      const now = Date.now();
      const at = earliest(sent, now);
      if (at <= now) {
        sent.push(now);
        if (sent.length > keep * 2) sent.splice(0, sent.length - keep);
        spent++;
        return;
      }
      await sleep(at - now, signal);
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
      const log = sent.slice(-keep);
      let last = now;
      for (let i = 0; i < n; i++) {
        last = earliest(log, now);
        log.push(last);
      }
      return Math.max(0, last - now);
    },
    get spent() {
      return spent;
    },
  };
}
