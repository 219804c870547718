import { EMPTY_DECISIONS, review } from "@rostersync/core";
import { generatedProfile, generateSchool } from "@rostersync/core/testing";
import { describe, expect, it } from "vitest";
import { renderReviewHtml } from "../src/index.js";

describe("README example", () => {
  it("renders a generated school's review with every option", () => {
    const school = generateSchool({ seed: 1, people: 3000 });
    const report = review({
      people: school.people,
      accounts: school.accounts,
      profile: generatedProfile(school, "parent"),
      decisions: EMPTY_DECISIONS,
      lastRun: null,
    });
    const html = renderReviewHtml(report, {
      title: "Parent review",
      schoolName: "Riverside Academy",
      generatedAt: new Date("2026-09-01T07:30:00Z"),
      errorReportFileName: "riverside-errors.csv",
    });
    expect(html).toContain("<title>Parent review</title>");
    expect(html).toContain(`<span class="school">Riverside Academy</span> · Parents · generated`);
    expect(html).toContain(`"fileName":"riverside-errors.csv"`);
    expect(html.match(/<tr /g)).toHaveLength(report.rows.length);
  });
});
