import {
  type Decisions,
  EMPTY_DECISIONS,
  review as makeReview,
  markReviewed,
  recordDefaults,
  select,
  unselect,
} from "@rostersync/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RunEnvelope } from "../../src/apply.js";
import { lastRunOf, recordRun, seenByRun } from "../../src/completion.js";
import { heldInput, schoolInput } from "./inputs.js";

/** The envelope an apply of the review of `input` keeps. */
function envelopeOf(decisions: Decisions, attended: boolean, seed: number): RunEnvelope {
  const input = { ...schoolInput(seed), decisions };
  const seen = seenByRun(makeReview(input), decisions, attended);
  return {
    tenantId: "school-1",
    plan: {} as never,
    reviewedIds: seen.reviewed,
    selections: seen.selections,
    errorFingerprints: seen.errors,
    withErrors: seen.withErrors,
    acknowledged: false,
  };
}

/** Decisions an admin may have made before: some selections, some people reviewed. */
const decisionsArb = fc
  .record({
    seed: fc.integer({ min: 1, max: 5 }),
    unselected: fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 6 }),
    selected: fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 6 }),
    reviewedFirst: fc.boolean(),
  })
  .map(({ seed, unselected, selected, reviewedFirst }) => {
    const ids = schoolInput(seed).people.map((p) => p.sourceId);
    const pick = (is: number[]) => is.map((i) => ids[i % ids.length] as string);
    let d = select(unselect(EMPTY_DECISIONS, pick(unselected)), pick(selected));
    if (reviewedFirst) d = markReviewed(d, makeReview({ ...schoolInput(seed), decisions: d }));
    return { seed, decisions: d };
  });

describe("what a completed run records is core's markReviewed and recordDefaults (R4, R5)", () => {
  it("records, for an attended run, exactly what markReviewed(recordDefaults(…)) records", () => {
    fc.assert(
      fc.property(decisionsArb, ({ seed, decisions }) => {
        const report = makeReview({ ...schoolInput(seed), decisions });
        const byCore = markReviewed(recordDefaults(decisions, report), report);
        expect(recordRun(decisions, envelopeOf(decisions, true, seed))).toEqual(byCore);
      }),
      { numRuns: 25 },
    );
  });

  it("records, for an unattended run, core's recordDefaults and the errors, and marks nobody reviewed", () => {
    fc.assert(
      fc.property(decisionsArb, ({ seed, decisions }) => {
        const report = makeReview({ ...schoolInput(seed), decisions });
        const after = recordRun(decisions, envelopeOf(decisions, false, seed));
        const defaults = recordDefaults(decisions, report);
        expect(after.selections).toEqual({ ...defaults.selections });
        expect(after.reviewed).toEqual([...decisions.reviewed].sort());
        expect(after.reviewedWithErrors).toEqual([...(decisions.reviewedWithErrors ?? [])].sort());
        expect(after.reviewedErrors).toEqual(
          [...new Set([...(decisions.reviewedErrors ?? []), ...report.errorFingerprints])].sort(),
        );
      }),
      { numRuns: 25 },
    );
  });
});

describe("lastRunOf: what the next plan's holds compare with (R10)", () => {
  it("keeps the counts of the plan it ran, and leaves out the counts the plan did not have", () => {
    const plan = { planHash: "h", sourceCount: 40, managedCount: 30, inScopeCount: 35 } as never;
    const envelope = { tenantId: "t", plan, errorFingerprints: ["e"] } as unknown as RunEnvelope;
    expect(lastRunOf(envelope, { finishedAt: "2026-01-01T00:00:00.000Z" })).toEqual({
      sourceCount: 40,
      errorFingerprints: ["e"],
      finishedAt: "2026-01-01T00:00:00.000Z",
      planHash: "h",
      managedCount: 30,
      inScopeCount: 35,
    });
    expect(heldInput().lastRun?.sourceCount).toBe(100_000);
  });
});
