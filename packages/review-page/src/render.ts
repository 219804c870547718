/**
 * `renderReviewHtml`: the review report as one self-contained HTML document.
 *
 * @module
 */

import { errorReportCsv, type Reason, type ReviewReport, type ReviewRow, type ReviewStatus } from "@rostersync/core";
import { SCRIPT, STYLE } from "./assets.js";
import { assertReviewReport } from "./check.js";
import { SCRIPT_SHA256, STYLE_SHA256 } from "./csp.js";
import { escapeHtml, scriptSafeJson } from "./escape.js";
import { pageHead } from "./head.js";

/** What the page says about itself. Everything is optional; nothing is read from a clock or the machine. */
export interface ReviewPageOptions {
  /** The page's heading and `<title>`. Default `"Roster review"`. */
  readonly title?: string | undefined;
  /** Shown under the heading, e.g. `"Riverside Academy"`. */
  readonly schoolName?: string | undefined;
  /**
   * When the report was made, shown under the heading. A `Date` is written in UTC (ISO 8601); a string is
   * shown as given. Without it the page names no time, so the same report always gives the same page.
   */
  readonly generatedAt?: Date | string | undefined;
  /** The name the error report downloads as. Default `"error-report.csv"`. */
  readonly errorReportFileName?: string | undefined;
}

// Only this page's own style and script may run; an injected element would be refused even if an escape were
// ever missed. `img-src`/`connect-src` stay closed: the page needs no network.
const PAGE_POLICY = `default-src 'none'; style-src '${STYLE_SHA256}'; script-src '${SCRIPT_SHA256}'; base-uri 'none'; form-action 'none'`;

const STATUS_LABELS: Readonly<Record<ReviewStatus, string>> = {
  importable: "Importable",
  excluded: "Excluded",
  skipped: "Skipped",
  "out-of-scope": "Out of scope",
};

const REASON_LABELS: Readonly<Partial<Record<Reason, string>>> = {
  "missing-email": "Missing email",
  "invalid-email": "Invalid email",
  "duplicate-unresolved": "Email shared with another person (unresolved)",
  "duplicate-other-selected": "Email shared; another person was selected",
  "email-in-use": "Email used by another account",
  unselected: "Unselected",
  "wrong-role": "Other user type",
  "school-not-selected": "School not selected",
  "grade-not-selected": "Grade not selected",
  "not-enrolled": "Not enrolled",
  "no-child-in-scope": "No child in scope",
  "relationship-not-selected": "Relationship not selected",
  "not-listed-first": "Not listed first",
};

/** Why a flag is raised, in the words of the review page (seeds, 003). */
function flagText(row: ReviewRow): string {
  const reason = row.reasons[0];
  if (row.flag === "gray") return "Resolved duplicate";
  switch (reason) {
    case "duplicate-unresolved":
      return "Duplicate email";
    case "missing-email":
      return "Missing email";
    case "invalid-email":
      return "Invalid email";
    case "email-in-use":
      return "Email in use";
    default:
      return "Needs a look";
  }
}

/** Grade codes in school order: K-style codes (not numbers) first, then numbers ascending. */
function compareGrades(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na !== nb) return na ? 1 : -1;
  return na ? Number(a) - Number(b) || a.localeCompare(b) : a < b ? -1 : a > b ? 1 : 0;
}

function isoUtc(date: Date): { datetime: string; text: string } {
  const datetime = date.toISOString();
  return { datetime, text: `${datetime.slice(0, 10)} ${datetime.slice(11, 16)} UTC` };
}

function count(name: string, value: number, label: string, extra = ""): string {
  return `<li class="count${extra}" data-count="${name}"><span class="n">${escapeHtml(String(value))}</span><span class="label">${label}</span></li>`;
}

/**
 * Whether a row is shown when the page opens: on the filter the report names (`report.openOn`). A first
 * review opens on "In scope"; a re-sync on "With new users and new errors" (R5).
 */
function shownAtOpen(row: ReviewRow, needsReview: boolean): boolean {
  if (!needsReview) return row.status !== "out-of-scope";
  return (row.status !== "out-of-scope" && (row.isNew || row.isFamilyContext || row.isFixed)) || row.isNewError;
}

