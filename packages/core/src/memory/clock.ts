import type { Clock } from "../ports/clock.js";

/** A clock that always answers the same instant: for tests and replays. */
export function fixedClock(ms: number): Clock {
  return { now: () => ms };
}

/** A clock a test moves by hand. */
export interface ManualClock extends Clock {
  /** Move forward by `ms` milliseconds (negative moves back: DST and skew tests need it). */
  advance(ms: number): void;
  /** Jump to an absolute instant. */
  set(ms: number): void;
}

/**
 * A clock that only moves when told to, so that timeouts, leases and schedules can be tested without
 * waiting.
 *
 * @example
 * ```ts
 * const clock = manualClock(Date.UTC(2026, 8, 1));
 * clock.advance(60_000);
 * ```
 */
export function manualClock(startMs = 0): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advance(ms) {
      current += ms;
    },
    set(ms) {
      current = ms;
    },
  };
}
