import { describe, expect, it } from "vitest";
import { review } from "./review.js";
import { inputOf, parent, parentProfile, student, studentProfile } from "./test-fixtures.js";

const statusOf = (report: ReturnType<typeof review>, id: string) => {
  const row = report.rows.find((r) => r.sourceId === id);
  return [row?.status, row?.reasons[0] ?? null];
};

describe("scope (R2)", () => {
  it("keeps enrolled students of a selected school and grade, and says why the others are out (R2)", () => {
    const people = [
      student("1"),
      student("2", { schoolCode: "OTHER" }),
      student("3", { gradeLevel: "12" }),
      student("4", { status: "graduated" }),
      student("5", { gradeLevel: null }),
      parent("6", ["1"]),
    ];
    const report = review(inputOf(people, [], { profile: studentProfile({ gradeLevels: ["05"] }) }));
    expect(statusOf(report, "1")).toEqual(["importable", null]);
    expect(statusOf(report, "2")).toEqual(["out-of-scope", "school-not-selected"]);
    expect(statusOf(report, "3")).toEqual(["out-of-scope", "grade-not-selected"]);
    expect(statusOf(report, "4")).toEqual(["out-of-scope", "not-enrolled"]);
    expect(statusOf(report, "5")).toEqual(["out-of-scope", "grade-not-selected"]);
    expect(statusOf(report, "6")).toEqual(["out-of-scope", "wrong-role"]);
  });

  it("compares grade codes as strings: 08 is not 8 (R2)", () => {
    const report = review(
      inputOf([student("1", { gradeLevel: "8" })], [], { profile: studentProfile({ gradeLevels: ["08"] }) }),
    );
    expect(statusOf(report, "1")).toEqual(["out-of-scope", "grade-not-selected"]);
  });

  it("keeps a parent only with at least one in-scope child (R2)", () => {
    const people = [
      student("1", { gradeLevel: "12" }),
      student("2", { status: "withdrawn" }),
      student("3"),
      parent("10", ["1", "2"]),
      parent("11", ["2", "3"], { families: [{ familyId: "F2", relationship: "Father", listedFirst: true }] }),
      parent("12", ["99"], { families: [{ familyId: "F3", relationship: "Mother", listedFirst: true }] }),
    ];
    const report = review(inputOf(people, [], { profile: parentProfile({ gradeLevels: ["05"] }) }));
    expect(statusOf(report, "10")).toEqual(["out-of-scope", "no-child-in-scope"]);
    expect(statusOf(report, "11")).toEqual(["importable", null]);
    expect(statusOf(report, "12")).toEqual(["out-of-scope", "no-child-in-scope"]);
    expect(statusOf(report, "3")).toEqual(["out-of-scope", "wrong-role"]);
  });

  it("keeps mothers only when the subset says so, case-insensitively (R2)", () => {
    const people = [
      student("1"),
      parent("10", ["1"], {
        families: [{ familyId: "F1", relationship: "MOTHER", listedFirst: false, parentOrder: 2 }],
      }),
      parent("11", ["1"], {
        families: [{ familyId: "F1", relationship: "Father", listedFirst: true, parentOrder: 1 }],
      }),
      parent("12", ["1"], { families: [{ familyId: "F1", relationship: "Guardian", parentOrder: 3 }] }),
    ];
    const mothers = review(
      inputOf(people, [], { profile: parentProfile({ parentSubset: { relationships: ["mother"] } }) }),
    );
    expect(statusOf(mothers, "10")).toEqual(["importable", null]);
    expect(statusOf(mothers, "11")).toEqual(["out-of-scope", "relationship-not-selected"]);
    expect(statusOf(mothers, "12")).toEqual(["out-of-scope", "relationship-not-selected"]);
    const both = review(
      inputOf(people, [], { profile: parentProfile({ parentSubset: { relationships: ["Mother", "father"] } }) }),
    );
    expect(both.rows.filter((r) => r.status === "importable").map((r) => r.sourceId)).toEqual(["10", "11"]);
  });

  it("keeps only the first-listed parent of each family with listedFirstOnly (R2)", () => {
    const people = [
      student("1"),
      student("2", { families: [{ familyId: "F2" }] }),
      parent("10", ["1"], {
        families: [{ familyId: "F1", relationship: "Mother", listedFirst: true, parentOrder: 1 }],
      }),
      parent("11", ["1"], {
        families: [{ familyId: "F1", relationship: "Father", listedFirst: false, parentOrder: 2 }],
      }),
      // F2 has no listedFirst flags: the lowest parentOrder is first.
      parent("20", ["2"], { families: [{ familyId: "F2", relationship: "Father", parentOrder: 2 }] }),
      parent("21", ["2"], { families: [{ familyId: "F2", relationship: "Mother", parentOrder: 1 }] }),
    ];
    const report = review(inputOf(people, [], { profile: parentProfile({ parentSubset: { listedFirstOnly: true } }) }));
    expect(statusOf(report, "10")).toEqual(["importable", null]);
    expect(statusOf(report, "11")).toEqual(["out-of-scope", "not-listed-first"]);
    expect(statusOf(report, "20")).toEqual(["out-of-scope", "not-listed-first"]);
    expect(statusOf(report, "21")).toEqual(["importable", null]);
  });
});
