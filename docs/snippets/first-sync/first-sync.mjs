// A first sync from FACTS (a simulator on a loopback port) → review → decisions → plan → apply, into a SQLite
// account directory. Run it twice: the second run finds everything already done and writes nothing.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { errorReportCsv } from "@rostersync/core";
import { createFactsClient, createFactsSource } from "@rostersync/facts";
import { createFactsSimulator, generateSchool, startFactsServer } from "@rostersync/facts/testing";
import { renderReviewHtml } from "@rostersync/review-page";
import { createSqliteDirectory, createSqliteStore } from "@rostersync/storage-sqlite";
import { createSync } from "@rostersync/sync";

/** Every rostersync call at an I/O edge answers a Result: stop on an error, else give the value. */
function must(result, what) {
  if (result.isOk()) return result.value;
  console.error(`${what} failed: ${result.error.type}: ${result.error.message}`);
  process.exit(1);
}

// 1. FACTS: a generated school of ~600 people (families, shared family emails, missing emails, leavers),
//    served in FACTS's own shapes, paging and rate limit over HTTP. The real client reads it.
const keys = { subscriptionKey: "demo-subscription-key", apiKey: "demo-school-key" };
const school = generateSchool({ seed: 7, people: 600 });
const server = await startFactsServer(createFactsSimulator({ school, keys }));
const client = createFactsClient({ ...keys, baseUrl: server.url });
const source = createFactsSource({ client });

// 2. Where rostersync keeps its state, and your app's accounts (openYourAppsAccounts, at the end).
const data = join(import.meta.dirname, "data"); // beside this script
mkdirSync(data, { recursive: true });
const store = must(await createSqliteStore({ path: join(data, "rostersync.db") }), "open the store");
const accounts = await openYourAppsAccounts(join(data, "accounts.db"));
const directory = accounts.directory; // any TargetDirectory: from here on the script uses only the port

const sync = createSync({ tenantId: "lincoln-high", source, directory, store });

// 3. The school's setup: parents of students in every grade, two fields mapped, new people selected.
const profile = {
  role: "parent",
  schools: ["MAIN"],
  gradeLevels: ["K", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"],
  fieldMap: [
    { source: "udf:team", target: "Volunteer Team", createAs: "dropdown" },
    { source: "family:parish", target: "Parish" },
  ],
  defaultSelection: true,
  hoursSync: { enabled: false, historicImportDone: false },
};
must(await sync.setup(profile), "save the setup");

// 4. Review: who can be imported, who is excluded and why.
let review = must(await sync.refresh(), "refresh");
const t = review.totals;
console.log(`review: ${t.people} people, ${t.importable} importable, ${t.excluded} excluded (${t.missingEmails} \
missing emails, ${t.invalidEmails} invalid), duplicates ${t.duplicatesRed} red / ${t.duplicatesGray} gray`);
writeFileSync(join(data, "errors.csv"), errorReportCsv(review)); // R12: for whoever fixes the SIS data

// 5. Decide: parents who share one family email: the admin keeps one per address (here the lowest id).
review = must(
  await sync.decide((d) => {
    let draft = d;
    for (const group of review.duplicateGroups) {
      if (group.chosen === null) draft = draft.resolveDuplicate(group.email, group.members[0]);
    }
    return draft;
  }),
  "save decisions",
);
console.log(`decided: ${review.totals.importable} importable, duplicates ${review.totals.duplicatesRed} red / \
${review.totals.duplicatesGray} gray; users to sync ${review.totals.toSync}, to skip ${review.totals.toSkip}`);
writeFileSync(join(data, "review.html"), renderReviewHtml(review, { schoolName: "Lincoln High" })); // open it

// 6. Plan: every action explained, counted, checked for safety holds.
const plan = must(await sync.plan(), "plan");
const counts = Object.entries(plan.counts).map(([type, n]) => `${type} ${n}`);
console.log(`plan: ${counts.join(", ")}; holds ${plan.holds.length}; hash ${plan.planHash}`);
for (const type of ["add", "link", "skip"]) {
  const action = plan.actions.find((a) => a.type === type);
  if (action) console.log(`  e.g. ${type} ${action.sourceId}: ${action.reasons.join(", ")}`);
}

// 7. Apply exactly once. A held plan (R10) waits for a person: apply it with { acknowledge: plan.planHash }.
if (plan.holds.length > 0) {
  for (const hold of plan.holds) console.log(`held: ${hold.message}`);
} else {
  const run = must(await sync.apply(plan, { actor: "getting-started" }), "apply");
  console.log(`applied: run ${run.runId} ${run.status}, ${run.done} of ${run.total} actions, ${run.failed} failed`);
  console.log(`to invite (added, or never signed in): ${run.inviteCandidates.length}`);
}
console.log(`files: ${relative(process.cwd(), data) || "."}`); // relative: no machine paths in what you share

await accounts.close();
await store.close();
await server.close();

/**
 * Your app's accounts, behind the `TargetDirectory` port: put your own adapter here (docs/adapters.md). This
 * stand-in is a small SQLite directory in which three parents already signed up on their own with the email
 * FACTS has: a sync links them (they keep their history and hours) instead of creating a second account.
 */
async function openYourAppsAccounts(path) {
  const directory = must(await createSqliteDirectory({ path }), "open the accounts");
  if (must(await directory.listAccounts(), "list accounts").length === 0) {
    const early = school.expectedPeople.filter((p) => p.role === "parent" && p.status === "enrolled" && p.email);
    directory.seed(
      early.slice(0, 3).map((p, i) => ({
        accountId: `volunteer-${i + 1}`,
        email: p.email.trim().toLowerCase(),
        firstName: p.firstName,
        lastName: p.lastName,
        archived: false,
        managed: false,
        fields: {},
        neverAccessed: false,
      })),
    );
  }
  return { directory, close: () => directory.close() };
}
