import { GRADE_CODES, generatedProfile, generateSchool as generateHostSchool } from "@rostersync/core/testing";
import { createFactsSource } from "@rostersync/facts";
import { createFactsSimulator, type FactsServer, generateSchool, startFactsServer } from "@rostersync/facts/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testFactsClient } from "./helpers/facts.js";
import { memorySchool, must, rosterOf, studentProfile } from "./helpers/school.js";

const keys = { subscriptionKey: "0123456789abcdef0123456789abcdef", apiKey: `FK-${"ef".repeat(50)}` };
const sim = createFactsSimulator({ school: generateSchool({ seed: 7, people: 600 }), keys, rateLimit: false });
let server: FactsServer;
beforeAll(async () => {
  server = await startFactsServer(sim);
});
afterAll(() => server.close());

describe("unattended runs (issue 15, item 8)", () => {
  it("reads the roster from FACTS once: as many requests as one refresh", async () => {
    const client = testFactsClient(server.url, keys);
    const { sync } = memorySchool({ tenantId: "school-nightly", source: createFactsSource({ client }) });
    must(await sync.setup(studentProfile({ gradeLevels: GRADE_CODES })));
    // The attended first sync.
    sim.resetStats();
    must(await sync.refresh());
    const oneRead = sim.stats().requests;
    expect(oneRead).toBeGreaterThan(0);
    const plan = must(await sync.plan());
    must(await sync.apply(plan, { acknowledge: plan.planHash }));

    sim.resetStats();
    const nightly = must(await sync.run({ unattended: true }));
    expect(nightly.applied).toBe(true);
    const unattended = sim.stats().requests;
    console.log(`unattended run: ${unattended} FACTS requests (one roster read: ${oneRead})`);
    expect(unattended).toBe(oneRead);
  });
});

describe("the first sync of a school is attended (issue 15, item 8)", () => {
  it("an unattended run before any reviewed sync applies nothing and says so, even with nothing to hold", async () => {
    const school = generateHostSchool({
      seed: 9,
      people: 60,
      accountsFor: "none",
      sharedEmailRate: 0,
      missingEmailRate: 0,
      invalidEmailRate: 0,
    });
    const { sync, directory, store } = memorySchool({ tenantId: "school-new", roster: rosterOf(school) });
    must(await sync.setup(generatedProfile(school, "student")));
    const first = must(await sync.run({ unattended: true }));
    expect(first.applied).toBe(false);
    if (first.applied) return;
    expect(first.plan.holds).toEqual([]);
    expect(first.needsAttention.newErrors).toEqual([]);
    expect(first.plan.counts.add).toBeGreaterThan(0);
    expect(first.needsAttention).toMatchObject({ reasons: ["first-run"], firstRun: true });
    expect(first.message).toMatch(/first sync/);
    expect(directory.writes()).toBe(0);
    expect(must(await store.listRuns("school-new"))).toEqual([]);

    // Once a person applied the first sync, the nightly run applies on its own.
    must(await sync.apply(first.plan));
    const nightly = must(await sync.run({ unattended: true }));
    expect(nightly.applied).toBe(true);
  });
});
