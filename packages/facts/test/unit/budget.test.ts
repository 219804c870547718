import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type BudgetOptions, createBudget } from "../../src/budget.js";
import { settle } from "../helpers/fake-time.js";

afterEach(() => {
  vi.useRealTimers();
});

const windowsArb = fc.array(
  fc.record({ requests: fc.integer({ min: 1, max: 4 }), windowMs: fc.integer({ min: 10, max: 80 }) }),
  { minLength: 1, maxLength: 3 },
);
const modeArb = fc.constantFrom<NonNullable<BudgetOptions["countFrom"]>>("adaptive", "response", "send");

/**
 * Sends one request per round trip in `trips` through a fresh budget, all at once, each holding its
 * request for its round trip; returns when each was let through, in fake milliseconds from the start.
 */
async function sendAll(options: BudgetOptions, trips: readonly number[]): Promise<number[]> {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  const budget = createBudget({ ...options, marginMs: 0 });
  const t0 = Date.now();
  const sent: number[] = [];
  const one = async (trip: number) => {
    const release = await budget.take();
    sent.push(Date.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, trip));
    release();
  };
  await settle(Promise.all(trips.map(one)));
  expect(budget.spent).toBe(trips.length);
  vi.useRealTimers();
  return sent.sort((a, b) => a - b);
}

describe("the request budget's promise, whatever the windows, counting mode and round trips", () => {
  it("never lets more than `requests` through in any `windowMs` of any window", async () => {
    await fc.assert(
      fc.asyncProperty(
        windowsArb,
        modeArb,
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 12 }),
        async (windows, countFrom, trips) => {
          const sent = await sendAll({ windows, countFrom }, trips);
          for (const w of windows)
            for (let i = w.requests; i < sent.length; i++)
              expect((sent[i] as number) - (sent[i - w.requests] as number)).toBeGreaterThanOrEqual(w.windowMs);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("estimates no wait for what fits at once, and never a negative or shrinking wait as more is asked for", () => {
    fc.assert(
      fc.property(windowsArb, modeArb, fc.integer({ min: 1, max: 500 }), (windows, countFrom, n) => {
        const budget = createBudget({ windows, countFrom, marginMs: 0, clock: { now: () => 1_000_000 } });
        const fits = Math.min(...windows.map((w) => w.requests));
        expect(budget.estimate(fits)).toBe(0);
        expect(budget.estimate(n)).toBeGreaterThanOrEqual(0);
        expect(budget.estimate(n + 1)).toBeGreaterThanOrEqual(budget.estimate(n));
      }),
    );
  });
});
