/// <reference lib="dom" />
/**
 * The review app in a real browser: Debian's Chromium driven by playwright-core, a real node:http host
 * mounting rostersync's handler, FACTS as the simulator over HTTP. An admin does the demo school's first sync
 * only by clicking, then a new-year Preview & Sync whose plan is held; after each, the host's directory equals
 * what core's `simulateApply` of the SDK's own plan gives. axe-core runs on every step (no serious or critical
 * violation). Chromium missing: this file fails in CI (`CI` or `RS_REQUIRE_BROWSER=1`) and skips loudly
 * elsewhere. `RS_SCREENSHOTS=1` also writes each step to `docs/images/` (see `docs/review-workflow.md`).
 */

import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Account, simulateApply } from "@rostersync/core";
import { nextSchoolYear } from "@rostersync/facts/testing";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API, type AppHost, SCHOOL, SCHOOL_KEY, startAppHost } from "./app-host.ts";
import { browserHangGuard, CHROMIUM_ARGS, describeInChromium, envFlag } from "./chromium.ts";

const screenshots = envFlag(process.env.RS_SCREENSHOTS);

describeInChromium({ what: "review app", describe: "review app in Chromium", skipped: "syncs" }, appSuite);

const HOSTILE_NAME = `<img src=x onerror="window.__pwned = 1">`;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const IMAGES = join(import.meta.dirname, "..", "..", "..", "docs", "images");

/** Accounts as compared: without the ids the directory and the simulation each make up. */
function comparable(accounts: readonly Account[]) {
  return accounts
    .map(({ accountId: _id, ...rest }) => ({ ...rest, fields: { ...rest.fields } }))
    .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
}

