// The budget's arithmetic without PostgreSQL: how many requests fit now and when the next one fits.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { roomIn } from "../src/budget.ts";

const NOW = 1_000_000;
const settings = fc.record({
  windows: fc.array(
    fc.record({ requests: fc.integer({ min: 1, max: 20 }), windowMs: fc.integer({ min: 1, max: 5000 }) }),
    {
      minLength: 1,
      maxLength: 3,
    },
  ),
  margin: fc.integer({ min: 0, max: 10 }),
});
// Response times up to the longest window back (and a few far older), ascending, none after now.
const times = fc
  .array(fc.integer({ min: NOW - 6000, max: NOW }), { maxLength: 60 })
  .map((t) => t.sort((a, b) => a - b));
const inFlight = fc.integer({ min: 0, max: 25 });

describe("the budget's room", () => {
  it("counts each window's finished requests inside it plus every request in flight", () => {
    fc.assert(
      fc.property(settings, times, inFlight, (s, t, flying) => {
        const { free, active } = roomIn(s, t, NOW, flying);
        const counts = s.windows.map((w) => t.filter((x) => x > NOW - (w.windowMs + s.margin)).length + flying);
        expect(active).toEqual(counts);
        expect(free).toBe(Math.max(0, Math.min(...s.windows.map((w, i) => w.requests - (counts[i] as number)))));
      }),
    );
  });

  it("answers now while there is room, and never a time in the past", () => {
    fc.assert(
      fc.property(settings, times, inFlight, (s, t, flying) => {
        const { free, at } = roomIn(s, t, NOW, flying);
        if (free > 0) expect(at).toBe(NOW);
        if (at !== null) expect(at).toBeGreaterThanOrEqual(NOW);
      }),
    );
  });

  it("waits for a response (null) exactly when the requests in flight alone fill a window", () => {
    fc.assert(
      fc.property(settings, times, inFlight, (s, t, flying) => {
        const { at } = roomIn(s, t, NOW, flying);
        expect(at === null).toBe(s.windows.some((w) => flying >= w.requests));
      }),
    );
  });

  it("has room at the time it names: the slot it waits for has really left every window by then", () => {
    fc.assert(
      fc.property(settings, times, inFlight, (s, t, flying) => {
        const { free, at } = roomIn(s, t, NOW, flying);
        if (free === 0 && at !== null) expect(roomIn(s, t, at, flying).free).toBeGreaterThan(0);
      }),
    );
  });
});
