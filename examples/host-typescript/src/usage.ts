import { createFactsClient, createFactsHoursSink, createFactsSource } from "@rostersync/facts";
import { createSqliteStore } from "@rostersync/storage-sqlite";
import { createSync, type SyncError } from "@rostersync/sync";
import { createAccountsDirectory } from "./directory.ts"; // your app's accounts, behind the TargetDirectory port
import { createHoursLog } from "./hours.ts"; // your app's approved hours, behind the HoursSource port

function fail(step: string, error: SyncError | { type: string; message: string }): never {
  console.error(`${step} failed: ${error.type}: ${error.message}`);
  if ("problems" in error) for (const p of error.problems) console.error(`  ${p.path}: ${p.message}`);
  process.exit(1);
}

const client = createFactsClient({
  subscriptionKey: process.env.FACTS_SUBSCRIPTION_KEY ?? "", // Ocp-Apim-Subscription-Key
  apiKey: process.env.FACTS_API_KEY ?? "", // the school's Facts-Api-Key
  baseUrl: process.env.FACTS_BASE_URL, // default https://api.factsmgt.com
});
const store = await createSqliteStore({ path: process.env.ROSTERSYNC_DB ?? "rostersync.db" });
if (store.isErr()) fail("opening the store", store.error);
const sync = createSync({
  tenantId: "school-42",
  source: createFactsSource({ client }),
  directory: createAccountsDirectory(),
  store: store.value,
  hours: createFactsHoursSink({ client }), // optional: approved hours back to FACTS service hours
  hoursSource: createHoursLog(),
});

// Step 1: test the key. Step 2: choose among what this school's FACTS has.
const access = await sync.checkAccess();
if (access.isErr()) fail("testing the key", access.error);
for (const p of access.value.permissions) console.log(`${p.name}: ${p.granted}`, p.message ?? "");
const catalogue = await sync.catalogue();
if (catalogue.isErr()) fail("reading the setup catalogue", catalogue.error);
const saved = await sync.setup({
  role: "student",
  schools: catalogue.value.schools.filter((s) => s.active).map((s) => s.schoolCode),
  gradeLevels: catalogue.value.gradeLevels.map((g) => g.code).filter((c) => ["09", "10", "11", "12"].includes(c)),
  fieldMap: [{ source: "classYear", target: "Class Year", createAs: "dropdown" }],
  defaultSelection: true,
  hoursSync: { enabled: false, historicImportDone: false },
});
if (saved.isErr()) fail("setup", saved.error); // InvalidInput lists every problem (an unknown school code…)

const review = await sync.refresh(); // who is importable, excluded, skipped, new
if (review.isErr()) fail("refresh", review.error);
console.log(review.value.totals); // importable, duplicates red / gray, missing emails…
const group = review.value.duplicateGroups[0];
if (group !== undefined) {
  // The admin's choice for one shared email, as your review screen would send it.
  const decided = await sync.decide((d) => d.resolveDuplicate(group.email, group.members[0] ?? ""));
  if (decided.isErr()) fail("decide", decided.error);
}

const plan = await sync.plan(); // add / link / update / restore / archive / skip
if (plan.isErr()) fail("plan", plan.error);
console.log(plan.value.counts);
if (plan.value.holds.length > 0) {
  // Held (R10): show each message to a person; apply with { acknowledge: planHash } only after they agree.
  for (const hold of plan.value.holds) console.log("held:", hold.message);
  process.exit(0);
}
const run = await sync.apply(plan.value, { actor: "admin-7" });
if (run.isErr()) fail("apply", run.error); // StalePlan, Locked, SourceFailed… (resume an Aborted run by id)
console.log(run.value.counts, `${run.value.inviteCandidates.length} to invite`);
await store.value.close();
