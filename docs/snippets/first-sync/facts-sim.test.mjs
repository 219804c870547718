// The real FACTS client against the FACTS simulator over HTTP: a school year, then a bad payload.
import { createMemoryDirectory, createMemoryStore } from "@rostersync/core";
import { createFactsClient, createFactsSource } from "@rostersync/facts";
import { createFactsSimulator, generateSchool, nextSchoolYear, startFactsServer } from "@rostersync/facts/testing";
import { createSync } from "@rostersync/sync";
import { afterAll, expect, it } from "vitest";

const keys = { subscriptionKey: "test-subscription", apiKey: "test-school" };
const school = generateSchool({ seed: 11, people: 800 });
const sim = createFactsSimulator({ school, keys });
const server = await startFactsServer(sim);
afterAll(() => server.close());

const directory = createMemoryDirectory();
const sync = createSync({
  tenantId: "lincoln-high",
  source: createFactsSource({ client: createFactsClient({ ...keys, baseUrl: server.url }) }),
  directory,
  store: createMemoryStore(),
});
const profile = {
  role: "student",
  schools: ["MAIN"],
  gradeLevels: ["K", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"],
  fieldMap: [{ source: "udf:tshirt", target: "T-Shirt Size", createAs: "dropdown" }],
  defaultSelection: true,
  hoursSync: { enabled: false, historicImportDone: false },
};

it("adds a school's students, then archives next year's graduates and adds the newcomers", async () => {
  (await sync.setup(profile))._unsafeUnwrap();
  (await sync.refresh())._unsafeUnwrap();
  const first = (await sync.plan())._unsafeUnwrap();
  (await sync.apply(first))._unsafeUnwrap();
  const enrolled = school.expectedPeople.filter((p) => p.role === "student" && p.status === "enrolled");
  expect(first.counts.add).toBeGreaterThan(enrolled.length * 0.8); // all but those with email problems

  sim.load(nextSchoolYear(school, { seed: 12 })); // FACTS a year later: graduates, promotions, new families
  const review = (await sync.refresh())._unsafeUnwrap();
  expect(review.totals.newPeople).toBeGreaterThan(0); // the New? column
  const next = (await sync.plan())._unsafeUnwrap();
  expect(next.counts.archive).toBeGreaterThan(0);
  expect(next.actions.filter((a) => a.type === "archive").every((a) => a.reasons.includes("out-of-scope"))).toBe(true);
  const run = (await sync.apply(next, { acknowledge: next.planHash }))._unsafeUnwrap(); // a person looked
  expect(run.counts.archive).toBe(next.counts.archive);
});

it("refuses a roster with a malformed record instead of syncing part of it", async () => {
  const before = directory.snapshot();
  sim.faults.add({ endpoint: "/People", fault: { type: "wrongType" }, times: 1 });
  const review = await sync.refresh();
  expect(review.isErr() && review.error.type).toBe("SourceFailed");
  expect(directory.snapshot()).toEqual(before); // nothing was written
});
