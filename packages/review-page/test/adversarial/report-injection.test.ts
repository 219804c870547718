/**
 * Regression suite of issue 14 §6: a `ReviewReport` not made by core cannot inject markup through its
 * enums (data-reason, the reason label fallback, the flag class) or its counts.
 */
import { type ReviewReport, RosterInputError } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { checkReviewReport, renderReviewHtml } from "../../src/index.js";
import { secondYearReport } from "../fixtures.ts";

const INJECT = `"><meta http-equiv=refresh content="0;url=https://evil.example">`;

function forged(change: (row: Record<string, unknown>) => void): ReviewReport {
  const report = secondYearReport("student");
  const rows = report.rows.map((r, i) => {
    const copy: Record<string, unknown> = { ...r };
    if (i === 0) change(copy);
    return copy;
  });
  return { ...report, rows } as unknown as ReviewReport;
}

describe("review page against a forged report (issue 14 §6)", () => {
  for (const [what, change] of [
    ["reason", (r: Record<string, unknown>) => (r.reasons = [INJECT])],
    ["flag", (r: Record<string, unknown>) => (r.flag = INJECT)],
    ["status", (r: Record<string, unknown>) => (r.status = INJECT)],
  ] as const) {
    it(`refuses an unknown ${what} with a clear error, and never writes it into the page`, () => {
      const report = forged(change);
      expect(checkReviewReport(report).length).toBeGreaterThan(0);
      let html = "";
      try {
        html = renderReviewHtml(report);
      } catch (e) {
        expect(e).toBeInstanceOf(RosterInputError);
        expect((e as RosterInputError).message).toMatch(/rows\[0\]/);
      }
      expect(html).not.toContain("<meta http-equiv=refresh");
    });
  }

  it("refuses a forged role and non-numeric counts", () => {
    const report = secondYearReport("student");
    const bad = {
      ...report,
      role: INJECT,
      totals: { ...report.totals, excluded: `<img src=x onerror=alert(1)>` },
    } as unknown as ReviewReport;
    const paths = checkReviewReport(bad).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(["role", "totals.excluded"]));
    expect(() => renderReviewHtml(bad)).toThrow(RosterInputError);
  });

  it("accepts every report core makes", () => {
    for (const role of ["student", "parent"] as const) expect(checkReviewReport(secondYearReport(role))).toEqual([]);
  });
});
