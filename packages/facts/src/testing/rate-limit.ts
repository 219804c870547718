import { firstAfter } from "../sorted.js";

/** One rolling window of the simulated rate limit: at most `requests` in any `windowMs`. */
export interface RateLimitWindow {
  readonly requests: number;
  readonly windowMs: number;
}

/** The simulated subscription's rate limit. */
export interface RateLimitOptions {
  /** Default FACTS's: 100 per rolling 60 s and 10 per second. */
  readonly windows?: readonly RateLimitWindow[] | undefined;
}

/** FACTS's documented budget (FACTS.md, Transport). */
export const FACTS_RATE_LIMIT: readonly RateLimitWindow[] = Object.freeze([
  { requests: 100, windowMs: 60_000 },
  { requests: 10, windowMs: 1_000 },
]);

/** What the limiter decided about one arrival. */
export type Admission =
  | { readonly admitted: true }
  | {
      readonly admitted: false;
      readonly retryAfterSeconds: number;
      /** Indexes of the windows that were full. */
      readonly full: readonly number[];
    };

/** A rolling-window limiter that counts admitted arrivals and remembers the busiest window it saw. */
export interface RateLimiter {
  /** Admits (and counts) an arrival at `now`, or says how long to wait. */
  admit(now: number): Admission;
  readonly windows: readonly RateLimitWindow[];
  /** The most admitted requests seen in any rolling window, per window. */
  maxPerWindow(): number[];
  /** Forgets the counts (not the windows). */
  reset(): void;
}

/**
 * Creates a limiter. A request is counted when it arrives, before any latency, as an API gateway counts
 * it; a refused request is not counted. `windows: []` turns limiting off (arrivals are still measured
 * against FACTS's windows for `maxPerWindow`).
 */
export function createRateLimiter(windows: readonly RateLimitWindow[]): RateLimiter {
  const measured = windows.length === 0 ? FACTS_RATE_LIMIT : windows;
  const longest = Math.max(...measured.map((w) => w.windowMs));
  let arrivals: number[] = [];
  let max = measured.map(() => 0);
  return {
    windows: measured,
    admit(now) {
      const counts = measured.map((w) => arrivals.length - firstAfter(arrivals, now - w.windowMs));
      let wait = 0;
      const full: number[] = [];
      for (const [i, w] of windows.entries()) {
        const inWindow = counts[i] as number;
        if (inWindow >= w.requests) {
          full.push(i);
          // The slot frees when the oldest request of the window leaves it.
          const oldest = arrivals[arrivals.length - inWindow] as number;
          wait = Math.max(wait, oldest + w.windowMs - now);
        }
      }
      if (wait > 0) return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)), full };
      arrivals.push(now);
      max = max.map((m, i) => Math.max(m, (counts[i] as number) + 1));
      if (arrivals.length > 8192 && (arrivals[4096] as number) < now - longest) arrivals = arrivals.slice(4096);
      return { admitted: true };
    },
    maxPerWindow: () => [...max],
    reset() {
      arrivals = [];
      max = measured.map(() => 0);
    },
  };
}
