import { createHash } from "node:crypto";
import { errorReportCsv, filterRows, type ReviewReport, type ReviewRow } from "@rostersync/core";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { renderReviewHtml } from "../src/index.js";
import { HOSTILE, secondYearReport } from "./fixtures.ts";

let parents: ReviewReport;
let students: ReviewReport;
let page: string;

beforeAll(() => {
  parents = secondYearReport("parent");
  students = secondYearReport("student");
  page = renderReviewHtml(parents, { title: "Parent review", schoolName: "Riverside", generatedAt: "2026-09-01" });
});

/** Each row is one `<tr>` line; index them by `data-id`. */
function rowLines(html: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of html.split("\n")) {
    const id = /^<tr [^>]*data-id="([^"]*)"/.exec(line)?.[1];
    if (id !== undefined) rows.set(id, line);
  }
  return rows;
}
const attr = (line: string, name: string): string | null =>
  new RegExp(`\\s${name}(?:="([^"]*)")?[\\s>]`).exec(line.slice(0, line.indexOf(">") + 1))?.[1] ?? null;
const hasAttr = (line: string, name: string): boolean =>
  new RegExp(`\\s${name}(?:="[^"]*")?[\\s>]`).test(line.slice(0, line.indexOf(">") + 1));
const cells = (line: string): string[] => [...line.matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1] as string);
const rowOf = (report: ReviewReport, pred: (r: ReviewRow) => boolean): ReviewRow[] => report.rows.filter(pred);

describe("the fixture", () => {
  it("has every kind of row the page must show", () => {
    const t = parents.totals;
    expect(t.duplicatesRed).toBeGreaterThan(0);
    expect(t.duplicatesGray).toBeGreaterThan(0);
    expect(t.missingEmails).toBeGreaterThan(0);
    expect(t.skipped).toBeGreaterThan(0);
    expect(t.outOfScope).toBeGreaterThan(0);
    expect(rowOf(parents, (r) => r.isNew && r.status !== "out-of-scope").length).toBeGreaterThan(0);
    expect(rowOf(parents, (r) => !r.isNew && r.status !== "out-of-scope").length).toBeGreaterThan(0);
    expect(rowOf(parents, (r) => r.isFamilyContext).length).toBeGreaterThan(0);
    expect(rowOf(parents, (r) => r.isNewError).length).toBeGreaterThan(0);
    expect(rowOf(parents, (r) => r.errorFingerprint !== null && !r.isNewError).length).toBeGreaterThan(0);
  });
});

