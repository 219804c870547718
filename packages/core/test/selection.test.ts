import { describe, expect, it } from "vitest";
import { select, unselect } from "../src/decisions.js";
import { plan } from "../src/plan.js";
import { review } from "../src/review.js";
import { isSelected } from "../src/selection.js";
import { EMPTY_DECISIONS } from "../src/types.js";
import { inputOf, linkedStudentAccount, student, studentProfile } from "./test-fixtures.js";

describe("selections (R4)", () => {
  it("gives newly seen people the profile's default selection (R4)", () => {
    const people = [student("1"), student("2")];
    const off = review(inputOf(people, [], { profile: studentProfile({ defaultSelection: false }) }));
    expect(off.rows.map((r) => [r.status, r.reasons[0], r.selected])).toEqual([
      ["skipped", "unselected", false],
      ["skipped", "unselected", false],
    ]);
    expect(off.totals.toSkip).toBe(2);
    const on = review(inputOf(people));
    expect(on.rows.map((r) => r.status)).toEqual(["importable", "importable"]);
  });

  it("keeps an unselected person skipped on every later sync until selected again (R4)", () => {
    const kid = student("1");
    let decisions = unselect(EMPTY_DECISIONS, "1");
    const year1 = inputOf([kid], [], { decisions });
    expect(plan(year1).actions.map((a) => a.actionId)).toEqual(["skip:1"]);
    const year2 = inputOf([{ ...kid, gradeLevel: "06" }], [], { decisions });
    expect(review(year2).rows[0]?.status).toBe("skipped");
    decisions = select(decisions, "1");
    expect(plan({ ...year2, decisions }).actions.map((a) => a.actionId)).toEqual(["add:1"]);
  });

  it("skips an unselected person's account instead of archiving or updating it (R4, R7)", () => {
    const kid = student("1", { fields: { homeroom: "6B" } });
    const input = inputOf([kid], [linkedStudentAccount("a1", student("1"))], {
      decisions: unselect(EMPTY_DECISIONS, "1"),
    });
    const actions = plan(input).actions;
    expect(actions).toEqual([
      { type: "skip", actionId: "skip:1", reasons: ["unselected", "skipped-linked"], sourceId: "1", accountId: "a1" },
    ]);
  });

  it("keeps skips and exclusions apart: an unselected person with a data error is excluded (R4)", () => {
    const report = review(inputOf([student("1", { email: null })], [], { decisions: unselect(EMPTY_DECISIONS, "1") }));
    expect(report.rows[0]?.status).toBe("excluded");
    expect(report.rows[0]?.selected).toBe(false);
    expect(report.totals).toMatchObject({ toSkip: 0, toExclude: 1 });
  });

  it("reads selections safely for ids that look like object keys (R4)", () => {
    expect(isSelected("constructor", EMPTY_DECISIONS, studentProfile({ defaultSelection: false }))).toBe(false);
  });
});
