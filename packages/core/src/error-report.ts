/**
 * R12 — the error report: the excluded people as CSV (RFC 4180, CRLF line ends) for the admin to fix in
 * the SIS. Cells that a spreadsheet would run as a formula are defused with a leading `'`.
 *
 * @module
 */

import type { ReviewReport } from "./types.js";

/** The columns of the error report, in order. */
export const ERROR_REPORT_COLUMNS = ["sourceId", "name", "grade", "school", "familyId", "email", "reason"] as const;

/**
 * Where a spreadsheet may start a cell: the text's start, or just after any character some locale or import
 * dialog splits on (`,`, `;`, tab, CR, LF), past spaces and quotes; and the characters that make it a formula
 * there (`=`, `+`, `-`, `@` and their full-width forms).
 */
const FORMULA_AT = /(^|[,;\t\r\n])([\s"]*)([=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/g;

/**
 * A text made safe to open in a spreadsheet whatever separator it splits on (R12): every place a cell may
 * start — the text's start, or after a `,`, `;`, tab, CR or LF — that holds a formula character (past
 * spaces and quotes) gets a `'` before that character, and a text starting with a tab or CR gets a leading
 * `'` too. Opened with `;` as separator, `Kim;=cmd|' /C calc'!A0` stays text: `Kim;'=cmd|' /C calc'!A0`.
 *
 * @example
 * ```ts
 * guardFormulas("=1+1")       // "'=1+1"
 * guardFormulas("Kim;=cmd")   // "Kim;'=cmd"
 * guardFormulas("a\n@SUM(1)") // "a\n'@SUM(1)"
 * ```
 */
export function guardFormulas(value: string): string {
  const guarded = value.replace(FORMULA_AT, "$1$2'$3");
  const first = guarded.charCodeAt(0);
  return first === 9 || first === 13 ? `'${guarded}` : guarded;
}

/**
 * One CSV cell: guarded against formula injection for any separator ({@link guardFormulas}), then quoted
 * when it holds a comma, quote, CR or LF (quotes doubled).
 *
 * @example
 * ```ts
 * csvCell("=HYPERLINK(\"x\")") // "\"'=HYPERLINK(\"\"x\"\")\""
 * ```
 */
export function csvCell(value: string): string {
  const guarded = guardFormulas(value);
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/**
 * The error report of a review (R12): one line per excluded person, with a header line. Families are
 * joined with `;`, as are several reasons.
 *
 * @example
 * ```ts
 * await writeFile("errors.csv", errorReportCsv(report));
 * ```
 */
export function errorReportCsv(report: ReviewReport): string {
  const lines: string[] = [ERROR_REPORT_COLUMNS.join(",")];
  for (const row of report.rows) {
    if (row.status !== "excluded") continue;
    lines.push(
      [
        row.sourceId,
        `${row.firstName} ${row.lastName}`.trim(),
        row.gradeLevel ?? "",
        row.schoolCode,
        row.familyIds.join(";"),
        row.rawEmail ?? "",
        row.reasons.join(";"),
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}
