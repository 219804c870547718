import { setupServer } from "msw/node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createFactsClient, createFactsSource } from "../../src/index.js";
import {
  createFactsSimulator,
  createRateLimiter,
  FACTS_RATE_LIMIT,
  factsHandlers,
  generateSchool,
} from "../../src/testing/index.js";
import { settle } from "../helpers/fake-time.js";
import { FAST, KEYS, useServers } from "./support.js";

const serve = useServers();

// Whether a limit is kept or exceeded is a matter of time: these tests run the simulator and the client on
// vitest's fake clock, so a loaded machine cannot change what they count (issue 14 §7).
afterEach(() => {
  vi.useRealTimers();
});

describe("the simulated rate limit", () => {
  it("defaults to FACTS's 100 per 60 s and 10 per second", () => {
    expect(createRateLimiter(FACTS_RATE_LIMIT).windows).toEqual([
      { requests: 100, windowMs: 60_000 },
      { requests: 10, windowMs: 1_000 },
    ]);
    const sim = createFactsSimulator({ school: generateSchool({ seed: 1, people: 100 }) });
    expect(sim.stats().windows).toEqual(FACTS_RATE_LIMIT);
  });

  it("admits exactly `requests` in a window and then answers 429 with Retry-After in whole seconds", async () => {
    const sim = createFactsSimulator({
      school: generateSchool({ seed: 1, people: 100 }),
      keys: KEYS,
      rateLimit: { windows: [{ requests: 5, windowMs: 1500 }] },
    });
    const { fetch } = await serve(sim);
    // Every arrival at the same fake instant: all eight fall in one window, however slow the machine.
    vi.useFakeTimers({ toFake: ["Date"] });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await fetch("/Families?api-version=1");
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get("retry-after");
        expect(await res.json()).toMatchObject({ statusCode: 429 });
      } else await res.text();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(retryAfter).toBe("2");
    expect(sim.stats()).toMatchObject({ requests: 8, rateLimited: 3, maxPerWindow: [5] });
  });

  // FACTS's per-second window as it is, and its minute window shrunk to 10 s (and below 10 a second, so
  // that it binds too, as FACTS's does).
  const scaledFacts = [
    { requests: 15, windowMs: 10_000 },
    { requests: 10, windowMs: 1000 },
  ];
  const tight = [
    { requests: 30, windowMs: 1500 },
    { requests: 6, windowMs: 200 },
  ];
  for (const [label, windows, countFrom, latencyMs] of [
    ["FACTS's second window and a 10 s minute, default counting", scaledFacts, undefined, 10],
    ["a 200 ms window, counted from responses", tight, "response", [5, 25]],
  ] as const) {
    it(`is never exceeded by the client at the same budget (${label}): no 429, busiest window within it`, async () => {
      const school = generateSchool({ seed: 9, people: 1500 });
      const sim = createFactsSimulator({ school, keys: KEYS, rateLimit: { windows }, latencyMs });
      // In process (msw) on the fake clock: the client's budget and the simulator's limiter see the same time.
      const baseUrl = "https://rate.facts.test";
      const msw = setupServer(...factsHandlers(sim, { baseUrl }));
      msw.listen();
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
      try {
        const client = createFactsClient({
          ...KEYS,
          baseUrl,
          ...FAST,
          budget: { windows, ...(countFrom === undefined ? {} : { countFrom }) },
          pageSize: countFrom === undefined ? 500 : 150,
          concurrency: 6,
        });
        const result = await settle(createFactsSource({ client }).read());
        expect(result._unsafeUnwrap().people).toEqual(school.expectedPeople);
        const stats = sim.stats();
        expect(stats.requests).toBeGreaterThan(windows[0]?.requests ?? 0);
        expect(stats.rateLimitedBy).toEqual(windows.map(() => 0));
        expect(stats.rateLimited).toBe(0);
        // Within the limit, and the limit was reached: the client used the budget, not a trickle of it.
        expect(stats.maxPerWindow).toEqual(windows.map((w) => w.requests));
      } finally {
        vi.useRealTimers();
        msw.close();
      }
    });
  }

  it("counts the 429s of a client that ignores the limit, which then waits Retry-After and still reads everything", async () => {
    const school = generateSchool({ seed: 9, people: 800 });
    const sim = createFactsSimulator({
      school,
      keys: KEYS,
      rateLimit: { windows: [{ requests: 4, windowMs: 500 }] },
    });
    const baseUrl = "https://greedy.facts.test";
    const msw = setupServer(...factsHandlers(sim, { baseUrl }));
    msw.listen();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const client = createFactsClient({ ...KEYS, baseUrl, ...FAST, pageSize: 200, concurrency: 8 });
      const result = await settle(createFactsSource({ client }).read());
      expect(result._unsafeUnwrap().people).toEqual(school.expectedPeople);
      expect(sim.stats().rateLimited).toBeGreaterThan(0);
      expect(client.stats().rateLimited).toBe(sim.stats().rateLimited);
    } finally {
      vi.useRealTimers();
      msw.close();
    }
    expect(sim.stats().maxPerWindow).toEqual([4]);
  });
});
