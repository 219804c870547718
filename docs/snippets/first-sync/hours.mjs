// Hours write-back against the FACTS simulator: the enable guard, the historic import, then pushes of
// approved hours, an edit and an un-approval. Each run starts from a fresh simulator and memory state.
import { createMemoryDirectory, createMemoryHoursSource, createMemoryStore } from "@rostersync/core";
import { createFactsClient, createFactsHoursSink, createFactsSource } from "@rostersync/facts";
import { createFactsSimulator, generateSchool, startFactsServer } from "@rostersync/facts/testing";
import { createSync } from "@rostersync/sync";

function must(result, what) {
  if (result.isOk()) return result.value;
  console.error(`${what} failed: ${result.error.type}: ${result.error.message}`);
  process.exit(1);
}

// FACTS, with one service-hours record a student logged before the school used your app.
const keys = { subscriptionKey: "demo-subscription-key", apiKey: "demo-school-key" };
const school = generateSchool({ seed: 7, people: 300 });
const student = school.expectedPeople.find((p) => p.role === "student" && p.status === "enrolled" && p.email);
const historic = { serviceHoursId: 9001, personId: Number(student.sourceId), role: "student", hours: 3 };
const sim = createFactsSimulator({
  school,
  keys,
  serviceHours: [{ ...historic, date: "2026-09-12T00:00:00", description: "Book fair", note: "" }],
});
const server = await startFactsServer(sim);
const client = createFactsClient({ ...keys, baseUrl: server.url });

// Your app: accounts (synced from FACTS first, so hours can be matched to FACTS people) and hour entries.
const directory = createMemoryDirectory();
const myHours = createMemoryHoursSource();
const sync = createSync({
  tenantId: "lincoln-high",
  source: createFactsSource({ client }),
  directory,
  store: createMemoryStore(),
  hours: createFactsHoursSink({ client }),
  hoursSource: myHours,
});
must(
  await sync.setup({
    role: "student",
    schools: ["MAIN"],
    gradeLevels: ["K", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"],
    fieldMap: [],
    defaultSelection: true,
    hoursSync: { enabled: false, historicImportDone: false },
  }),
  "setup",
);
must(await sync.refresh(), "refresh");
must(await sync.apply(must(await sync.plan(), "plan")), "apply");

// 1. Switching on before the historic import is refused.
const early = await sync.enableHoursSync();
console.log("enable first:", early.isErr() ? `${early.error.type}: ${early.error.message}` : "on");

// 2. Import what FACTS already holds, then switch on.
console.log("historic import:", JSON.stringify(must(await sync.importHistoricHours(), "import")));
must(await sync.enableHoursSync(), "enable");
console.log("imported into the app:", myHours.getInstance().imported.length, "record(s)");

// 3. Your app's hours: two approved, one waiting for approval.
const linked = directory.snapshot().filter((a) => a.sourceId !== undefined);
const entry = (n, approved, hours, updatedAt) => ({
  hourId: `hour-${n}`,
  accountId: linked[n].accountId,
  role: "student",
  date: "2026-10-29",
  hours,
  description: "Library helper",
  approved,
  deleted: false,
  updatedAt, // must grow with every change
});
myHours.put(entry(1, true, 2, "2026-10-30T10:00:01Z"));
myHours.put(entry(2, true, 2, "2026-10-30T10:00:02Z"));
myHours.put(entry(3, false, 1, "2026-10-30T10:00:03Z"));
const show = (label, r) => {
  console.log(
    `${label}: created ${r.created}, updated ${r.updated}, withdrawn ${r.withdrawn}, deleted ${r.deleted}, failed ${r.failed}`,
  );
  // FACTS cannot delete: an admin removes withdrawn records by hand.
  for (const o of r.needsAttention) console.log(`  attention: ${o.attention}`);
};
show("push 1", must(await sync.pushHours(), "push"));
show("push 2 (nothing changed)", must(await sync.pushHours(), "push"));

// 4. An edit and an un-approval in your app.
myHours.put(entry(1, true, 3, "2026-10-31T09:00:01Z")); // 2 → 3 hours
myHours.put(entry(2, false, 2, "2026-10-31T09:00:02Z")); // no longer approved
show("push 3", must(await sync.pushHours(), "push"));

const inFacts = sim.serviceHours().map((h) => `${h.serviceHoursId}: ${h.hours} h ${h.description}`);
console.log("FACTS service hours now:", inFacts.join("; "));
await server.close();
