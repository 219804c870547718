/**
 * When the client sends a request again, waits, or gives up, as pure functions of what happened and the
 * time: the retry policy with its defaults, the backoff, what a failed attempt leads to, and the deadlines
 * that bound an attempt and a whole paged read. The client does the waiting; these only decide.
 *
 * @module
 */
import type { FactsError, RateLimitedError } from "./errors.js";
import { timeout } from "./http-errors.js";

/** How reads are retried. Writes that are not idempotent (POST) are never retried blindly. */
export interface RetryOptions {
  /** Retries after the first attempt for network errors, timeouts and `5xx`. Default 3. */
  readonly limit?: number | undefined;
  /** First backoff delay; doubles with each retry. Default 500 ms. */
  readonly baseDelayMs?: number | undefined;
  /** Longest backoff delay. Default 20 s. */
  readonly maxDelayMs?: number | undefined;
  /** Maps a backoff delay to the delay actually waited. Default: uniformly between half and all of it. */
  readonly jitter?: ((delayMs: number) => number) | undefined;
  /** How many `429`s one request may meet before it fails with `RateLimited`. Default 8. */
  readonly rateLimitRetries?: number | undefined;
  /**
   * The longest `Retry-After` the client waits (seconds or an HTTP date). A longer one fails the request at
   * once with `RateLimited` carrying the wait, so the host can reschedule instead of holding a lock. Default
   * 5 minutes.
   */
  readonly maxRetryAfterMs?: number | undefined;
}

/** {@link RetryOptions} with every default filled in. */
export interface RetryPolicy {
  readonly limit: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: (delayMs: number) => number;
  readonly rateLimitRetries: number;
  readonly maxRetryAfterMs: number;
}

/** The default jitter: uniformly between half and all of the delay. */
const halfJitter = (d: number) => d / 2 + (Math.random() * d) / 2;

/**
 * The policy the client follows for these options.
 *
 * @example
 * ```ts
 * retryPolicy({ limit: 0 }).rateLimitRetries; // 8
 * ```
 */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  return {
    limit: options.limit ?? 3,
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 20_000,
    jitter: options.jitter ?? halfJitter,
    rateLimitRetries: options.rateLimitRetries ?? 8,
    maxRetryAfterMs: Math.max(0, options.maxRetryAfterMs ?? 300_000),
  };
}

/** The wait before retry number `retry` (0 for the first): doubling from the base, capped, then jittered. */
export function backoffMs(policy: RetryPolicy, retry: number): number {
  return Math.max(0, policy.jitter(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry)));
}

/** When a read must be over: an absolute time (the client's clock) and the limit it came from, for the error. */
export interface ReadDeadline {
  /** Epoch milliseconds after which the read fails with `Timeout`. */
  readonly at: number;
  /** The overall limit this deadline was made from (reported as the error's `timeoutMs`). */
  readonly timeoutMs: number;
}

/**
 * A {@link ReadDeadline} `timeoutMs` after `now`: pass the same one to every read of an operation so that
 * the whole operation, not each read, is bounded.
 *
 * @example
 * ```ts
 * const deadline = readDeadline(60_000, clock.now());
 * await client.list("/People", personSchema, { deadline });
 * ```
 */
export function readDeadline(timeoutMs: number, now: number): ReadDeadline {
  return { at: now + Math.max(0, timeoutMs), timeoutMs };
}

/** The deadline that comes first; `undefined` when neither is set. On a tie, `given`. */
export function earlierDeadline(
  given: ReadDeadline | undefined,
  own: ReadDeadline | undefined,
): ReadDeadline | undefined {
  return own === undefined || (given !== undefined && given.at <= own.at) ? given : own;
}

/** How long one attempt may take: its own timeout or what is left of the deadline, whichever is shorter. */
export type AttemptWindow =
  /** The deadline has passed: nothing is sent. */
  | { readonly late: true; readonly error: FactsError }
  /** Send, aborting after `attemptMs`; a timeout is reported as `reportMs` (the limit that was reached). */
  | { readonly late: false; readonly attemptMs: number; readonly reportMs: number };