function rowHtml(row: ReviewRow, needsReview: boolean): string {
  // The report's enums were checked (assertReviewReport); they are escaped anyway, like every interpolation.
  const reason = row.reasons[0] ?? null;
  const status = escapeHtml(row.status);
  const flagName = row.flag === null ? null : escapeHtml(row.flag);
  const classes = [`st-${status}`];
  if (flagName !== null) classes.push(`fl-${flagName}`);
  if (row.isNew) classes.push("new");
  if (row.isFamilyContext) classes.push("ctx");
  let attrs = ` class="${classes.join(" ")}" data-id="${escapeHtml(row.sourceId)}" data-status="${status}"`;
  if (row.gradeLevel !== null) attrs += ` data-grade="${escapeHtml(row.gradeLevel)}"`;
  if (row.isNew) attrs += ` data-new="new"`;
  else if (row.isFamilyContext) attrs += ` data-new="family"`;
  else if (row.isFixed) attrs += ` data-new="fixed"`;
  if (reason !== null) attrs += ` data-reason="${escapeHtml(reason)}"`;
  if (flagName !== null) attrs += ` data-flag="${flagName}"`;
  if (row.isNewError) attrs += " data-new-error";
  // Rows outside the filter the page opens on start hidden, so that the first paint (and a page read
  // without script) match that filter.
  if (!shownAtOpen(row, needsReview)) attrs += " hidden";

  const name = escapeHtml(`${row.firstName} ${row.lastName}`.trim());
  const novelty = row.isNew
    ? "x"
    : row.isFamilyContext
      ? `<span class="tag" title="Reviewed before; shown because a new parent shares the family">family</span>`
      : row.isFixed
        ? `<span class="tag" title="Had a data error at the last review; fixed since: revisit the selection">fixed</span>`
        : "";
  let email: string;
  if (row.rawEmail === null || row.rawEmail.trim() === "") {
    email = `<span class="missing">missing</span>`;
  } else {
    email = escapeHtml(row.rawEmail);
  }
  const flag =
    flagName === null
      ? ""
      : `<span class="flag ${flagName}" title="${flagName} flag">${row.flag === "red" ? "Red" : "Gray"}: ${flagText(row)}</span>`;
  const statusLabel = STATUS_LABELS[row.status] ?? status;
  const why = reason === null ? "" : `<span class="why">${escapeHtml(REASON_LABELS[reason] ?? reason)}</span>`;
  const newError = row.isNewError ? ` <span class="tag">new error</span>` : "";
  return (
    `<tr${attrs}><td>${row.selected ? "✓" : ""}</td><td>${novelty}</td><td>${name}</td>` +
    `<td>${escapeHtml(row.sourceId)}</td><td>${row.gradeLevel === null ? "" : escapeHtml(row.gradeLevel)}</td>` +
    `<td>${escapeHtml(row.schoolCode)}</td><td>${escapeHtml(row.familyIds.join(", "))}</td><td>${email}</td>` +
    `<td>${statusLabel}${why}</td><td>${flag}${newError}</td></tr>`
  );
}

/**
 * Render a review report (core's {@link ReviewReport}) as one self-contained HTML document: the counts at
 * the top of the review page, a table of every person with red and gray flags, missing emails, the `New?`
 * column and family-context rows, filters by status, grade and new people, and a button that downloads
 * the error report (`errorReportCsv(report)`, byte for byte).
 *
 * Pure and deterministic: the same report and options give the same string. Inline CSS and one small inline
 * script; no network, no framework. Every string from the SIS is HTML-escaped, the embedded error report is
 * serialised so that no value can close its `<script>` block, and a Content-Security-Policy allows only the
 * page's own style and script. A report that core did not make is checked first: a role, status, flag or
 * reason that is not one of core's, or a count that is not a non-negative integer, throws core's
 * `RosterInputError` listing every problem (see `checkReviewReport`).
 *
 * @example
 * ```ts
 * import { writeFile } from "node:fs/promises";
 * import { review } from "@rostersync/core";
 * import { renderReviewHtml } from "@rostersync/review-page";
 *
 * const report = review(input);
 * await writeFile("review.html", renderReviewHtml(report, {
 *   title: "Student review",
 *   schoolName: "Riverside Academy",
 *   generatedAt: new Date(clock.now()),
 * }));
 * ```
 */