describe("renderReviewHtml", () => {
  it("is one document with one stylesheet, one script and one data block, and loads nothing", () => {
    expect(page.startsWith("<!doctype html>\n")).toBe(true);
    expect(page.match(/<script\b/gi)).toHaveLength(2);
    expect(page.match(/<\/script/gi)).toHaveLength(2);
    expect(page.match(/<style\b/gi)).toHaveLength(1);
    expect(page).not.toMatch(/<[a-z][^>]*\s(src|href)=|@import|[:\s,]url\(|https?:\/\//i);
    expect(page).toContain(`http-equiv="Content-Security-Policy" content="default-src 'none';`);
  });

  it("shows a name with markup as text, in the table, the title and the school name", () => {
    const line = rowLines(page).get(HOSTILE.sourceId) as string;
    const [, , name, , , , , email] = cells(line);
    expect(name).toBe(
      "&lt;script&gt;window.__pwned = &#39;name&#39;&lt;/script&gt; &lt;img src=x onerror=&quot;window.__pwned = &#39;img&#39;&quot;&gt;",
    );
    expect(email).toBe("&lt;/script&gt;&lt;script&gt;window.__pwned = &#39;csv&#39;&lt;/script&gt;&lt;!--");
    expect(page).not.toContain(HOSTILE.firstName);
    expect(page).not.toContain("<img");
    const titled = renderReviewHtml(parents, { title: "</title><script>x()</script>", schoolName: `"><b>Rival</b>` });
    expect(titled).toContain("<title>&lt;/title&gt;&lt;script&gt;x()&lt;/script&gt;</title>");
    expect(titled).toContain("&quot;&gt;&lt;b&gt;Rival&lt;/b&gt;");
    expect(titled.match(/<script\b/gi)).toHaveLength(2);
  });

  it("shows the totals of the report in the counts strip, and they agree with the rows", () => {
    const shown = Object.fromEntries(
      [...page.matchAll(/data-count="([^"]+)"><span class="n">(\d+)</g)].map((m) => [m[1], Number(m[2])]),
    );
    const t = parents.totals;
    const byStatus = (s: string) => rowOf(parents, (r) => r.status === s).length;
    expect(shown).toEqual({
      importable: t.importable,
      excluded: t.excluded,
      skipped: t.skipped,
      "out-of-scope": t.outOfScope,
      "duplicates-red": t.duplicatesRed,
      "duplicates-gray": t.duplicatesGray,
      "missing-emails": t.missingEmails,
      "invalid-emails": t.invalidEmails,
      "to-sync": t.toSync,
      "to-skip": t.toSkip,
      "to-exclude": t.toExclude,
      "new-people": t.newPeople,
      "fixed-people": t.fixedPeople,
      "new-errors": t.newErrors,
    });
    expect([shown.importable, shown.excluded, shown.skipped, shown["out-of-scope"]]).toEqual([
      byStatus("importable"),
      byStatus("excluded"),
      byStatus("skipped"),
      byStatus("out-of-scope"),
    ]);
  });

  it("has one row per person, in report order, with status and grade for the filters", () => {
    const lines = rowLines(page);
    expect([...lines.keys()]).toEqual(parents.rows.map((r) => r.sourceId));
    const studentLines = rowLines(renderReviewHtml(students));
    for (const row of students.rows) {
      const line = studentLines.get(row.sourceId) as string;
      expect(attr(line, "data-status")).toBe(row.status);
      expect(attr(line, "data-grade")).toBe(row.gradeLevel);
    }
  });

  it("opens a re-sync on the new users and new errors, as the report says, and a first review on in scope (R5)", () => {
    expect(students.openOn).toEqual({ needsReview: true });
    const shownAtOpen = new Set(filterRows(students, students.openOn).map((r) => r.sourceId));
    expect(shownAtOpen.size).toBeGreaterThan(0);
    const html = renderReviewHtml(students);
    const lines = rowLines(html);
    for (const row of students.rows)
      expect(hasAttr(lines.get(row.sourceId) as string, "hidden")).toBe(!shownAtOpen.has(row.sourceId));
    expect(html).toContain(`<option value="needs-review" selected>`);
    expect(html).toContain(`Showing ${shownAtOpen.size} of ${students.rows.length} people`);
    // A school's first review opens on everyone in scope.
    const first: ReviewReport = { ...students, openOn: {} };
    const firstLines = rowLines(renderReviewHtml(first));
    for (const row of students.rows)
      expect(hasAttr(firstLines.get(row.sourceId) as string, "hidden")).toBe(row.status === "out-of-scope");
    expect(renderReviewHtml(first)).toContain(`<option value="in-scope" selected>`);
  });

  it("marks people whose data error was fixed since the last review, with the new users (R5)", () => {
    const row = students.rows.find((r) => !r.isNew && !r.isFamilyContext && r.status === "importable") as ReviewRow;
    const fixed: ReviewReport = {
      ...students,
      rows: students.rows.map((r) => (r === row ? { ...r, isFixed: true } : r)),
    };
    const line = rowLines(renderReviewHtml(fixed)).get(row.sourceId) as string;
    expect(attr(line, "data-new")).toBe("fixed");
    expect(cells(line)[1]).toContain(">fixed</span>");
    expect(hasAttr(line, "hidden")).toBe(false);
  });

  it("flags conflicting duplicates red and resolved ones gray, with words as well as colour (R3)", () => {
    const lines = rowLines(page);
    for (const row of parents.rows) {
      const line = lines.get(row.sourceId) as string;
      const flagCell = cells(line)[9] as string;
      expect(attr(line, "data-flag")).toBe(row.flag);
      if (row.reasons[0] === "duplicate-unresolved") expect(flagCell).toContain(`class="flag red"`);
      if (row.reasons[0] === "duplicate-unresolved") expect(flagCell).toContain("Red: Duplicate email");
      if (row.flag === "gray") expect(flagCell).toContain(`<span class="flag gray" title="gray flag">Gray: Resolved`);
      if (row.flag === null) expect(flagCell).not.toContain("flag");
    }
  });

  it("flags a missing email red and says 'missing' where the email would be", () => {
    const lines = rowLines(page);
    const missing = rowOf(parents, (r) => r.reasons[0] === "missing-email");
    expect(missing.length).toBe(parents.totals.missingEmails);
    for (const row of missing) {
      const c = cells(lines.get(row.sourceId) as string);
      expect(c[7]).toBe(`<span class="missing">missing</span>`);
      expect(c[9]).toContain("Red: Missing email");
    }
    for (const row of rowOf(parents, (r) => r.rawEmail !== null && r.rawEmail.trim() !== "")) {
      expect(cells(lines.get(row.sourceId) as string)[7]).not.toContain("missing");
    }
  });

  it("marks new people with an x and family-context parents as such, never both (R5)", () => {
    const lines = rowLines(page);
    for (const row of parents.rows) {
      const line = lines.get(row.sourceId) as string;
      const newCell = cells(line)[1];
      if (row.isNew) {
        expect(newCell).toBe("x");
        expect(attr(line, "data-new")).toBe("new");
      } else if (row.isFamilyContext) {
        expect(newCell).toContain(">family</span>");
        expect(attr(line, "data-new")).toBe("family");
        expect(attr(line, "class")).toContain("ctx");
      } else if (row.isFixed) {
        expect(attr(line, "data-new")).toBe("fixed");
      } else {
        expect(newCell).toBe("");
        expect(hasAttr(line, "data-new")).toBe(false);
      }
    }
  });

  it("embeds core's error report byte for byte, where no email can break out of it (R12)", () => {
    const block = /<script type="application\/json" id="error-report">(.*?)<\/script>/s.exec(page)?.[1] as string;
    expect(block).not.toMatch(/[<>]/);
    const embedded = JSON.parse(block) as { fileName: string; csv: string };
    expect(embedded.csv).toBe(errorReportCsv(parents));
    expect(embedded.csv).toContain(HOSTILE.email);
    expect(embedded.fileName).toBe("error-report.csv");
    const named = renderReviewHtml(parents, { errorReportFileName: "riverside-errors.csv" });
    expect(named).toContain(`{"fileName":"riverside-errors.csv","csv":`);
    expect(page).toContain(`Download error report (${parents.totals.excluded} rows, CSV)</button>`);
  });

  it("gives the same page for the same report and options, whatever the clock says", () => {
    const options = { title: "Review", generatedAt: new Date(Date.UTC(2026, 8, 1, 7, 30)) };
    const hash = (s: string) => createHash("sha256").update(s).digest("hex");
    vi.useFakeTimers();
    vi.setSystemTime(new Date(Date.UTC(2020, 0, 1)));
    const a = renderReviewHtml(parents, options);
    vi.setSystemTime(new Date(Date.UTC(2031, 5, 6)));
    const b = renderReviewHtml(structuredClone(parents), options);
    expect(hash(a)).toBe(hash(b));
    expect(a).toContain(`generated <time datetime="2026-09-01T07:30:00.000Z">2026-09-01 07:30 UTC</time>`);
    expect(renderReviewHtml(parents)).not.toContain("<time");
  });

  it("renders an empty review as a page with nothing to show", () => {
    const empty: ReviewReport = { ...parents, rows: [], duplicateGroups: [], errorFingerprints: [] };
    const html = renderReviewHtml({
      ...empty,
      totals: Object.fromEntries(Object.keys(parents.totals).map((k) => [k, 0])) as unknown as ReviewReport["totals"],
    });
    expect(rowLines(html).size).toBe(0);
    expect(html).toContain(`<p id="no-match" class="empty">No one matches these filters.</p>`);
    expect(html).toContain("Download error report (0 rows, CSV)");
  });

  afterEach(() => {
    vi.useRealTimers();
  });
});
