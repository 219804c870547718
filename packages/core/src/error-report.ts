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
 * One CSV cell: guarded against formula injection (a leading `=`, `+`, `-`, `@`, tab or CR gets a `'`),
 * then quoted when it holds a comma, quote, CR or LF (quotes doubled).
 *
 * @example
 * ```ts
 * csvCell("=HYPERLINK(\"x\")") // "\"'=HYPERLINK(\"\"x\"\")\""
 * ```
 */
export function csvCell(value: string): string {
  const first = value.charCodeAt(0);
  const guarded =
    first === 61 || first === 43 || first === 45 || first === 64 || first === 9 || first === 13 ? `'${value}` : value;
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