export function renderReviewHtml(report: ReviewReport, options: ReviewPageOptions = {}): string {
  assertReviewReport(report);
  const title = options.title ?? "Roster review";
  const t = report.totals;
  const who = report.role === "student" ? "students" : "parents";
  const Who = report.role === "student" ? "Students" : "Parents";

  const grades = new Set<string>();
  let noGrade = false;
  for (const row of report.rows) {
    if (row.gradeLevel === null) noGrade = true;
    else grades.add(row.gradeLevel);
  }
  const gradeOptions = [...grades]
    .sort(compareGrades)
    .map((g) => `<option value="${escapeHtml(g)}">${escapeHtml(g)}</option>`);
  if (noGrade) gradeOptions.push(`<option value="">No grade</option>`);

  const meta: string[] = [];
  if (options.schoolName !== undefined) meta.push(`<span class="school">${escapeHtml(options.schoolName)}</span>`);
  meta.push(`${Who}`);
  if (options.generatedAt !== undefined) {
    const at =
      typeof options.generatedAt === "string"
        ? { datetime: options.generatedAt, text: options.generatedAt }
        : isoUtc(options.generatedAt);
    meta.push(`generated <time datetime="${escapeHtml(at.datetime)}">${escapeHtml(at.text)}</time>`);
  }

  const csv = errorReportCsv(report);
  const fileName = options.errorReportFileName ?? "error-report.csv";
  const errors = t.excluded;
  const needsReview = report.openOn?.needsReview === true;
  let inScope = 0;
  for (const row of report.rows) if (shownAtOpen(row, needsReview)) inScope++;

  const out: string[] = [];
  out.push(
    ...pageHead(title, PAGE_POLICY, STYLE),
    "</head><body>",
    `<header><h1>${escapeHtml(title)}</h1><p class="meta">${meta.join(" · ")}</p></header>`,
    `<ul class="counts" aria-label="Review counts">`,
    count("importable", t.importable, `Importable ${who}`),
    count("excluded", t.excluded, `Excluded ${who}`, t.excluded > 0 ? " errors" : ""),
    count("skipped", t.skipped, "Skipped (unselected)"),
    count("out-of-scope", t.outOfScope, "Out of scope"),
    count(
      "duplicates-red",
      t.duplicatesRed,
      `Duplicates <span class="flag red">red</span> need a decision`,
      t.duplicatesRed > 0 ? " errors" : "",
    ),
    count("duplicates-gray", t.duplicatesGray, `Duplicates <span class="flag gray">gray</span> resolved`),
    count(
      "missing-emails",
      t.missingEmails,
      `Missing emails <span class="flag red">red</span>`,
      t.missingEmails > 0 ? " errors" : "",
    ),
    count("invalid-emails", t.invalidEmails, "Invalid emails", t.invalidEmails > 0 ? " errors" : ""),
    count("to-sync", t.toSync, "Users to sync"),
    count("to-skip", t.toSkip, "Users to skip"),
    count("to-exclude", t.toExclude, "Users to exclude"),
    count("new-people", t.newPeople, "New people"),
    count("fixed-people", t.fixedPeople ?? 0, "Errors fixed since the last review"),
    count("new-errors", t.newErrors, "New errors", t.newErrors > 0 ? " errors" : ""),
    "</ul>",
    `<p class="actions"><button type="button" id="download-errors" disabled title="Needs JavaScript">` +
      `Download error report (${errors} ${errors === 1 ? "row" : "rows"}, CSV)</button></p>`,
    `<div class="filters" role="search">`,
    `<label>Status <select id="f-status">` +
      `<option value="needs-review"${needsReview ? " selected" : ""}>With new users and new errors</option>` +
      `<option value="in-scope"${needsReview ? "" : " selected"}>In scope</option>` +
      `<option value="all">Everyone in the SIS</option>` +
      `<option value="importable">Importable</option>` +
      `<option value="excluded">Excluded</option>` +
      `<option value="skipped">Skipped</option>` +
      `<option value="out-of-scope">Out of scope</option>` +
      `<option value="missing-email">Missing emails</option>` +
      `<option value="red">Red flags</option>` +
      `<option value="gray">Gray flags</option>` +
      `<option value="new-errors">New errors</option>` +
      "</select></label>",
    `<label>Grade <select id="f-grade"><option value="*" selected>All grades</option>${gradeOptions.join("")}</select></label>`,
    `<label><input type="checkbox" id="f-new"> New only (and their family)</label>`,
    `<output id="shown">Showing ${inScope} of ${report.rows.length} ${report.rows.length === 1 ? "person" : "people"}</output>`,
    "</div>",
    `<table id="people">`,
    "<thead><tr><th>Sync?</th><th>New?</th><th>Name</th><th>ID</th><th>Grade</th><th>School</th><th>Family</th>" +
      "<th>Email</th><th>Status</th><th>Flag</th></tr></thead>",
    "<tbody>",
  );
  for (const row of report.rows) out.push(rowHtml(row, needsReview));
  out.push(
    "</tbody></table>",
    `<p id="no-match" class="empty"${inScope === 0 ? "" : " hidden"}>No one matches these filters.</p>`,
    `<script type="application/json" id="error-report">${scriptSafeJson({ fileName, csv })}</script>`,
    `<script>${SCRIPT}</script>`,
    "</body></html>",
    "",
  );
  return out.join("\n");
}
