import { plan as makePlan, review as makeReview, type ReviewReport } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { stopAudit, unattendedVerdict } from "../../src/unattended.js";
import { heldInput, schoolInput } from "./inputs.js";

const withNewErrors = (report: ReviewReport, n: number): ReviewReport => ({
  ...report,
  rows: report.rows.map((r, i) => (i < n ? { ...r, isNewError: true } : { ...r, isNewError: false })),
});
const clean = (report: ReviewReport) => withNewErrors(report, 0);

describe("unattendedVerdict: an unattended run applies only when nothing needs a person (docs/applying.md)", () => {
  const input = schoolInput();
  const review = makeReview(input);
  const plan = makePlan(input);

  it("applies a plan with no hold and no new error on a school synced before", () => {
    expect(plan.holds).toEqual([]);
    expect(unattendedVerdict(clean(review), plan, false)).toBeNull();
  });

  it("never applies the school's first sync", () => {
    const stop = unattendedVerdict(clean(review), plan, true);
    expect(stop?.reasons).toEqual(["first-run"]);
    expect(stop?.message).toMatch(/never been synced by a person/);
  });

  it("stops for holds and new errors, naming both and counting each", () => {
    const held = heldInput();
    const heldPlan = makePlan(held);
    const stop = unattendedVerdict(withNewErrors(makeReview(held), 2), heldPlan, false);
    expect(stop?.reasons).toEqual(["holds", "new-errors"]);
    expect(stop?.newErrors).toHaveLength(2);
    expect(stop?.message).toBe(
      `Nothing was applied: ${heldPlan.holds.length} hold(s) to acknowledge and 2 new error(s) to review.`,
    );
  });

  it("lists every reason of a first sync, and audits the stop with the plan's counts", () => {
    const stop = unattendedVerdict(withNewErrors(review, 1), plan, true);
    expect(stop?.reasons).toEqual(["first-run", "new-errors"]);
    if (stop === null) return;
    expect(stopAudit(plan, stop)).toEqual({
      kind: "unattended-stopped",
      actor: "unattended",
      status: "stopped",
      planHash: plan.planHash,
      counts: { ...plan.counts, holds: 0, newErrors: 1 },
      outcomes: { reasons: ["first-run", "new-errors"], holds: [] },
      reason: stop.message,
    });
  });
});