/** The {@link AttemptWindow} of an attempt starting at `now`. */
export function attemptWindow(
  method: string,
  endpoint: string,
  deadline: ReadDeadline | undefined,
  timeoutMs: number,
  now: number,
): AttemptWindow {
  const left = deadline === undefined ? Number.POSITIVE_INFINITY : deadline.at - now;
  if (left <= 0) return { late: true, error: timeout(method, endpoint, deadline?.timeoutMs ?? timeoutMs) };
  // The attempt ends at its own timeout or at the read's deadline, whichever comes first.
  const bounded = left < timeoutMs;
  return {
    late: false,
    attemptMs: bounded ? left : timeoutMs,
    reportMs: bounded ? (deadline?.timeoutMs ?? timeoutMs) : timeoutMs,
  };
}

/** Where one request stands after some failed attempts. */
export interface RetryState {
  readonly method: string;
  readonly endpoint: string;
  /** Safe to send twice (not a POST, unless the caller says so). */
  readonly idempotent: boolean;
  /** Retries already made after network errors, timeouts and `5xx`. */
  readonly retries: number;
  /** `429`s already met. */
  readonly limited: number;
  readonly deadline: ReadDeadline | undefined;
}

/** What a failed attempt leads to. */
export type NextStep =
  /** Stop: the request fails with `error`. */
  | { readonly kind: "fail"; readonly error: FactsError }
  /**
   * A `429` asking for longer than the client waits or the deadline allows: fail at once with `error`, whose
   * message says so, and hand the wait back to the caller.
   */
  | { readonly kind: "hand-back"; readonly error: RateLimitedError; readonly waitMs: number }
  /**
   * A `429` within bounds: pause the shared budget for `waitMs`; send again when `again`, else fail with
   * `error` (the request met too many).
   */
  | { readonly kind: "pause"; readonly waitMs: number; readonly again: boolean; readonly error: RateLimitedError }
  /** A retryable failure of an idempotent request: wait `waitMs`, then send again. */
  | { readonly kind: "back-off"; readonly waitMs: number };

/**
 * What a failed attempt leads to, at time `now`. A `429` is refused before FACTS does anything, so even a
 * POST may be sent again after it; any other failure is retried only when retryable, idempotent, within
 * `limit`, and when the backoff ends before the deadline. `Aborted` is never retried.
 *
 * @example
 * ```ts
 * const step = nextStep(error, { method: "GET", endpoint: "/People", idempotent: true, retries: 0, limited: 0, deadline: undefined }, retryPolicy(), clock.now());
 * if (step.kind === "back-off") await sleep(step.waitMs);
 * ```
 */
export function nextStep(error: FactsError, state: RetryState, policy: RetryPolicy, now: number): NextStep {
  const { method, endpoint, deadline } = state;
  if (error.type === "Aborted") return { kind: "fail", error };
  if (error.type === "RateLimited") {
    const wait = error.retryAfterMs;
    const tooLong = wait > policy.maxRetryAfterMs;
    const pastDeadline = deadline !== undefined && now + wait > deadline.at;
    if (tooLong || pastDeadline) {
      // Waiting would hold the caller (and any lock it holds) for too long: hand the wait back instead.
      return {
        kind: "hand-back",
        waitMs: wait,
        error: {
          ...error,
          message: `FACTS rate limit reached on ${method} ${endpoint}; it asked to wait ${Math.ceil(wait / 1000)} s, longer than ${
            tooLong
              ? `this client waits (${Math.ceil(policy.maxRetryAfterMs / 1000)} s, retry.maxRetryAfterMs)`
              : "the read's deadline allows"
          }. Try again after that.`,
        },
      };
    }
    return { kind: "pause", waitMs: wait, again: state.limited < policy.rateLimitRetries, error };
  }
  if (error.retryable && state.idempotent && state.retries < policy.limit) {
    const wait = backoffMs(policy, state.retries);
    if (deadline !== undefined && now + wait >= deadline.at) return { kind: "fail", error };
    return { kind: "back-off", waitMs: wait };
  }
  return { kind: "fail", error };
}
