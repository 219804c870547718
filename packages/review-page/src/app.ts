/**
 * `renderReviewApp`: the admin's whole sync workflow as one interactive page, driving `@rostersync/http`'s
 * JSON API from the browser.
 *
 * @module
 */

import { APP_SCRIPT, APP_STYLE } from "./app-assets.js";
import { APP_SCRIPT_SHA256, APP_STYLE_SHA256 } from "./csp.js";
import { escapeHtml, scriptSafeJson } from "./escape.js";
import { pageHead } from "./head.js";

/** Options of {@link renderReviewApp}: what the handler knows about itself (it passes exactly these). */
export interface ReviewAppOptions {
  /** Where the handler is mounted, e.g. `/api/rostersync`: the page calls its API under it. */
  readonly basePath: string;
  /** The header every state-changing request carries (the handler's `csrfHeader`). Default `x-rostersync`. */
  readonly csrfHeader?: string | undefined;
  /** Whether Step 1 offers a field for the school's API key (the handler has a key store). Default `false`. */
  readonly keyEntry?: boolean | undefined;
  /** The page's heading and `<title>`. Default `"Sync with FACTS SIS"`. */
  readonly title?: string | undefined;
}

/** The rendered app and the Content-Security-Policy to serve it with. */
export interface ReviewAppPage {
  readonly html: string;
  /**
   * For the `content-security-policy` header: only the page's own style and script run, and it talks only
   * to its own origin. The page carries the same policy in a `<meta>` (minus `frame-ancestors`, which only
   * a header can set).
   */
  readonly contentSecurityPolicy: string;
}

const policy = (frameAncestors: boolean): string =>
  [
    "default-src 'none'",
    `style-src '${APP_STYLE_SHA256}'`,
    `script-src '${APP_SCRIPT_SHA256}'`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    ...(frameAncestors ? ["frame-ancestors 'none'"] : []),
  ].join("; ");

const STEP_NAMES: readonly (readonly [string, string])[] = [
  ["key", "Step 1. Provide your FACTS SIS API Key"],
  ["school", "Step 2. Confirm School and User Type"],
  ["fields", "Step 3. Map Profile Fields"],
  ["selection", "Step 4. User Selection"],
  ["duplicates", "Resolve Duplicates"],
  ["excluded", "Excluded Students"],
  ["review", "User Review"],
  ["tasks", "Pending Sync Tasks"],
  ["invite", "Sync and Invite"],
];

const next = (id: string, label = "Save &amp; Next") =>
  `<p class="next"><button type="button" id="${id}">${label}</button></p>`;

/**
 * Renders the interactive review app: one self-contained page (inline CSS and one inline script, allowed by
 * hash; no framework; no network but the handler's own API) that walks a school admin through the sync in
 * the words of their sync tool — Step 1 the API key ("test the key" names the FACTS permissions) and the
 * hour-syncing switch (with the historic-hours guard's answer), Step 2 school(s), user type and grade levels,
 * Step 3 profile fields (map, or create a text or dropdown field), Step 4 User Selection (Sync? checkboxes,
 * filters, select all under the filters, Save updating the three numbers), Resolve Duplicates, Excluded
 * Students, User Review, Pending Sync Tasks (counts, examples and reasons, a held plan's message and its
 * acknowledgement), Sync with a progress bar, and the invite list. A school with a setup opens on
 * "Preview &amp; Sync Data", and its review on the new users and new errors (R5).
 *
 * Its shape fits `createRosterHandler({ app })` of `@rostersync/http`, which serves it at `GET {basePath}/`
 * with the returned policy. Pure: the same options give the same page.
 *
 * @example
 * ```ts
 * import { createRosterHandler } from "@rostersync/http";
 * import { renderReviewApp } from "@rostersync/review-page";
 *
 * const handler = createRosterHandler({ basePath: "/admin/sync", resolve, app: renderReviewApp });
 * // GET /admin/sync/ is the app; everything else under /admin/sync is its API.
 * ```
 */
