import { describe, expect, it } from "vitest";
import { markReviewed, recordDefaults } from "../src/decisions.js";
import { errorFingerprint, recordSeen, seenInReview } from "../src/novelty.js";
import { filterRows, review } from "../src/review.js";
import { type Decisions, EMPTY_DECISIONS, type PlanInput, type SourcePerson } from "../src/types.js";
import { inputOf, parent, parentProfile, student, studentProfile } from "./test-fixtures.js";

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

  describe("reviewed = seen in scope", () => {
    const highSchool = { gradeLevels: ["09", "10", "11", "12"], defaultSelection: false };
    // Year 1: an 8th grader (outside 09–12), a Pre-Enrolled 10th grader, an enrolled 10th grader; a
    // parent each. Year 2: the 8th grader is promoted to 09, the Pre-Enrolled student is Enrolled.
    const year1: SourcePerson[] = [
      student("1", { gradeLevel: "08" }),
      student("2", { gradeLevel: "10", status: "inactive" }),
      student("3", { gradeLevel: "10" }),
      parent("11", ["1"], { families: [{ familyId: "F1", relationship: "Mother", listedFirst: true }] }),
      parent("12", ["2"], { families: [{ familyId: "F2", relationship: "Mother", listedFirst: true }] }),
      parent("13", ["3"], { families: [{ familyId: "F3", relationship: "Mother", listedFirst: true }] }),
    ];
    const year2: SourcePerson[] = year1.map((p) =>
      p.sourceId === "1" ? { ...p, gradeLevel: "09" } : p.sourceId === "2" ? { ...p, status: "enrolled" as const } : p,
    );
    /** Review year 1, record it as an apply does, review year 2. */
    const resync = (input1: PlanInput) => {
      const report1 = review(input1);
      const decisions: Decisions = markReviewed(recordDefaults(input1.decisions, report1), report1);
      return { decisions, report2: review({ ...input1, people: year2, decisions }) };
    };

    it("makes a student promoted into the synced grades, or Pre-Enrolled then Enrolled, New? and visibly skipped (R5)", () => {
      const { decisions, report2 } = resync(inputOf(year1, [], { profile: studentProfile(highSchool) }));
      expect(decisions.reviewed).toEqual(["3"]);
      const rows = new Map(report2.rows.map((r) => [r.sourceId, r]));
      expect(rows.get("1")).toMatchObject({ status: "skipped", isNew: true, selected: false });
      expect(rows.get("2")).toMatchObject({ status: "skipped", isNew: true, selected: false });
      expect(rows.get("3")).toMatchObject({ isNew: false });
      expect(filterRows(report2, { newOnly: true }).map((r) => r.sourceId)).toEqual(["1", "2"]);
      expect(report2.totals.newPeople).toBe(2);
    });

    it("makes the parents of students who enter the scope New? (R5)", () => {
      const profile = parentProfile(highSchool);
      const { decisions, report2 } = resync(inputOf(year1, [], { profile }));
      expect(decisions.reviewed).toEqual(["13"]);
      expect(filterRows(report2, { newOnly: true }).map((r) => [r.sourceId, r.isNew, r.status])).toEqual([
        ["11", true, "skipped"],
        ["12", true, "skipped"],
      ]);
    });

    it("records only in-scope rows, and the same through seenInReview + recordSeen as through markReviewed (R5)", () => {
      const input = inputOf(year1, [], { profile: studentProfile(highSchool) });
      const report = review(input);
      const seen = seenInReview(report, EMPTY_DECISIONS);
      expect(seen.reviewed).toEqual(["3"]);
      expect(seen.selections).toEqual({ "3": false });
      expect(recordSeen(EMPTY_DECISIONS, seen, { selections: false })).toEqual(markReviewed(EMPTY_DECISIONS, report));
      expect(recordSeen(EMPTY_DECISIONS, seen)).toEqual(markReviewed(recordDefaults(EMPTY_DECISIONS, report), report));
    });
  });

  describe("fixed data errors", () => {
    it("flags people whose data error was fixed since the last review and lists them with the new users (R5)", () => {
      const profile = studentProfile({ defaultSelection: false });
      const year1 = inputOf([student("1", { email: null }), student("2", { email: "bad" }), student("3")], [], {
        profile,
      });
      const report1 = review(year1);
      const decisions = markReviewed(recordDefaults(EMPTY_DECISIONS, report1), report1);
      expect(decisions.reviewedWithErrors).toEqual(["1", "2"]);
      // The admin adds 1's email in the SIS; 2 is still wrong.
      const year2 = { ...year1, people: [student("1"), student("2", { email: "bad" }), student("3")], decisions };
      const report2 = review(year2);
      const rows = new Map(report2.rows.map((r) => [r.sourceId, r]));
      expect(rows.get("1")).toMatchObject({ status: "skipped", isNew: false, isFixed: true });
      expect(rows.get("2")).toMatchObject({ status: "excluded", isFixed: false });
      expect(rows.get("3")).toMatchObject({ isFixed: false });
      expect(report2.totals.fixedPeople).toBe(1);
      expect(filterRows(report2, { newOnly: true }).map((r) => r.sourceId)).toEqual(["1"]);
      expect(filterRows(report2, report2.openOn).map((r) => r.sourceId)).toEqual(["1"]);
      // Once that review is recorded, the fix is no news any more.
      const year3 = { ...year2, decisions: markReviewed(decisions, report2) };
      expect(review(year3).rows.some((r) => r.isFixed)).toBe(false);
    });

    it("refuses a reviewedWithErrors that is not a list of ids, naming it", () => {
      const decisions = { ...EMPTY_DECISIONS, reviewedWithErrors: [1] } as unknown as Decisions;
      expect(() => review(inputOf([student("1")], [], { decisions }))).toThrow(/decisions\.reviewedWithErrors/);
    });

    it("does not call an error fixed when the person left the scope instead (R5)", () => {
      const year1 = inputOf([student("1", { email: null })]);
      const report1 = review(year1);
      const decisions = markReviewed(EMPTY_DECISIONS, report1);
      const report2 = review({ ...year1, people: [student("1", { status: "withdrawn" })], decisions });
      expect(report2.rows[0]).toMatchObject({ status: "out-of-scope", isFixed: false });
    });
  });

  describe("where the review opens", () => {
    it("opens a school's first review on everyone, and a re-sync on the new users and new errors (R5)", () => {
      const year1 = inputOf([student("1"), student("2", { email: null }), student("3")]);
      const report1 = review(year1);
      expect(report1.openOn).toEqual({});
      const decisions = markReviewed(recordDefaults(EMPTY_DECISIONS, report1), report1);
      const year2 = {
        ...year1,
        people: [student("1"), student("2", { email: null }), student("3", { email: "x" }), student("4")],
        decisions,
      };
      const report2 = review(year2);
      expect(report2.openOn).toEqual({ needsReview: true });
      // 3's error is new, 4 is a new user; 2's old error and 1 are not news.
      expect(filterRows(report2, report2.openOn).map((r) => r.sourceId)).toEqual(["3", "4"]);
    });

    it("opens on the new users after a sync that left nobody reviewed but has a last run (R5)", () => {
      const input = inputOf([student("1")], [], { lastRun: { sourceCount: 1, errorFingerprints: [] } });
      expect(review(input).openOn).toEqual({ needsReview: true });
    });
  });
});
