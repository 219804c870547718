import { describe, expect, it } from "vitest";
import { filterRows, review } from "../src/review.js";
import { EMPTY_DECISIONS } from "../src/types.js";
import { inputOf, student } from "./test-fixtures.js";

describe("review", () => {
  const people = [
    student("1"),
    student("2", { email: null }),
    student("3", { status: "withdrawn" }),
    student("4", { gradeLevel: "K", schoolCode: "MAIN" }),
  ];
  const report = review(inputOf(people, [], { decisions: { ...EMPTY_DECISIONS, selections: { "4": false } } }));

  it("gives every person exactly one row and one status, in source order", () => {
    expect(report.rows.map((r) => [r.sourceId, r.status])).toEqual([
      ["1", "importable"],
      ["2", "excluded"],
      ["3", "out-of-scope"],
      ["4", "skipped"],
    ]);
    expect(report.role).toBe("student");
  });

  it("lists each row's family ids, siblings sharing one frozen list that no row can change for another", () => {
    const family = (sourceId: string, familyId: string) =>
      student(sourceId, { email: `${sourceId}@x.org`, families: [{ familyId }] });
    const rows = review(inputOf([family("1", "F1"), family("2", "F1"), family("3", "F2"), family("4", "F1")])).rows;
    expect(rows.map((r) => r.familyIds)).toEqual([["F1"], ["F1"], ["F2"], ["F1"]]);
    for (const r of rows) expect(Object.isFrozen(r.familyIds)).toBe(true);
    expect(rows[0]?.familyIds).toBe(rows[1]?.familyIds);
  });

  it("totals what the review page shows: users to sync, skip and exclude", () => {
    expect(report.totals).toEqual({
      people: 4,
      importable: 1,
      excluded: 1,
      skipped: 1,
      outOfScope: 1,
      duplicatesRed: 0,
      duplicatesGray: 0,
      missingEmails: 1,
      invalidEmails: 0,
      newPeople: 3,
      fixedPeople: 0,
      newErrors: 1,
      toSync: 1,
      toSkip: 1,
      toExclude: 1,
    });
  });

  it("filters rows by status, grade, school, flag and text", () => {
    expect(filterRows(report, { status: ["excluded", "skipped"] }).map((r) => r.sourceId)).toEqual(["2", "4"]);
    expect(filterRows(report, { gradeLevel: "K" }).map((r) => r.sourceId)).toEqual(["4"]);
    expect(filterRows(report, { schoolCode: "OTHER" })).toEqual([]);
    expect(filterRows(report, { flag: "red" }).map((r) => r.sourceId)).toEqual(["2"]);
    expect(filterRows(report, { search: "KID3" }).map((r) => r.sourceId)).toEqual(["3"]);
  });

  it("keeps the raw email beside the normalised one", () => {
    const row = review(inputOf([student("1", { email: " Kid@School.org " })])).rows[0];
    expect([row?.email, row?.rawEmail]).toEqual(["kid@school.org", " Kid@School.org "]);
  });
});
