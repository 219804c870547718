import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { factsWorld } from "./life/facts-world.js";
import { type LifeSpec, live } from "./life/life.js";
import { memoryWorld, type YearEvents } from "./life/world.js";

/** Lives per run: 200 in CI (the README's test command); raise it with `RS_LIFE_RUNS` to search harder. */
const RUNS = Number(process.env.RS_LIFE_RUNS ?? 200);
const YEARS = Number(process.env.RS_LIFE_YEARS ?? 5);

const year: fc.Arbitrary<YearEvents> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  emailFixRate: fc.constantFrom(0, 0.3, 0.8),
  emailChangeRate: fc.constantFrom(0, 0.02, 0.05),
  enrolRate: fc.constantFrom(0, 0.5, 1),
  newSharedRate: fc.constantFrom(0, 0.01, 0.03),
});

const life: fc.Arbitrary<LifeSpec> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  size: fc.integer({ min: 40, max: 140 }),
  years: fc.array(year, { minLength: YEARS, maxLength: YEARS }),
  studentsDefaultSelection: fc.boolean(),
  parentsDefaultSelection: fc.boolean(),
  hoursYear: fc.integer({ min: 0, max: YEARS - 1 }),
  hoursPath: fc.constantFrom("setup" as const, "enable" as const),
  unselectRate: fc.constantFrom(0, 0.05, 0.15),
  reselectRate: fc.constantFrom(0, 0.3, 1),
  hourRate: fc.constantFrom(0.05, 0.2, 0.5),
  unattended: fc.array(fc.boolean(), { minLength: YEARS, maxLength: YEARS }),
});

describe("a school's life over several years (in-memory adapters)", () => {
  it(`keeps every invariant after every sync and push, over ${RUNS} lives of ${YEARS} years`, async () => {
    const totals = { added: 0, linked: 0, archived: 0, restored: 0, newRows: 0, hoursInFacts: 0, holds: 0, pushes: 0 };
    await fc.assert(
      fc.asyncProperty(life, async (spec) => {
        const world = memoryWorld(spec.seed, spec.size);
        const stats = await live(spec, world).finally(() => world.close());
        for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += stats[k];
      }),
      { numRuns: RUNS, endOnFailure: false },
    );
    // A simulation that never adds, links, archives or pushes anything would prove nothing.
    expect(totals.added).toBeGreaterThan(0);
    expect(totals.linked).toBeGreaterThan(0);
    expect(totals.archived).toBeGreaterThan(0);
    expect(totals.restored).toBeGreaterThan(0);
    expect(totals.newRows).toBeGreaterThan(0);
    expect(totals.hoursInFacts).toBeGreaterThan(0);
  }, 600_000);
});

describe("a school's life over HTTP (FACTS simulator, FACTS source and hours sink, SQLite store and directory)", () => {
  it(`keeps every invariant over ${YEARS} years`, async () => {
    const [spec] = fc.sample(life, { seed: Number(process.env.RS_LIFE_HTTP_SEED ?? 2026), numRuns: 1 }) as [LifeSpec];
    const world = await factsWorld(spec.seed, 160);
    try {
      // One life, so it must do a bit of everything: new students get accounts, hours go back from year 1.
      const stats = await live(
        {
          ...spec,
          studentsDefaultSelection: true,
          hoursYear: 1,
          hourRate: 0.3,
          unattended: spec.unattended.map((u, i) => u && i > 1),
        },
        world,
      );
      expect(stats.added + stats.linked).toBeGreaterThan(0);
      expect(stats.pushes).toBeGreaterThan(0);
    } finally {
      await world.close();
    }
  }, 300_000);
});
