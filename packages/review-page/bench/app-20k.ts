/**
 * The review app at 20,000 people, measured in Chromium (not a timed test: it prints a table and JSON).
 * A real node:http host mounts the handler with the app over an in-memory roster of a generated school;
 * the page is driven by playwright-core on Debian's Chromium, and every number is the page's own
 * `performance.now()` from the admin's action to the next table on screen (the request, the JSON, the rows
 * in the DOM and one animation frame).
 *
 *   pnpm --filter "@rostersync/review-page^..." build && pnpm --filter @rostersync/review-page build \
 *     && node packages/review-page/bench/app-20k.ts [people]
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { generateSchool } from "@rostersync/core/testing";
import { chromium, type Page } from "playwright-core";
import { API, startAppHost } from "../test/app-host.ts";
import { CHROMIUM_ARGS } from "../test/chromium.ts";

const PEOPLE = Number(process.argv[2] ?? 20_000);
const REPEAT = 5;

const school = generateSchool({ seed: 20, people: PEOPLE, accountsFor: "none" });
const host = await startAppHost({
  roster: { people: school.people, schools: school.schools, gradeLevels: school.gradeLevels },
});
const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${host.url}${API}${path}`, {
    method,
    headers: { cookie: "session=ann", origin: host.url, "x-rostersync": "1", "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
};
await call("PUT", "/setup", {
  role: "student",
  schools: school.schools.map((s) => s.schoolCode),
  gradeLevels: school.gradeLevels.map((g) => g.code),
  fieldMap: [],
  defaultSelection: true,
  hoursSync: { enabled: false, historicImportDone: false },
});
const refreshed = await call("POST", "/refresh");
const totals = refreshed.totals as { people: number; importable: number; excluded: number };

const executablePath = process.env.RS_CHROMIUM ?? execFileSync("which", ["chromium"], { encoding: "utf8" }).trim();
const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
await context.addCookies([{ name: "session", value: "ann", url: host.url }]);
const page: Page = await context.newPage();

/** What the admin does: click a button, choose in a select, or search. */
type Action = { readonly click: string } | { readonly set: readonly [string, string] } | { readonly search: string };

/** Milliseconds, in the page, from the admin's action to the next table on screen. */
async function timed(action: Action): Promise<number> {
  return page.evaluate((a) => {
    const panel = document.getElementById("people-panel") as HTMLElement;
    const before = panel.getAttribute("data-loaded");
    return new Promise<number>((resolve) => {
      const t0 = performance.now();
      const observer = new MutationObserver(() => {
        if (panel.getAttribute("data-loaded") === before) return;
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - t0));
      });
      observer.observe(panel, { attributes: true });
      if ("click" in a) (document.getElementById(a.click) as HTMLElement).click();
      else if ("set" in a) {
        const select = document.getElementById(a.set[0]) as HTMLSelectElement;
        select.value = a.set[1];
        select.dispatchEvent(new Event("change"));
      } else {
        (document.getElementById("f-search") as HTMLInputElement).value = a.search;
        (document.getElementById("f-search-form") as HTMLFormElement).requestSubmit();
      }
    });
  }, action);
}
const set = (id: string, value: string): Action => ({ set: [id, value] });
const click = (id: string): Action => ({ click: id });

const t0 = performance.now();
await page.goto(`${host.url}${API}/`);
await page.locator("#step-home").waitFor({ state: "visible" });
const loadMs = performance.now() - t0;

const rows: { action: string; medianMs: number; minMs: number; maxMs: number; matching: number }[] = [];
async function measure(name: string, prepare: Action | null, action: Action) {
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    if (prepare !== null) await timed(prepare);
    times.push(await timed(action));
  }
  times.sort((a, b) => a - b);
  const matching = Number(/of (\d+) matching/.exec((await page.textContent("#matching")) ?? "")?.[1] ?? 0);
  rows.push({
    action: name,
    medianMs: Math.round(times[Math.floor(times.length / 2)] as number),
    minMs: Math.round(times[0] as number),
    maxMs: Math.round(times[times.length - 1] as number),
    matching,
  });
}

// The first table: User Selection opens (its review is already in the server's memory).
await measure("first render (open User Selection)", click("go-review"), click("go-selection"));
await measure("filter: status Excluded", set("f-status", "in-scope"), set("f-status", "excluded"));
await measure("filter: grade level 05", set("f-grade", ""), set("f-grade", "05"));
await timed(set("f-grade", ""));
await measure("filter: search a surname", { search: "" }, { search: "smith" });
await timed({ search: "" });
await timed(set("f-status", "in-scope"));
await measure("unselect all matching (everyone in scope), saved", click("select-all"), click("unselect-all"));
await measure("select all matching (everyone in scope), saved", click("unselect-all"), click("select-all"));
await measure("next page", null, click("next"));

await browser.close();
await host.close();

console.log(
  `review app, ${totals.people} people (${totals.importable} importable, ${totals.excluded} excluded), ` +
    `Chromium, ${availableParallelism()} cores; page load ${Math.round(loadMs)} ms`,
);
console.table(rows);
const result = { node: process.version, cpus: availableParallelism(), people: totals.people, loadMs, rows };
console.log(JSON.stringify(result));
const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(
  new URL(`app-${new Date().toISOString().replace(/[:.]/g, "-")}.json`, dir),
  `${JSON.stringify(result, null, 2)}\n`,
);
