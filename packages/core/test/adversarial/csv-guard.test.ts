/**
 * Regression suite of issue 14 §6: the error report's formula guard holds whatever separator a spreadsheet
 * splits on (`,` `;` tab, line breaks), checked by splitting the whole file on each.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvCell, errorReportCsv, guardFormulas } from "../../src/error-report.js";
import { review } from "../../src/review.js";
import { inputOf, student } from "../test-fixtures.js";

const SEPARATORS = [",", ";", "\t", "\r", "\n"];
const FORMULA = /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/;

/** Every piece of `text`, split on each separator, that a spreadsheet would start as a formula. */
export function formulaStarts(text: string): string[] {
  const found: string[] = [];
  for (const sep of SEPARATORS) {
    for (const piece of text.split(sep)) if (FORMULA.test(piece.replace(/^[\s"]*/, ""))) found.push(piece);
  }
  return found;
}

const hostile = fc.string({
  unit: fc.constantFrom(
    "=",
    "+",
    "-",
    "@",
    ",",
    ";",
    "\t",
    "\r",
    "\n",
    '"',
    " ",
    "a",
    "K",
    "1",
    "|",
    "!",
    "'",
    "\uFF1D",
  ),
  maxLength: 24,
});

describe("CSV formula guard for any separator (R12, issue 14 §6)", () => {
  it("defuses the issue's cases", () => {
    expect(guardFormulas("Kim;=cmd|' /C calc'!A0")).toBe("Kim;'=cmd|' /C calc'!A0");
    expect(guardFormulas("Kim\n=cmd")).toBe("Kim\n'=cmd");
    expect(guardFormulas("Kim\t+1")).toBe("Kim\t'+1");
    expect(guardFormulas('a, "=1')).toBe(`a, "'=1`);
    expect(guardFormulas("ok=1;a-b")).toBe("ok=1;a-b");
    expect(formulaStarts(csvCell("Kim;=cmd"))).toEqual([]);
  });

  it("property: no piece of a guarded cell starts a formula, split on any separator", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(formulaStarts(csvCell(text))).toEqual([]);
        // The guard only adds quotes-marks: the text is still there.
        expect(guardFormulas(text).replaceAll("'", "")).toBe(text.replaceAll("'", ""));
      }),
      { numRuns: 1000 },
    );
  });

  it("property: the whole error report holds no formula, whatever the SIS's names and emails", () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, (firstName, lastName, email) => {
        const report = review(inputOf([student("1", { firstName, lastName, email: `${email}@` })]));
        expect(formulaStarts(errorReportCsv(report))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