export function renderReviewApp(options: ReviewAppOptions): ReviewAppPage {
  const title = options.title ?? "Sync with FACTS SIS";
  const config = {
    basePath: options.basePath.replace(/\/+$/, ""),
    csrfHeader: options.csrfHeader ?? "x-rostersync",
    keyEntry: options.keyEntry === true,
  };
  const nav = STEP_NAMES.map(
    ([id, name]) => `<li><button type="button" id="go-${id}">${escapeHtml(name)}</button></li>`,
  ).join("");
  const html = [
    ...pageHead(title, policy(false), APP_STYLE),
    `</head><body><div id="app">`,
    `<header><h1>${escapeHtml(title)}</h1></header>`,
    `<div class="layout"><nav aria-label="Sync steps"><ol>${nav}</ol></nav>`,
    `<main>`,
    `<div id="alert" role="alert" tabindex="-1"></div>`,
    `<p id="notice" role="status"></p>`,
    `<div id="working" hidden><label for="progress" id="progress-label">Working…</label> <progress id="progress" max="1"></progress> <span id="progress-text" role="status"></span></div>`,
    `<div id="hours-guard" class="panel hold" role="region" aria-labelledby="h-guard" hidden><h2 id="h-guard">Hour syncing is not on yet</h2><p id="guard-text"></p>`,
    `<p class="next"><button type="button" id="guard-force">Turn hour syncing on anyway</button><button type="button" id="guard-off" class="secondary">Leave it off for now</button></p></div>`,

    `<section id="step-home" aria-labelledby="h-home" hidden><h2 id="h-home" tabindex="-1">Sync with FACTS SIS</h2>`,
    `<p>Your setup is kept between syncs. When FACTS SIS is up to date for the new school year (graduates and unenrolled students marked, new families imported), preview the changes and sync.</p>`,
    `<p class="next"><button type="button" id="preview" class="sync">Preview &amp; Sync Data</button><button type="button" id="start-over" class="secondary">Change the setup (Steps 1–3)</button></p></section>`,

    `<section id="step-key" aria-labelledby="h-key" hidden><h2 id="h-key" tabindex="-1">${STEP_NAMES[0]?.[1]}</h2>`,
    `<div id="key-entry"><p><label for="api-key">FACTS SIS API key</label><br><input type="password" id="api-key" autocomplete="off" spellcheck="false"></p>`,
    `<p class="hint">The key is sent once to your server and stored there; this page never shows it again.</p></div>`,
    `<p><button type="button" id="test-key" class="secondary">Test the key</button></p><div id="access"></div>`,
    `<fieldset><legend>Do you want to enable hour syncing?</legend><div class="choices">`,
    `<span><input type="radio" name="hours" id="hours-yes" value="yes"><label for="hours-yes"> Yes</label></span>`,
    `<span><input type="radio" name="hours" id="hours-no" value="no"><label for="hours-no"> No</label></span></div>`,
    `<p class="hint">All approved hours then sync back to FACTS SIS. If you have historic hours in FACTS SIS to import first, leave this empty and come back after importing them.</p></fieldset>`,
    next("key-next"),
    `</section>`,

    `<section id="step-school" aria-labelledby="h-school" hidden><h2 id="h-school" tabindex="-1">${STEP_NAMES[1]?.[1]}</h2>`,
    `<fieldset><legend>School(s)</legend><div id="schools" class="choices"></div></fieldset>`,
    `<p><label for="user-type">User type</label> <select id="user-type"></select></p>`,
    `<fieldset id="grades-fieldset"><legend>Grade levels to sync</legend><div id="grades" class="choices"></div>`,
    `<p><button type="button" id="grades-all" class="secondary">Check all grade levels</button></p></fieldset>`,
    next("school-next"),
    `</section>`,

    `<section id="step-fields" aria-labelledby="h-fields" hidden><h2 id="h-fields" tabindex="-1">${STEP_NAMES[2]?.[1]}</h2>`,
    `<p>Map FACTS SIS user fields to your profile fields, or create a profile field with &lt;Create new text field&gt; or &lt;Create new dropdown field&gt;. Profile fields nothing maps still show up for new users to fill out when they first log in.</p>`,
    `<table><caption class="sr-only">FACTS SIS user fields</caption><thead><tr><th scope="col">FACTS SIS field</th><th scope="col">Profile field</th><th scope="col">Name</th></tr></thead><tbody id="fields-builtin"></tbody></table>`,
    `<h3>Additional FACTS SIS User Defined Fields</h3>`,
    `<table><caption class="sr-only">FACTS SIS user defined fields</caption><thead><tr><th scope="col">FACTS SIS field</th><th scope="col">Profile field</th><th scope="col">Name</th></tr></thead><tbody id="fields-udf"></tbody></table>`,
    next("fields-next"),
    `</section>`,

    `<section id="step-selection" aria-labelledby="h-selection" hidden><h2 id="h-selection" tabindex="-1">${STEP_NAMES[3]?.[1]}</h2>`,
    `<p>Select the users to sync with the Sync? checkboxes, or select all under the current filters. Click Save to see the numbers update. Unselected users stay skipped on later syncs until you select them again.</p>`,
    `<div id="selection-table"></div>`,
    next("selection-next"),
    `</section>`,

    `<section id="step-duplicates" aria-labelledby="h-duplicates" hidden><h2 id="h-duplicates" tabindex="-1">${STEP_NAMES[4]?.[1]}</h2>`,
    `<p>Each account requires a unique email address. Where people share one in FACTS SIS, choose which of them to sync.</p>`,
    `<p><input type="checkbox" id="dup-new-only"><label for="dup-new-only"> Only new errors</label></p>`,
    `<div id="dup-groups"></div>`,
    next("dup-next"),
    `</section>`,

    `<section id="step-excluded" aria-labelledby="h-excluded" hidden><h2 id="h-excluded" tabindex="-1">${STEP_NAMES[5]?.[1]}</h2>`,
    `<p>These people are excluded from the sync because of errors in their FACTS SIS data. Fix them in FACTS SIS and refresh, or sync them later.</p>`,
    `<div class="bulk"><span><input type="checkbox" id="exc-new-only"><label for="exc-new-only"> Only new errors</label></span>`,
    `<button type="button" id="error-report" class="secondary">Download error report (CSV)</button></div>`,
    `<table><caption class="sr-only">Excluded people</caption><thead><tr><th scope="col">Name</th><th scope="col">ID</th><th scope="col">Grade</th><th scope="col">Email</th><th scope="col">Reason</th><th scope="col">New error?</th></tr></thead><tbody id="excluded-rows"></tbody></table>`,
    `<div class="pager"><button type="button" id="exc-prev" class="secondary">Previous page</button><span id="exc-info" role="status"></span><button type="button" id="exc-next-page" class="secondary">Next page</button></div>`,
    next("excluded-next"),
    `</section>`,

    `<section id="step-review" aria-labelledby="h-review" hidden><h2 id="h-review" tabindex="-1">${STEP_NAMES[6]?.[1]}</h2>`,
    `<p>Review all your selections before the sync. You can still select or unselect users here.</p>`,
    `<div id="review-table"></div>`,
    next("review-next"),
    `</section>`,

    `<section id="step-tasks" aria-labelledby="h-tasks" hidden><h2 id="h-tasks" tabindex="-1">${STEP_NAMES[7]?.[1]}</h2>`,
    `<ul id="task-counts" class="numbers" aria-label="Pending sync tasks"></ul>`,
    `<div id="holds" class="panel hold" hidden></div>`,
    `<div id="examples"></div>`,
    `<p class="next"><button type="button" id="sync" class="sync" disabled>Sync</button></p>`,
    `</section>`,

    `<section id="step-invite" aria-labelledby="h-invite" hidden><h2 id="h-invite" tabindex="-1">${STEP_NAMES[8]?.[1]}</h2>`,
    `<div id="run-summary"></div>`,
    `<p>Invite new users to set their password: download the list of users who were added or never accessed their account.</p>`,
    `<p><button type="button" id="invites">Download invite list (CSV)</button></p>`,
    `</section>`,

    // The people table, moved into User Selection or User Review when one opens.
    `<div id="panel-parking" hidden><div id="people-panel">`,
    `<ul class="numbers" aria-label="Users"><li><span class="n" id="n-sync">0</span><span id="w-sync">Students to sync</span></li>`,
    `<li><span class="n" id="n-skip">0</span><span id="w-skip">Students to skip</span></li>`,
    `<li><span class="n" id="n-exclude">0</span><span id="w-exclude">Students to exclude</span></li>`,
    `<li><span class="n" id="n-new">0</span><span>New users</span></li><li><span class="n" id="n-errors">0</span><span>New errors</span></li></ul>`,
    `<div class="filters"><label>Status <select id="f-status">`,
    `<option value="needs-review">With new users and new errors</option><option value="new">With new users</option>`,
    `<option value="in-scope">All users in scope</option><option value="importable">Importable</option>`,
    `<option value="skipped">Unselected (to skip)</option><option value="excluded">Excluded</option>`,
    `<option value="red">Red flags</option><option value="gray">Gray flags</option><option value="new-errors">New errors</option>`,
    `<option value="all">Everyone in FACTS SIS</option></select></label>`,
    `<label id="f-grade-label">Grade level <select id="f-grade"></select></label>`,
    `<form id="f-search-form" role="search"><label for="f-search">Search</label> <input type="search" id="f-search"> <button type="submit" class="secondary">Search</button></form></div>`,
    `<div class="bulk"><span id="matching" role="status"></span><button type="button" id="select-all" class="secondary">Select all</button>`,
    `<button type="button" id="unselect-all" class="secondary">Unselect all</button></div>`,
    `<table id="people"><caption class="sr-only">Users</caption><thead><tr><th scope="col">Sync?</th><th scope="col">New?</th><th scope="col">Name</th><th scope="col">ID</th><th scope="col">Grade</th><th scope="col">Email</th><th scope="col">Status</th><th scope="col">Flag</th></tr></thead><tbody id="people-rows"></tbody></table>`,
    `<div class="pager"><button type="button" id="prev" class="secondary">Previous page</button><span id="page-info"></span><button type="button" id="next" class="secondary">Next page</button></div>`,
    `<p class="next"><button type="button" id="save">Save</button><span id="pending" role="status"></span></p>`,
    `</div></div>`,
    `</main></div></div>`,
    `<script type="application/json" id="rs-config">${scriptSafeJson(config)}</script>`,
    `<script>${APP_SCRIPT}</script>`,
    "</body></html>",
    "",
  ].join("\n");
  return { html, contentSecurityPolicy: policy(true) };
}