function appSuite(executablePath: string): void {
  describe("review app in Chromium: an admin syncs the demo school by clicking", { timeout: browserHangGuard }, () => {
    let browser: Browser;
    let host: AppHost;
    let page: Page;
    const pageErrors: string[] = [];
    const violations: string[] = [];
    const axeReport: { step: string; serious: number; critical: number; total: number }[] = [];

    beforeAll(async () => {
      host = await startAppHost({ historicHours: 3 });
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
      await context.addCookies([{ name: "session", value: "ann", url: host.url }]);
      await context.addInitScript(() => {
        const w = window as unknown as { __violations: string[] };
        w.__violations = [];
        document.addEventListener("securitypolicyviolation", (e) => {
          w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
        });
      });
      page = await context.newPage();
      page.on("pageerror", (e) => pageErrors.push(e.message));
      page.on("console", (m) => {
        // The stale save's 409 is expected (Chromium logs every failed fetch); anything else is a bug.
        if (m.type() === "error" && !m.text().includes("status of 409")) pageErrors.push(m.text());
      });
    }, 300_000);

    afterAll(async () => {
      console.log(
        `axe-core on ${axeReport.length} steps: ${axeReport.reduce((n, r) => n + r.serious + r.critical, 0)} serious or critical, ` +
          `${axeReport.reduce((n, r) => n + r.total, 0)} of any impact`,
      );
      await browser?.close();
      await host?.close();
    });

    /** Waits for the page to settle on a step: its heading focused, no request running. */
    async function onStep(id: string) {
      await page.locator(`#step-${id}`).waitFor({ state: "visible" });
      await page.waitForFunction((h) => document.activeElement?.id === h, `h-${id}`);
      await page.locator("#working").waitFor({ state: "hidden" });
    }

    /** axe-core's violations on the page as it is. */
    async function runAxe() {
      const injected = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== "undefined");
      if (!injected) await page.evaluate(AXE_SOURCE);
      const results = (await page.evaluate(() =>
        (
          window as unknown as {
            axe: { run(context: Document, options: unknown): Promise<unknown> };
          }
        ).axe.run(document, { resultTypes: ["violations"] }),
      )) as {
        violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
        passes: unknown[];
      };
      expect(results.passes.length).toBeGreaterThan(10); // axe ran its rules here
      return results.violations;
    }

    /** axe-core on the page as it is: no serious or critical violation (and a screenshot, when asked). */
    async function axe(step: string) {
      const found = await runAxe();
      const bad = found.filter((v) => v.impact === "serious" || v.impact === "critical");
      axeReport.push({
        step,
        serious: bad.filter((v) => v.impact === "serious").length,
        critical: bad.filter((v) => v.impact === "critical").length,
        total: found.length,
      });
      for (const v of bad)
        violations.push(`${step}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes[0]?.target.join(" ")}`);
      expect(bad.map((v) => `${v.id}: ${v.help} ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
      if (screenshots) {
        mkdirSync(IMAGES, { recursive: true });
        await page.screenshot({ path: join(IMAGES, `review-${step}.png`) });
      }
    }

    const text = async (selector: string) => (await page.locator(selector).textContent()) ?? "";
    const number = async (id: string) => Number(await text(`#${id}`));

    it("first sync: key, school, grades, a new dropdown field, unselect a few, resolve duplicates, check excluded, sync", async () => {
      await page.goto(host.appUrl);
      // No setup yet: the app opens on Step 1, the heading focused.
      await onStep("key");
      // Keyboard: the key field and "Test the key" come next, in order.
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("api-key");
      await page.keyboard.type(SCHOOL_KEY);
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("test-key");
      await page.keyboard.press("Enter");
      await page.locator("#permissions").waitFor();
      expect(await text("#access-summary")).toContain("The key works");
      expect(await text("#permissions")).toContain("People: Read");
      expect(await text("#permissions")).toContain("People: Write");
      // The key went to the host once and is nowhere in the page any more.
      expect(host.savedKeys).toEqual([SCHOOL_KEY]);
      expect(await page.inputValue("#api-key")).toBe("");
      expect(await page.content()).not.toContain(SCHOOL_KEY);
      // Yes: hour syncing is switched on once the setup is saved (Step 2), through the historic-hours guard.
      await page.check("#hours-yes");
      // axe would see a field without a label (a control test, removed again before the real check).
      await page.evaluate(() =>
        document
          .querySelector("#step-key")
          ?.append(Object.assign(document.createElement("input"), { id: "unlabelled" })),
      );
      expect((await runAxe()).filter((v) => v.impact === "critical").map((v) => v.id)).toContain("label");
      await page.evaluate(() => document.getElementById("unlabelled")?.remove());
      await axe("step-1-key");
      await page.click("#key-next");

      await onStep("school");
      expect(await page.locator("#schools input").count()).toBe(1);
      expect(await page.isChecked("#school-0")).toBe(true);
      await page.selectOption("#user-type", "student");
      await page.click("#grades-all");
      await axe("step-2-school");
      await page.click("#school-next");
      // FACTS holds hours never imported: the guard's answer, with the choice it leaves.
      await page.locator("#hours-guard").waitFor({ state: "visible" });
      expect(await text("#guard-text")).toContain("FACTS SIS holds 3 service hour records that were never imported");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("guard-force");
      await axe("hours-guard");
      await page.click("#guard-off");
      expect(await page.isChecked("#hours-no")).toBe(true);
      expect((await host.sync().profile())._unsafeUnwrap()?.hoursSync.enabled).toBe(false);
      await page.click("#school-next");

      await onStep("fields");
      // Create a new dropdown field from the first FACTS user defined field.
      const udf = page.locator('#fields-udf select[data-source^="udf:"]').first();
      await udf.selectOption("dropdown");
      const nameInput = page.locator(`#${(await udf.getAttribute("id"))?.replace(/-as$/, "-name")}`);
      await nameInput.fill("T-Shirt Size");
      await axe("step-3-fields");
      await page.click("#fields-next");

      // Step 4, User Selection: the FACTS read shows a progress bar, then the table.
      await onStep("selection");
      expect(await page.inputValue("#f-status")).toBe("in-scope");
      const toSync = await number("n-sync");
      const toSkip = await number("n-skip");
      expect(toSync).toBeGreaterThan(0);
      await page.selectOption("#f-status", "importable");
      await page.locator("#people-rows tr").first().waitFor();
      const boxes = page.locator("#people-rows input[type=checkbox]");
      const unselected: string[] = [];
      for (let i = 0; i < 3; i++) {
        unselected.push((await boxes.nth(i).getAttribute("data-id")) as string);
        await boxes.nth(i).uncheck();
      }
      expect(await text("#pending")).toBe("3 unsaved changes");
      await axe("step-4-selection");
      await page.click("#save");
      await page.waitForFunction((n) => document.getElementById("n-skip")?.textContent === String(n), toSkip + 3);
      expect(await number("n-sync")).toBe(toSync - 3);

      // A second admin saves in between: this admin's next save is refused, not lost.
      const bobTag = await fetch(`${host.url}${API}/decisions`, { headers: { cookie: "session=bob" } }).then(
        (r) => r.headers.get("etag") as string,
      );
      const bob = await fetch(`${host.url}${API}/decisions`, {
        method: "POST",
        headers: {
          cookie: "session=bob",
          origin: host.url,
          "x-rostersync": "1",
          "content-type": "application/json",
          "if-match": bobTag,
        },
        body: JSON.stringify({ ops: [{ op: "select", sourceIds: [unselected[2]] }] }),
      });
      expect(bob.status).toBe(200);
      await page.locator("#people-rows input[type=checkbox]").nth(5).uncheck();
      await page.click("#save");
      await page.locator("#reload").waitFor();
      expect(await text("#alert")).toContain("Someone else saved first");
      await axe("step-4-stale-save");
      await page.click("#reload");
      await onStep("selection");
      // Bob's selection stands; select all under a filter and unselect the same again: nothing changes.
      const afterBob = await number("n-sync");
      expect(afterBob).toBe(toSync - 2);
      const grade = await page.locator("#f-grade option").nth(1).getAttribute("value");
      await page.selectOption("#f-grade", grade as string);
      await page.locator("#people-rows tr").first().waitFor();
      await page.click("#select-all");
      await page.waitForFunction(() => document.getElementById("notice")?.textContent === "Saved.");
      await page.selectOption("#f-grade", "");
      await page.click("#selection-next");

      await onStep("duplicates");
      const groups = page.locator("#dup-groups fieldset");
      const groupCount = await groups.count();
      expect(groupCount).toBeGreaterThan(0);
      for (let i = 0; i < groupCount; i++) await groups.nth(i).locator("input[type=radio]").first().check();
      await axe("resolve-duplicates");
      await page.click("#dup-next");

      await onStep("excluded");
      const reasons = await page.locator("#excluded-rows td:nth-child(5)").allInnerTexts();
      expect(reasons.length).toBeGreaterThan(0);
      expect(
        reasons.some(
          (r) => r.includes("missing email") || r.includes("Invalid email") || r.includes("Other duplicate"),
        ),
      ).toBe(true);
      await axe("excluded-students");
      await page.click("#excluded-next");

      await onStep("review");
      expect(await page.inputValue("#f-status")).toBe("in-scope");
      expect(await text("#w-sync")).toBe("Students to sync");
      await axe("user-review");
      await page.click("#review-next");

      await onStep("tasks");
      const plan = (await host.sync().plan())._unsafeUnwrap();
      expect(plan.holds).toEqual([]);
      expect(await text('#task-counts [data-count="add"] .n')).toBe(String(plan.counts.add));
      expect(await text('#task-counts [data-count="skip"] .n')).toBe(String(plan.counts.skip));
      expect(plan.counts.createField).toBe(1);
      expect(await text("#examples")).toContain("T-Shirt Size (dropdown)");
      await axe("pending-sync-tasks");
      const before = host.directory.snapshot();
      await page.click("#sync");
      await onStep("invite");
      expect(await text("#run-result")).toContain(`Sync complete: ${plan.counts.add} added`);
      // The progress bar followed the server's progress events while the sync ran.
      expect(Number(await page.getAttribute("#working", "data-progress-events"))).toBeGreaterThan(0);
      const last = (await host.store.getLastRun(SCHOOL))._unsafeUnwrap();
      expect(last?.planHash).toBe(plan.planHash);
      expect(comparable(host.directory.snapshot())).toEqual(comparable(simulateApply(before, plan)));
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#invites")]);
      expect(download.suggestedFilename()).toBe("invites.csv");
      const csv = readFileSync((await download.path()) as string, "utf8");
      expect(csv.trim().split("\r\n").length - 1).toBeGreaterThanOrEqual(plan.counts.add);
      await axe("sync-and-invite");
      expect(pageErrors).toEqual([]);
      expect(violations).toEqual([]);
      expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
      // Keyboard: every control is a native one (no clickable div or span, nothing focusable by tabindex alone
      // but the step headings and the alert region, which take focus when they open).
      expect(
        await page.evaluate(() =>
          [...document.querySelectorAll("[onclick], [role=button], [tabindex]")]
            .map((e) => e.id)
            .filter((id) => !/^h-/.test(id) && id !== "alert"),
        ),
      ).toEqual([]);
    });

    it("new year: Preview & Sync opens on the new users and new errors, the held plan is acknowledged by clicking", async () => {
      const school = host.school;
      const facts = host.facts;
      if (school === null || facts === null) throw new Error("FACTS mode");
      // A year on: seniors graduate, and this year many students left (more than 10% of the accounts the
      // sync manages would be archived: R10 holds the plan).
      const next = nextSchoolYear(school, { seed: 43, withdrawRate: 0.15 });
      facts.load(next);
      // Someone typed markup into FACTS: it must reach the page as text, and nothing may run.
      const people = facts.table("/People");
      const victim = next.expectedPeople.find((p) => p.role === "student" && p.status === "enrolled")?.sourceId;
      facts.setTable(
        "/People",
        people.map((row) => (String(row.personId) === victim ? { ...row, firstName: HOSTILE_NAME } : row)),
      );
      await page.goto(host.appUrl);
      await onStep("home");
      await axe("preview-and-sync");
      await page.click("#preview");
      await onStep("selection");
      expect(await page.inputValue("#f-status")).toBe("needs-review");
      const firstNew = await page.locator("#people-rows tr td:nth-child(2)").first().textContent();
      expect(["x", "family", "fixed", ""]).toContain(firstNew);
      await axe("new-year-selection");
      await page.selectOption("#f-status", "all");
      await page.fill("#f-search", "onerror");
      await page.click("#f-search-form button");
      await page.locator(`#people-rows tr[data-id="${victim}"]`).waitFor();
      expect(await text(`#people-rows tr[data-id="${victim}"] td:nth-child(3)`)).toContain(HOSTILE_NAME);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(await page.locator("#people-rows img").count()).toBe(0);
      await page.fill("#f-search", "");
      await page.click("#f-search-form button");
      await page.click("#selection-next");
      await onStep("duplicates");
      expect(await page.isChecked("#dup-new-only")).toBe(true);
      const groups = page.locator("#dup-groups fieldset");
      for (let i = 0; i < (await groups.count()); i++) await groups.nth(i).locator("input[type=radio]").first().check();
      await page.click("#dup-next");
      await onStep("excluded");
      expect(await page.isChecked("#exc-new-only")).toBe(true);
      await page.click("#excluded-next");
      await onStep("review");
      await page.click("#review-next");
      await onStep("tasks");
      const plan = (await host.sync().plan())._unsafeUnwrap();
      expect(plan.holds.length).toBeGreaterThan(0);
      // Held: the message is shown and Sync waits for an explicit acknowledgement.
      expect(await text("#holds")).toContain(plan.holds[0]?.message as string);
      expect(await page.isDisabled("#sync")).toBe(true);
      expect(await page.isDisabled("#ack")).toBe(true);
      await axe("held-plan");
      await page.check("#ack-check");
      await page.click("#ack");
      await page.locator("#ack-done").waitFor();
      expect(await page.isEnabled("#sync")).toBe(true);
      expect(await text('#task-counts [data-count="archive"] .n')).toBe(String(plan.counts.archive));
      const before = host.directory.snapshot();
      await page.click("#sync");
      await onStep("invite");
      const last = (await host.store.getLastRun(SCHOOL))._unsafeUnwrap();
      expect(last?.planHash).toBe(plan.planHash);
      expect(comparable(host.directory.snapshot())).toEqual(comparable(simulateApply(before, plan)));
      expect(plan.counts.archive).toBeGreaterThan(0);
      expect(pageErrors).toEqual([]);
      expect(violations).toEqual([]);
    });
  });
}
