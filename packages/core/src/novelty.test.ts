import { describe, expect, it } from "vitest";
import { markReviewed } from "./decisions.js";
import { errorFingerprint } from "./novelty.js";
import { filterRows, review } from "./review.js";
import { inputOf, parent, parentProfile, student } from "./test-fixtures.js";
import { EMPTY_DECISIONS } from "./types.js";

describe("New? (R5)", () => {
  it("marks people whose sourceId was never reviewed as new (R5)", () => {
    const first = review(inputOf([student("1"), student("2")]));
    expect(first.rows.every((r) => r.isNew)).toBe(true);
    const decisions = markReviewed(EMPTY_DECISIONS, first);
    const next = review(inputOf([student("1"), student("2"), student("3")], [], { decisions }));
    expect(next.rows.map((r) => [r.sourceId, r.isNew])).toEqual([
      ["1", false],
      ["2", false],
      ["3", true],
    ]);
    expect(next.totals.newPeople).toBe(1);
  });

  it("shows a reviewed parent who shares a family with a new parent as a family-context row (R5)", () => {
    const kid = student("1");
    const mum = parent("10", ["1"]);
    const profile = parentProfile();
    const decisions = markReviewed(EMPTY_DECISIONS, review(inputOf([kid, mum], [], { profile })));
    const stepdad = parent("11", ["1"], { families: [{ familyId: "F1", relationship: "Stepparent", parentOrder: 2 }] });
    const otherFamily = parent("20", ["1"], { families: [{ familyId: "F9", relationship: "Mother" }] });
    const report = review(inputOf([kid, mum, stepdad, otherFamily], [], { profile, decisions }));
    const rows = new Map(report.rows.map((r) => [r.sourceId, r]));
    expect(rows.get("10")).toMatchObject({ isNew: false, isFamilyContext: true });
    expect(rows.get("11")).toMatchObject({ isNew: true, isFamilyContext: false });
    expect(filterRows(report, { newOnly: true }).map((r) => r.sourceId)).toEqual(["10", "11", "20"]);
  });

  it("counts an error as new only when its fingerprint was not in the last reviewed report (R5)", () => {
    const year1 = inputOf([student("1", { email: null }), student("2")]);
    const report1 = review(year1);
    expect(report1.errorFingerprints).toEqual([errorFingerprint("missing-email", ["1"])]);
    const year2 = inputOf([student("1", { email: null }), student("2", { email: "" })], [], {
      lastRun: { sourceCount: 2, errorFingerprints: report1.errorFingerprints },
    });
    const report2 = review(year2);
    expect(report2.rows.map((r) => r.isNewError)).toEqual([false, true]);
    expect(filterRows(report2, { newErrorsOnly: true }).map((r) => r.sourceId)).toEqual(["2"]);
    expect(report2.totals.newErrors).toBe(1);
  });

  it("treats errors the admin marked reviewed as seen (R5)", () => {
    const input = inputOf([student("1", { email: "nope" })]);
    const decisions = markReviewed(EMPTY_DECISIONS, review(input));
    expect(review({ ...input, decisions }).totals.newErrors).toBe(0);
  });
});
