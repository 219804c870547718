import type { TardyRecord } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { csvCell, guardCell, renderExport } from "../src/index.js";
import { config } from "./helpers/school.js";

const record = (values: TardyRecord["values"]): TardyRecord => ({ eventId: "e1", kind: "new", values });
const fields = [
  { field: "studentSisId" },
  { field: "studentName" },
  { field: "minutesLate" },
  { field: "comment", header: "Note, free text" },
];

describe("rendering", () => {
  it("writes RFC 4180 CSV: header row, CRLF, quotes doubled, commas and line breaks quoted", () => {
    const body = renderExport(config({ fields }), [
      record({ studentSisId: "1001", studentName: "Lovelace, Ada", minutesLate: 7, comment: 'said "bus"\nlate' }),
      record({ studentSisId: "1002", studentName: "Hopper, Grace", minutesLate: null, comment: null }),
    ]).body;
    expect(body).toBe(
      'Student SIS ID,Student name,Minutes late,"Note, free text"\r\n' +
        '1001,"Lovelace, Ada",7,"said ""bus""\nlate"\r\n' +
        '1002,"Hopper, Grace",,\r\n',
    );
  });

  it("guards cells a spreadsheet would run as formulas (= + - @ tab CR), but not numbers", () => {
    for (const danger of ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
      expect(guardCell(danger)).toBe(`'${danger}`);
    expect(guardCell("ok=1")).toBe("ok=1");
    expect(csvCell(-3)).toBe("-3");
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell("\rcmd")).toBe(`"'\rcmd"`);
    const body = renderExport(config({ fields }), [
      record({ studentSisId: "=cmd|' /C calc'!A0", studentName: "x", minutesLate: 1, comment: "@SUM(1)" }),
    ]).body;
    expect(body.split("\r\n")[1]).toBe("'=cmd|' /C calc'!A0,x,1,'@SUM(1)");
  });

  it("writes TSV with the same guard, flattening tabs and line breaks that TSV cannot hold", () => {
    const file = renderExport(config({ fields, format: "tsv" }), [
      record({ studentSisId: "1001", studentName: "a\tb", minutesLate: 7, comment: "=x\nnext" }),
    ]);
    expect(file.mediaType).toContain("tab-separated");
    expect(file.body).toBe("Student SIS ID\tStudent name\tMinutes late\tNote, free text\n1001\ta b\t7\t'=x next\n");
  });

  it("writes JSON keyed by header with typed values", () => {
    const file = renderExport(config({ fields, format: "json" }), [
      record({ studentSisId: "1001", studentName: "Lovelace, Ada", minutesLate: 7, comment: null }),
    ]);
    expect(file.extension).toBe("json");
    expect(JSON.parse(file.body)).toEqual([
      { "Student SIS ID": "1001", "Student name": "Lovelace, Ada", "Minutes late": 7, "Note, free text": null },
    ]);
  });

  it("names columns after FACTS's attendance fields with the FACTS preset, unless a header is given", () => {
    const file = renderExport(
      config({
        preset: "facts",
        fields: [{ field: "studentSisId" }, { field: "date" }, { field: "externalReferenceCode", header: "Code" }],
      }),
      [],
    );
    expect(file.body).toBe("studentId,attendanceDate,Code\r\n");
  });
});
