import type { Clock } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { createBudget } from "../../src/budget.js";
import { createFactsClient } from "../../src/client.js";
import { personSchema } from "../../src/schemas.js";

/** A clock that only moves when told to. */
const manual = (start = 1_000_000): Clock & { advance(ms: number): void } => {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
  };
};

const page = (results: unknown[]) =>
  new Response(JSON.stringify({ results, currentPage: 1, pageCount: 1, pageSize: 1000, rowCount: results.length }), {
    status: 200,
    headers: { "content-type": "application/json" },
  });

describe("time comes from the injected clock, never from Date.now()", () => {
  it("a budget paused by a 429 counts the pause on its own clock", () => {
    const clock = manual();
    const budget = createBudget({ windows: [{ requests: 100, windowMs: 1000 }], marginMs: 0, clock });
    budget.pause(5000);
    expect(budget.estimate(1)).toBe(5000);
    clock.advance(4000);
    expect(budget.estimate(1)).toBe(1000);
  });

  it("a client's read deadline is measured on its clock: a clock past it fails the read without waiting", async () => {
    const clock = manual();
    let calls = 0;
    const client = createFactsClient({
      subscriptionKey: "s",
      apiKey: "k",
      baseUrl: "https://facts.test",
      clock,
      readTimeoutMs: 60_000,
      retry: { limit: 3, baseDelayMs: 1, jitter: (d) => d },
      fetch: async () => {
        calls++;
        // The answer arrives after the read's deadline on the client's clock.
        clock.advance(120_000);
        return new Response("", { status: 503 });
      },
    });
    const error = (await client.list("/People", personSchema))._unsafeUnwrapErr();
    // Without the clock, the 503 would be retried three times on the system clock.
    expect(calls).toBe(1);
    expect(error.type).toBe("ServerError");
    expect(client.clock).toBe(clock);
  });

  it("an HTTP-date Retry-After is read against the client's clock", async () => {
    const clock = manual(Date.parse("Wed, 21 Oct 2015 07:27:00 GMT"));
    const client = createFactsClient({
      subscriptionKey: "s",
      apiKey: "k",
      baseUrl: "https://facts.test",
      clock,
      retry: { maxRetryAfterMs: 10_000 },
      fetch: async () => new Response("", { status: 429, headers: { "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" } }),
    });
    const error = (await client.request("GET", "/People"))._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "RateLimited", retryAfterMs: 60_000 });
  });

  it("reads a page through an injected fetch without any server", async () => {
    const client = createFactsClient({
      subscriptionKey: "s",
      apiKey: "k",
      baseUrl: "https://facts.test",
      clock: manual(),
      fetch: async () => page([{ personId: 1 }]),
    });
    expect((await client.list("/People", personSchema))._unsafeUnwrap()).toEqual([{ personId: 1 }]);
  });
});
