import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkAttendance } from "../../src/testing/sim/attendance.js";
import {
  checkDateTime,
  checked,
  checkInteger,
  checkOptionalText,
  checkRequiredText,
  type Problem,
  TEXT_MAX,
} from "../../src/testing/sim/body-checks.js";
import { checkHour } from "../../src/testing/sim/service-hours.js";

/** Runs one check on a body and returns the problems it added. */
const problemsOf = (check: (problems: Problem[]) => unknown): Problem[] => {
  const problems: Problem[] = [];
  check(problems);
  return problems;
};

describe("the simulator's body checks, field by field, as FACTS's 400 names them", () => {
  it("keeps only the date of a date-time and refuses anything else", () => {
    for (const ok of ["2026-01-12T08:30", "2026-01-12T08:30:15.5", "2026-01-12T08:30:00Z", "2026-01-12T08:30:00+02:00"])
      expect(checkDateTime({ date: ok }, "date", [])).toBe("2026-01-12T00:00:00");
    for (const bad of ["2026-01-12", "12/01/2026", "", 20260112, null, undefined, ["2026-01-12T08:30"]]) {
      const problems: Problem[] = [];
      expect(checkDateTime({ date: bad }, "date", problems)).toBeNull();
      expect(problems).toEqual([{ target: "date", message: "date must be a date-time (YYYY-MM-DDThh:mm:ss)." }]);
    }
  });

  it("takes missing or null optional text, and refuses other types or text over the limit", () => {
    const long = "x".repeat(TEXT_MAX + 1);
    const body = { a: null, b: "fine", c: 7, d: long, e: { text: "no" } };
    expect(problemsOf((p) => checkOptionalText(body, ["a", "b", "c", "d", "e", "missing"], p))).toEqual([
      { target: "c", message: "c must be text." },
      { target: "d", message: `d is longer than ${TEXT_MAX} characters.` },
      { target: "e", message: "e must be text." },
    ]);
    expect(problemsOf((p) => checkOptionalText({ a: "x".repeat(TEXT_MAX) }, ["a"], p))).toEqual([]);
  });

  it("refuses blank, missing or overlong required text", () => {
    for (const bad of ["", "   ", null, undefined, 3])
      expect(problemsOf((p) => checkRequiredText({ d: bad }, "d", p))).toEqual([
        { target: "d", message: "d is required." },
      ]);
    expect(problemsOf((p) => checkRequiredText({ d: "x".repeat(TEXT_MAX + 1) }, "d", p))).toEqual([
      { target: "d", message: `d is longer than ${TEXT_MAX} characters.` },
    ]);
  });

  it("takes integers only", () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const problems = problemsOf((p) => checkInteger({ n: value }, "n", p));
        expect(problems.length === 0).toBe(typeof value === "number" && Number.isInteger(value));
      }),
    );
  });

  it("builds the value only when there is no problem", () => {
    let built = 0;
    const build = () => ++built;
    expect(checked([{ target: "x", message: "bad" }], build)).toEqual({
      problems: [{ target: "x", message: "bad" }],
      value: null,
    });
    expect(built).toBe(0);
    expect(checked([], build)).toEqual({ problems: [], value: 1 });
  });

  it("never throws on a hostile body, and lists every problem at once", () => {
    const state = {
      settings: { studentHoursId: "studentId" as const },
      studentIds: new Set([1]),
      personStudentIds: new Set<number>(),
      parentIds: new Set<number>(),
    } as Parameters<typeof checkHour>[0];
    fc.assert(
      fc.property(fc.anything(), (body) => {
        const hour = checkHour(state, "student", body, true);
        const attendance = checkAttendance(new Set([1]), body);
        for (const r of [hour, attendance]) expect(r.value === null).toBe(r.problems.length > 0);
      }),
    );
    const everything = checkAttendance(new Set([1]), { studentId: 2, classId: 1.5, attendanceDate: "x", column: "1" });
    expect(everything.problems.map((p) => p.target)).toEqual([
      "studentId",
      "classId",
      "attendanceDate",
      "column",
      "setByAdmin",
      "updated",
    ]);
  });
});
