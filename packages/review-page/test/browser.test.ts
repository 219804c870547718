/// <reference lib="dom" />
/**
 * The page in a real browser: Debian's Chromium driven by playwright-core (which never downloads a
 * browser). The page is written to a file and opened from `file://`, the way an admin opens the demo's
 * review. Chromium missing: this file fails in CI (`CI` or `RS_REQUIRE_BROWSER=1`) and skips loudly elsewhere.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  errorReportCsv,
  filterRows,
  type ReviewReport,
  type ReviewStatus,
  type RowFilter,
  review,
} from "@rostersync/core";
import { generatedProfile, generateSchool } from "@rostersync/core/testing";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReviewHtml } from "../src/index.js";
import { browserHangGuard, CHROMIUM_ARGS, describeInChromium } from "./chromium.ts";
import { firstInput, HOSTILE, secondYearReport } from "./fixtures.ts";

describeInChromium({ what: "review-page", describe: "review page in Chromium", skipped: "renders" }, browserSuite);

/** What each page recorded about itself: script errors, CSP refusals, dialogs. */
interface Incidents {
  pageErrors: string[];
  dialogs: string[];
}

const IN_SCOPE: ReviewStatus[] = ["importable", "excluded", "skipped"];

function browserSuite(executablePath: string): void {
  describe("review page in Chromium", { timeout: browserHangGuard }, () => {
    let browser: Browser;
    let context: BrowserContext;
    let dir: string;
    let students: ReviewReport;
    let parents: ReviewReport;
    const incidents: Incidents = { pageErrors: [], dialogs: [] };

    beforeAll(async () => {
      students = secondYearReport("student");
      parents = secondYearReport("parent");
      dir = mkdtempSync(join(tmpdir(), "rs-review-page-"));
      writeFileSync(join(dir, "students.html"), renderReviewHtml(students, { title: "Student review" }));
      writeFileSync(join(dir, "parents.html"), renderReviewHtml(parents, { title: "Parent review" }));
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
      context = await browser.newContext({ acceptDownloads: true });
      // Before any page script: record CSP refusals, so an injected element that tried to run is seen.
      await context.addInitScript(() => {
        const w = window as unknown as { __violations: string[] };
        w.__violations = [];
        document.addEventListener("securitypolicyviolation", (e) => {
          w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
        });
      });
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function open(file: string): Promise<Page> {
      const page = await context.newPage();
      page.on("pageerror", (e) => incidents.pageErrors.push(`${file}: ${e.message}`));
      page.on("dialog", (d) => {
        incidents.dialogs.push(`${file}: ${d.message()}`);
        void d.dismiss();
      });
      await page.goto(pathToFileURL(join(dir, file)).href);
      return page;
    }
    const visibleIds = (page: Page) =>
      page.$$eval("#people tbody tr", (rows) =>
        rows.filter((r) => !(r as HTMLElement).hidden).map((r) => (r as HTMLElement).dataset.id),
      );
    const ids = (report: ReviewReport, filter: RowFilter) => filterRows(report, filter).map((r) => r.sourceId);
    const shownText = (n: number, of: number) => `Showing ${n} of ${of} people`;

    it("shows the counts and opens where the report says: a re-sync on the new users and new errors (R5)", async () => {
      const page = await open("students.html");
      const counts = await page.$$eval("[data-count]", (items) =>
        Object.fromEntries(items.map((li) => [(li as HTMLElement).dataset.count, li.querySelector(".n")?.textContent])),
      );
      const t = students.totals;
      expect(counts).toMatchObject({
        importable: String(t.importable),
        excluded: String(t.excluded),
        skipped: String(t.skipped),
        "out-of-scope": String(t.outOfScope),
        "duplicates-red": String(t.duplicatesRed),
        "duplicates-gray": String(t.duplicatesGray),
        "missing-emails": String(t.missingEmails),
        "to-sync": String(t.toSync),
      });
      expect(students.openOn).toEqual({ needsReview: true });
      const atOpen = ids(students, students.openOn);
      expect(await visibleIds(page)).toEqual(atOpen);
      expect(await page.textContent("#shown")).toBe(shownText(atOpen.length, students.rows.length));
      await page.selectOption("#f-status", "in-scope");
      const inScope = ids(students, { status: IN_SCOPE });
      expect(await visibleIds(page)).toEqual(inScope);
      await page.selectOption("#f-status", "needs-review");
      expect(await visibleIds(page)).toEqual(atOpen);
      await page.selectOption("#f-status", "in-scope");
      // The row a person sees: name, grade, status in words.
      const first = filterRows(students, { status: "importable" })[0]!;
      const row = page.locator(`tr[data-id="${first.sourceId}"]`);
      await expect(row.locator("td").nth(2).textContent()).resolves.toBe(`${first.firstName} ${first.lastName}`);
      await expect(row.locator("td").nth(4).textContent()).resolves.toBe(first.gradeLevel);
      expect(await row.isVisible()).toBe(true);
      await page.close();
    });

    it("filters by status, grade and new people, as core's filterRows does", async () => {
      const page = await open("students.html");
      const all = students.rows.length;
      const check = async (filter: RowFilter) => {
        const expected = ids(students, filter);
        expect(expected.length).toBeGreaterThan(0); // an empty match would prove nothing
        expect(await visibleIds(page)).toEqual(expected);
        expect(await page.textContent("#shown")).toBe(shownText(expected.length, all));
      };
      await page.selectOption("#f-status", "excluded");
      await check({ status: "excluded" });
      await page.selectOption("#f-status", "red");
      await check({ flag: "red" });
      await page.selectOption("#f-status", "gray");
      await check({ flag: "gray" });
      await page.selectOption("#f-status", "skipped");
      await check({ status: "skipped" });
      await page.selectOption("#f-status", "missing-email");
      expect(await visibleIds(page)).toEqual(
        students.rows.filter((r) => r.reasons.includes("missing-email")).map((r) => r.sourceId),
      );
      await page.selectOption("#f-status", "new-errors");
      await check({ newErrorsOnly: true });
      await page.selectOption("#f-status", "all");
      await check({});
      await page.selectOption("#f-grade", "03");
      await check({ gradeLevel: "03" });
      await page.selectOption("#f-status", "in-scope");
      await check({ gradeLevel: "03", status: IN_SCOPE });
      await page.selectOption("#f-grade", "*");
      await page.check("#f-new");
      await check({ newOnly: true, status: IN_SCOPE });
      await page.selectOption("#f-grade", "K");
      await page.selectOption("#f-status", "importable");
      await check({ newOnly: true, status: "importable", gradeLevel: "K" });
      await page.uncheck("#f-new");
      await check({ status: "importable", gradeLevel: "K" });
      // Nothing matches: the table says so.
      await page.selectOption("#f-status", "skipped");
      await page.selectOption("#f-grade", "K");
      await page.check("#f-new");
      if (ids(students, { status: "skipped", gradeLevel: "K", newOnly: true }).length === 0) {
        expect(await visibleIds(page)).toEqual([]);
        expect(await page.isVisible("#no-match")).toBe(true);
      }
      await page.close();
    });

    it("shows new parents with an x and their reviewed family members as context rows (R5)", async () => {
      const page = await open("parents.html");
      await page.check("#f-new");
      const expected = ids(parents, { newOnly: true, status: IN_SCOPE });
      expect(await visibleIds(page)).toEqual(expected);
      const context = parents.rows.find((r) => r.isFamilyContext)!;
      const row = page.locator(`tr[data-id="${context.sourceId}"]`);
      expect(await row.isVisible()).toBe(true);
      expect(await row.locator("td").nth(1).textContent()).toBe("family");
      expect(await row.evaluate((tr) => getComputedStyle(tr.querySelector("td")!).fontStyle)).toBe("italic");
      const fresh = parents.rows.find((r) => r.isNew && r.status !== "out-of-scope")!;
      expect(await page.locator(`tr[data-id="${fresh.sourceId}"] td`).nth(1).textContent()).toBe("x");
      // Parents have no grade: "No grade" keeps them (and hides the graded students out of scope).
      await page.uncheck("#f-new");
      await page.selectOption("#f-status", "all");
      await page.selectOption("#f-grade", "");
      const noGrade = ids(parents, { gradeLevel: "" });
      expect(noGrade.length).toBeGreaterThan(0);
      expect(noGrade.length).toBeLessThan(parents.rows.length);
      expect(await visibleIds(page)).toEqual(noGrade);
      await page.close();
    });

    it("downloads core's error report, byte for byte, as a CSV file (R12)", async () => {
      const page = await open("parents.html");
      const button = page.locator("#download-errors");
      expect(await button.isEnabled()).toBe(true);
      const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
      expect(download.suggestedFilename()).toBe("error-report.csv");
      const bytes = readFileSync((await download.path()) as string);
      expect(bytes.equals(Buffer.from(errorReportCsv(parents), "utf8"))).toBe(true);
      expect(bytes.toString("utf8")).toContain(HOSTILE.email);
      await page.close();
    });

    it("shows a name with <script> as text and runs nothing a person typed", async () => {
      const page = await open("parents.html");
      await page.selectOption("#f-status", "all");
      const row = page.locator(`tr[data-id="${HOSTILE.sourceId}"]`);
      expect(await row.locator("td").nth(2).textContent()).toBe(`${HOSTILE.firstName} ${HOSTILE.lastName}`);
      expect(await row.locator("td").nth(7).textContent()).toBe(HOSTILE.email);
      const state = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: string }).__pwned ?? null,
        violations: (window as unknown as { __violations: string[] }).__violations,
        scripts: document.scripts.length,
        images: document.images.length,
        dataBlock: document.getElementById("error-report")?.textContent?.length ?? 0,
      }));
      // Nothing ran, nothing even tried (a CSP refusal would show an escape that failed), and the data
      // block is whole: an email that closed it would have cut it short.
      expect(state).toEqual({
        pwned: null,
        violations: [],
        scripts: 2,
        images: 0,
        dataBlock: expect.any(Number),
      });
      expect(JSON.parse((await page.textContent("#error-report")) as string).csv).toBe(errorReportCsv(parents));
      expect(incidents.dialogs).toEqual([]);
      expect(incidents.pageErrors).toEqual([]);
      await page.close();
    });

    it("renders and filters 10,000 people", async () => {
      const school = generateSchool({ seed: 5, people: 10_000 });
      const big = review(firstInput(school, generatedProfile(school, "student")));
      expect(big.rows.length).toBeGreaterThanOrEqual(10_000);
      let t = performance.now();
      const html = renderReviewHtml(big, { title: "Big school" });
      const renderMs = performance.now() - t;
      writeFileSync(join(dir, "big.html"), html);
      const page = await context.newPage();
      t = performance.now();
      await page.goto(pathToFileURL(join(dir, "big.html")).href);
      const loadMs = performance.now() - t;
      expect(await visibleIds(page)).toEqual(ids(big, { status: IN_SCOPE }));
      t = performance.now();
      await page.selectOption("#f-grade", "09");
      await page.selectOption("#f-status", "excluded");
      const filterMs = performance.now() - t;
      expect(await visibleIds(page)).toEqual(ids(big, { status: "excluded", gradeLevel: "09" }));
      console.log(
        `review page, ${big.rows.length} people: ${(html.length / 1e6).toFixed(1)} MB, render ${renderMs.toFixed(0)} ms, ` +
          `load in Chromium ${loadMs.toFixed(0)} ms, two filter changes ${filterMs.toFixed(0)} ms`,
      );
      await page.close();
    }, 300_000);
  });
}
