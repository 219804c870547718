import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FactsError } from "../../src/errors.js";
import { aborted, httpError, timeout } from "../../src/http-errors.js";
import {
  attemptWindow,
  backoffMs,
  earlierDeadline,
  nextStep,
  type RetryState,
  readDeadline,
  retryPolicy,
} from "../../src/retry.js";

const exact = retryPolicy({ jitter: (d) => d });
const state = (extra: Partial<RetryState> = {}): RetryState => ({
  method: "GET",
  endpoint: "/People",
  idempotent: true,
  retries: 0,
  limited: 0,
  deadline: undefined,
  ...extra,
});
const limited = (seconds: number) =>
  httpError({
    method: "GET",
    endpoint: "/People",
    status: 429,
    retryAfter: String(seconds),
    text: "",
    redact: (t) => t,
    now: 0,
  });
const server = httpError({
  method: "GET",
  endpoint: "/People",
  status: 503,
  retryAfter: null,
  text: "",
  redact: (t) => t,
  now: 0,
});

describe("retryPolicy and backoffMs", () => {
  it("fills the documented defaults", () => {
    const p = retryPolicy();
    expect(p).toMatchObject({
      limit: 3,
      baseDelayMs: 500,
      maxDelayMs: 20_000,
      rateLimitRetries: 8,
      maxRetryAfterMs: 300_000,
    });
  });

  it("doubles from the base and never passes the cap (before jitter)", () => {
    expect([0, 1, 2, 3].map((r) => backoffMs(exact, r))).toEqual([500, 1000, 2000, 4000]);
    fc.assert(
      fc.property(fc.nat(60), fc.nat(10_000), fc.nat(100_000), (retry, base, max) => {
        const p = retryPolicy({ baseDelayMs: base, maxDelayMs: max, jitter: (d) => d });
        const wait = backoffMs(p, retry);
        expect(wait).toBeGreaterThanOrEqual(0);
        expect(wait).toBeLessThanOrEqual(max);
      }),
    );
  });

  it("the default jitter waits between half and all of the delay", () => {
    const p = retryPolicy();
    for (let i = 0; i < 50; i++) {
      const wait = backoffMs(p, 2);
      expect(wait).toBeGreaterThanOrEqual(1000);
      expect(wait).toBeLessThanOrEqual(2000);
    }
  });
});

describe("nextStep: what a failed attempt leads to, at a given time", () => {
  it("never retries a cancelled request", () => {
    expect(nextStep(aborted("GET", "/People"), state(), exact, 0).kind).toBe("fail");
  });

  it("backs off a retryable failure of an idempotent request, up to the limit", () => {
    expect(nextStep(server, state(), exact, 0)).toEqual({ kind: "back-off", waitMs: 500 });
    expect(nextStep(server, state({ retries: 2 }), exact, 0)).toEqual({ kind: "back-off", waitMs: 2000 });
    expect(nextStep(server, state({ retries: 3 }), exact, 0).kind).toBe("fail");
  });

  it("never sends a POST again after a failure whose outcome is unknown", () => {
    expect(nextStep(server, state({ method: "POST", idempotent: false }), exact, 0).kind).toBe("fail");
    expect(nextStep(timeout("POST", "/x", 5), state({ method: "POST", idempotent: false }), exact, 0).kind).toBe(
      "fail",
    );
  });

  it("gives up rather than back off past the deadline", () => {
    const deadline = readDeadline(1000, 0);
    expect(nextStep(server, state({ deadline }), exact, 499).kind).toBe("back-off");
    expect(nextStep(server, state({ deadline }), exact, 500).kind).toBe("fail");
  });

  it("pauses on a 429, even for a POST, until the request met too many", () => {
    expect(nextStep(limited(2), state({ idempotent: false }), exact, 0)).toMatchObject({
      kind: "pause",
      waitMs: 2000,
      again: true,
    });
    expect(nextStep(limited(2), state({ limited: 7 }), exact, 0)).toMatchObject({ again: true });
    expect(nextStep(limited(2), state({ limited: 8 }), exact, 0)).toMatchObject({ kind: "pause", again: false });
  });

  it("hands a 429's wait back when it is longer than the client waits or the deadline allows", () => {
    const long = nextStep(limited(301), state(), exact, 0);
    expect(long).toMatchObject({ kind: "hand-back", waitMs: 301_000 });
    expect(long.kind === "hand-back" && long.error.message).toContain("retry.maxRetryAfterMs");
    const late = nextStep(limited(5), state({ deadline: readDeadline(4000, 0) }), exact, 0);
    expect(late).toMatchObject({ kind: "hand-back" });
    expect(late.kind === "hand-back" && late.error.message).toContain("deadline");
  });

  it("fails at once on what is neither retryable nor a 429", () => {
    const notFound: FactsError = httpError({
      method: "GET",
      endpoint: "/x",
      status: 404,
      retryAfter: null,
      text: "",
      redact: (t) => t,
      now: 0,
    });
    expect(nextStep(notFound, state(), exact, 0)).toEqual({ kind: "fail", error: notFound });
  });
});

describe("deadlines", () => {
  it("readDeadline counts from the now it is given", () => {
    expect(readDeadline(500, 1000)).toEqual({ at: 1500, timeoutMs: 500 });
    expect(readDeadline(-5, 1000)).toEqual({ at: 1000, timeoutMs: -5 });
  });

  it("earlierDeadline keeps the one that comes first, the given one on a tie", () => {
    const a = readDeadline(100, 0);
    const b = readDeadline(200, 0);
    const tie = readDeadline(100, 0);
    expect(earlierDeadline(a, b)).toBe(a);
    expect(earlierDeadline(b, a)).toBe(a);
    expect(earlierDeadline(a, tie)).toBe(a);
    expect(earlierDeadline(undefined, b)).toBe(b);
    expect(earlierDeadline(a, undefined)).toBe(a);
    expect(earlierDeadline(undefined, undefined)).toBeUndefined();
  });

  it("attemptWindow: the attempt's own timeout or what is left of the deadline, and nothing once it passed", () => {
    expect(attemptWindow("GET", "/x", undefined, 30_000, 0)).toEqual({
      late: false,
      attemptMs: 30_000,
      reportMs: 30_000,
    });
    const deadline = readDeadline(10_000, 0);
    expect(attemptWindow("GET", "/x", deadline, 30_000, 4000)).toEqual({
      late: false,
      attemptMs: 6000,
      reportMs: 10_000,
    });
    expect(attemptWindow("GET", "/x", deadline, 3000, 4000)).toEqual({ late: false, attemptMs: 3000, reportMs: 3000 });
    expect(attemptWindow("GET", "/x", deadline, 3000, 10_000)).toMatchObject({
      late: true,
      error: { type: "Timeout", timeoutMs: 10_000 },
    });
  });
});
