import { describe, expect, it } from "vitest";
import { csvCell, errorReportCsv } from "../src/error-report.js";
import { review } from "../src/review.js";
import { inputOf, student } from "./test-fixtures.js";

describe("error report (R12)", () => {
  it("lists excluded people as RFC 4180 CSV with CRLF line ends (R12)", () => {
    const report = review(
      inputOf([
        student("1", { email: null, firstName: "Ann", lastName: "Lee, Jr.", gradeLevel: "05" }),
        student("2"),
        student("3", { email: 'say "hi"@x', families: [{ familyId: "F1" }, { familyId: "F2" }] }),
      ]),
    );
    expect(errorReportCsv(report)).toBe(
      "sourceId,name,grade,school,familyId,email,reason\r\n" +
        '1,"Ann Lee, Jr.",05,MAIN,F1,,missing-email\r\n' +
        '3,Kid3 Lee,05,MAIN,F1;F2,"say ""hi""@x",invalid-email\r\n',
    );
  });

  it("defuses cells a spreadsheet would run as formulas: = + - @ tab CR (R12)", () => {
    expect(["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "ok"].map(csvCell)).toEqual([
      "'=1+1",
      "'+1",
      "'-1",
      "'@SUM(A1)",
      "'\tx",
      '"\'\rx"',
      "ok",
    ]);
    const report = review(inputOf([student("1", { email: '=HYPERLINK("http://evil")', firstName: "@Ann" })]));
    const line = errorReportCsv(report).split("\r\n")[1];
    expect(line).toBe(`1,'@Ann Lee,05,MAIN,F1,"'=HYPERLINK(""http://evil"")",invalid-email`);
  });

  it("has only a header when nobody is excluded (R12)", () => {
    expect(errorReportCsv(review(inputOf([student("1")])))).toBe(
      "sourceId,name,grade,school,familyId,email,reason\r\n",
    );
  });
});
