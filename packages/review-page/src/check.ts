/**
 * The review page's input check: a `ReviewReport` may come from anywhere (a queue, a file, a host's own
 * code), so its enums and counts are checked before any of it is written into the page.
 *
 * @module
 */

import {
  FLAGS,
  type InputProblem,
  REASONS,
  REVIEW_STATUSES,
  type ReviewReport,
  ROLES,
  RosterInputError,
} from "@rostersync/core";

const STATUSES: ReadonlySet<unknown> = new Set(REVIEW_STATUSES);
const FLAG_SET: ReadonlySet<unknown> = new Set(FLAGS);
const REASON_SET: ReadonlySet<unknown> = new Set(REASONS);
const ROLE_SET: ReadonlySet<unknown> = new Set(ROLES);

const TOTALS = [
  "people",
  "importable",
  "excluded",
  "skipped",
  "outOfScope",
  "duplicatesRed",
  "duplicatesGray",
  "missingEmails",
  "invalidEmails",
  "newPeople",
  "newErrors",
] as const;

/**
 * Every problem that would keep `report` from being rendered safely: a role, status, flag or reason that is
 * not one of core's (`ROLES`, `REVIEW_STATUSES`, `FLAGS`, `REASONS`), a count that is not a non-negative
 * integer. An empty list means {@link renderReviewHtml} accepts it.
 *
 * @example
 * ```ts
 * const problems = checkReviewReport(JSON.parse(body));
 * if (problems.length > 0) console.table(problems);
 * ```
 */
export function checkReviewReport(report: ReviewReport): InputProblem[] {
  const problems: InputProblem[] = [];
  const at = (record: string, path: string, message: string) => problems.push({ record, path, message });
  if (report === null || typeof report !== "object")
    return [{ record: "report", path: "", message: "must be an object" }];
  if (!ROLE_SET.has(report.role)) at("report", "role", `must be one of ${ROLES.join(", ")}`);
  const totals: unknown = report.totals;
  if (totals === null || typeof totals !== "object") at("report", "totals", "must be an object");
  else {
    for (const name of TOTALS) {
      const v = (totals as Record<string, unknown>)[name];
      if (!Number.isSafeInteger(v) || (v as number) < 0)
        at("report", `totals.${name}`, "must be a non-negative integer");
    }
  }
  if (!Array.isArray(report.rows)) {
    at("report", "rows", "must be an array");
    return problems;
  }
  report.rows.forEach((row, i) => {
    const record = `row ${i}`;
    if (row === null || typeof row !== "object") {
      at(record, `rows[${i}]`, "must be an object");
      return;
    }
    if (!STATUSES.has(row.status)) at(record, `rows[${i}].status`, `must be one of ${REVIEW_STATUSES.join(", ")}`);
    if (row.flag !== null && !FLAG_SET.has(row.flag))
      at(record, `rows[${i}].flag`, `must be null or one of ${FLAGS.join(", ")}`);
    if (!Array.isArray(row.reasons)) at(record, `rows[${i}].reasons`, "must be an array");
    else {
      (row.reasons as readonly unknown[]).forEach((reason: unknown, k: number) => {
        if (!REASON_SET.has(reason)) at(record, `rows[${i}].reasons[${k}]`, "is not a known reason");
      });
    }
  });
  return problems;
}

/** Throws {@link RosterInputError} listing every problem of `report` (see {@link checkReviewReport}). */
export function assertReviewReport(report: ReviewReport): void {
  const problems = checkReviewReport(report);
  if (problems.length > 0) throw new RosterInputError(problems);
}
