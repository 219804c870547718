import { describe, expect, it } from "vitest";
import { plan } from "../src/plan.js";
import { review } from "../src/review.js";
import { account, inputOf, parent, parentProfile, student, studentProfile } from "./test-fixtures.js";

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

  describe("parents through any child", () => {
    // One family over two divisions: a 7th grader at the MS (the lower id) and a 10th grader at the HS.
    // A source that gives a parent one child's school would give these parents "MS".
    const people = [
      student("10", { schoolCode: "MS", gradeLevel: "07" }),
      student("20", { schoolCode: "HS", gradeLevel: "10" }),
      parent("100", ["10", "20"], { schoolCode: "MS" }),
      parent("101", ["10"], {
        schoolCode: "MS",
        families: [{ familyId: "F1", relationship: "Father", parentOrder: 2 }],
      }),
    ];
    const hsParents = parentProfile({ schools: ["HS"], gradeLevels: ["09", "10", "11", "12"] });

    it("keeps a parent whose in-scope child is in another division than the parent's school code (R2)", () => {
      const report = review(inputOf(people, [], { profile: hsParents }));
      expect(statusOf(report, "100")).toEqual(["importable", null]);
      expect(statusOf(report, "101")).toEqual(["out-of-scope", "no-child-in-scope"]);
    });

    it("shows on the parent's row which child put them in scope (R2)", () => {
      const hs = review(inputOf(people, [], { profile: hsParents }));
      expect(hs.rows.find((r) => r.sourceId === "100")?.scopeChildId).toBe("20");
      expect(hs.rows.find((r) => r.sourceId === "101")?.scopeChildId).toBeNull();
      const ms = review(inputOf(people, [], { profile: parentProfile({ schools: ["MS"] }) }));
      expect(ms.rows.find((r) => r.sourceId === "100")?.scopeChildId).toBe("10");
      expect(ms.rows.find((r) => r.sourceId === "20")?.scopeChildId).toBeNull();
    });

    it("keeps the subset rule on top of the child: a father-only profile still drops the mother (R2)", () => {
      const fathers = parentProfile({ schools: ["HS"], parentSubset: { relationships: ["father"] } });
      expect(statusOf(review(inputOf(people, [], { profile: fathers })), "100")).toEqual([
        "out-of-scope",
        "relationship-not-selected",
      ]);
    });

    it("never archives a linked parent whose in-scope child is in another division (R2, R7)", () => {
      const mum = people[2] as (typeof people)[number];
      const linked = account("a100", {
        email: mum.email ?? "",
        sourceId: "100",
        firstName: mum.firstName,
        lastName: mum.lastName,
      });
      const p = plan(inputOf(people, [linked], { profile: hsParents }));
      expect(p.actions.filter((a) => a.type === "archive")).toEqual([]);
    });
  });
});
