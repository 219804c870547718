import { describe, expect, it } from "vitest";
import {
  acknowledgeHold,
  decisionsBuilder,
  manualMerge,
  markReviewed,
  recordDefaults,
  removeMerge,
  resolveDuplicate,
  select,
  selectAll,
  unresolveDuplicate,
  unselect,
} from "../src/decisions.js";
import { review } from "../src/review.js";
import { EMPTY_DECISIONS } from "../src/types.js";
import { RosterInputError } from "../src/validate.js";
import { inputOf, student, studentProfile } from "./test-fixtures.js";

const people = [
  student("1", { gradeLevel: "11" }),
  student("2", { gradeLevel: "12" }),
  student("3", { gradeLevel: "12", email: "twins@mail.org" }),
  student("4", { gradeLevel: "12", email: "Twins@mail.org" }),
];
const report = review(inputOf(people));

describe("decisions", () => {
  it("selects and unselects one or many without touching the old decisions (R4)", () => {
    const one = unselect(EMPTY_DECISIONS, "1");
    const many = select(one, ["1", "2"]);
    expect(EMPTY_DECISIONS.selections).toEqual({});
    expect(one.selections).toEqual({ "1": false });
    expect(many.selections).toEqual({ "1": true, "2": true });
  });

  it("selects or unselects every row that matches a review filter (R4)", () => {
    const seniorsOff = selectAll(EMPTY_DECISIONS, report, { gradeLevel: "12" }, false);
    expect(seniorsOff.selections).toEqual({ "2": false, "3": false, "4": false });
  });

  it("records a duplicate resolution with the member set it was made for (R3)", () => {
    const d = resolveDuplicate(EMPTY_DECISIONS, " TWINS@mail.org", "4", report);
    expect(d.duplicates).toEqual({ "twins@mail.org": { chosen: "4", members: ["3", "4"] } });
    expect(unresolveDuplicate(d, "twins@mail.org").duplicates).toEqual({});
    expect(() => resolveDuplicate(EMPTY_DECISIONS, "twins@mail.org", "1", report)).toThrow(RosterInputError);
    expect(() => resolveDuplicate(EMPTY_DECISIONS, "nobody@mail.org", "1", report)).toThrow(RosterInputError);
  });

  it("keeps one manual merge per account (R6)", () => {
    const d = manualMerge(manualMerge(EMPTY_DECISIONS, "1", "acct-1"), "2", "acct-1");
    expect(d.merges).toEqual({ "2": "acct-1" });
    expect(removeMerge(d, "2").merges).toEqual({});
  });

  it("marks a review reviewed: its people and current errors are no longer new (R5)", () => {
    const d = markReviewed(EMPTY_DECISIONS, report);
    expect(d.reviewed).toEqual(["1", "2", "3", "4"]);
    expect(d.reviewedErrors).toEqual(report.errorFingerprints);
    expect(report.errorFingerprints).toHaveLength(1);
  });

  it("acknowledges a hold once per plan hash (R10)", () => {
    const d = acknowledgeHold(acknowledgeHold(EMPTY_DECISIONS, "abc"), "abc");
    expect(d.acknowledgedHolds).toEqual(["abc"]);
  });

  it("records the default selection of newly seen people so a later default change does not flip them (R4)", () => {
    const off = review(
      inputOf([student("1"), student("2")], [], { profile: studentProfile({ defaultSelection: false }) }),
    );
    const d = recordDefaults(select(EMPTY_DECISIONS, "2"), off);
    expect(d.selections).toEqual({ "1": false, "2": true });
    expect(review(inputOf([student("1")], [], { decisions: d })).rows[0]?.status).toBe("skipped");
  });

  it("chains helpers with decisionsBuilder(...).done()", () => {
    const d = decisionsBuilder(EMPTY_DECISIONS, report)
      .resolveDuplicate("twins@mail.org", "3")
      .unselect("4")
      .manualMerge("1", "acct-9")
      .acknowledgeHold("h1")
      .markReviewed()
      .done();
    expect(d.duplicates["twins@mail.org"]?.chosen).toBe("3");
    expect(d.selections).toEqual({ "4": false });
    expect(d.merges).toEqual({ "1": "acct-9" });
    expect(d.acknowledgedHolds).toEqual(["h1"]);
    expect(d.reviewed).toHaveLength(4);
    expect(() => decisionsBuilder(EMPTY_DECISIONS).markReviewed()).toThrow(RosterInputError);
  });
});
