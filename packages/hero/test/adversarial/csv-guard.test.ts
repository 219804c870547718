/**
 * Regression suite of issue 14 §6: Hero's CSV and TSV exports hold no formula whatever separator a
 * spreadsheet splits on (`,` `;` tab, line breaks), checked by splitting the whole file on each.
 */
import type { TardyRecord } from "@rostersync/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { guardCell, renderExport } from "../../src/index.js";
import { config } from "../helpers/school.js";

const SEPARATORS = [",", ";", "\t", "\r", "\n"];
const FORMULA = /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/;
const NUMBER = /^-?\d+(\.\d+)?$/;

function formulaStarts(text: string): string[] {
  const found: string[] = [];
  for (const sep of SEPARATORS) {
    for (const piece of text.split(sep)) {
      const start = piece.replace(/^[\s"]*/, "");
      // A number the export wrote as a number (a negative one starts with "-") is not a formula.
      if (FORMULA.test(start) && !NUMBER.test(start.split(/[,;\t\r\n"]/)[0] ?? "")) found.push(piece);
    }
  }
  return found;
}

const hostile = fc.string({
  unit: fc.constantFrom("=", "+", "-", "@", ",", ";", "\t", "\r", "\n", '"', " ", "a", "K", "1", "|", "!", "'"),
  maxLength: 24,
});
const fields = [{ field: "studentSisId" }, { field: "studentName" }, { field: "minutesLate" }, { field: "comment" }];
const record = (values: TardyRecord["values"]): TardyRecord => ({ eventId: "e1", kind: "new", values });

describe("Hero export formula guard for any separator (issue 14 §6)", () => {
  it("defuses a formula after a semicolon or a line break", () => {
    expect(guardCell("Kim;=cmd|' /C calc'!A0")).toBe("Kim;'=cmd|' /C calc'!A0");
    const body = renderExport(config({ fields }), [
      record({ studentSisId: "1", studentName: "Kim;=cmd|' /C calc'!A0", minutesLate: -3, comment: "late\n@SUM(1)" }),
    ]).body;
    expect(formulaStarts(body)).toEqual([]);
  });

  it("property: no piece of a CSV or TSV export starts a formula, split on any separator", () => {
    fc.assert(
      fc.property(
        hostile,
        hostile,
        fc.integer({ min: -99, max: 99 }),
        hostile,
        fc.constantFrom("csv", "tsv"),
        (id, name, late, comment, format) => {
          const body = renderExport(config({ fields, format: format as "csv" | "tsv" }), [
            record({ studentSisId: id, studentName: name, minutesLate: late, comment }),
          ]).body;
          expect(formulaStarts(body)).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
