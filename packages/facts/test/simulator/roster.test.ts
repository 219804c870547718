import { afterEach, describe, expect, it } from "vitest";
import { createFactsClient, createFactsSource, ROSTER_ENDPOINTS } from "../../src/index.js";
import {
  createFactsSimulator,
  type FactsServer,
  generateSchool,
  nextSchoolYear,
  startFactsServer,
} from "../../src/testing/index.js";

const keys = { subscriptionKey: "sim-subscription-key-000000000000", apiKey: "sim-api-key" };
const fast = { windows: [{ requests: 100_000, windowMs: 1000 }], marginMs: 0 };

let server: FactsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("a full read through the HTTP simulator", () => {
  it("returns exactly the expected people of a 10k-person school", async () => {
    const school = generateSchool({ seed: 7, people: 10_000, schools: ["MAIN", "EAST"] });
    const sim = createFactsSimulator({ school, keys, rateLimit: false });
    server = await startFactsServer(sim);
    const client = createFactsClient({ ...keys, baseUrl: server.url, budget: fast });
    const snapshot = await createFactsSource(client).read();
    if (snapshot.isErr()) throw new Error(snapshot.error.message);
    expect(snapshot.value.people.length).toBe(school.expectedPeople.length);
    expect(snapshot.value.people).toEqual(school.expectedPeople);
    // Every roster endpoint was read, page by page, and nothing else.
    for (const endpoint of ROSTER_ENDPOINTS) expect(sim.stats().byEndpoint[endpoint]).toBeGreaterThan(0);
    expect(sim.stats().requests).toBe(client.stats().requests);
  });

  it("returns exactly the expected people of the next school year after load()", async () => {
    const school = generateSchool({ seed: 3, people: 1500 });
    const next = nextSchoolYear(school, { seed: 4 });
    const sim = createFactsSimulator({ school, keys, rateLimit: false });
    server = await startFactsServer(sim);
    sim.load(next);
    const client = createFactsClient({ ...keys, baseUrl: server.url, budget: fast });
    const snapshot = await createFactsSource(client).read();
    if (snapshot.isErr()) throw new Error(snapshot.error.message);
    expect(snapshot.value.people).toEqual(next.expectedPeople);
  });
});
