import { describe, expect, it } from "vitest";
import { createFactsSource, ROSTER_ENDPOINTS } from "../../src/index.js";
import { createFactsSimulator, generateSchool, nextSchoolYear } from "../../src/testing/index.js";
import { KEYS, serveSchool, useServers } from "./support.js";

const serve = useServers();

describe("a full read through the HTTP simulator", () => {
  it("returns exactly the expected people of a 10k-person school", async () => {
    const { school, sim, client } = await serveSchool(serve, { seed: 7, people: 10_000, schools: ["MAIN", "EAST"] });
    const snapshot = await createFactsSource({ client }).read();
    if (snapshot.isErr()) throw new Error(snapshot.error.message);
    expect(snapshot.value.people.length).toBe(school.expectedPeople.length);
    expect(snapshot.value.people).toEqual(school.expectedPeople);
    // Every roster endpoint was read, page by page, and nothing else.
    for (const endpoint of ROSTER_ENDPOINTS) expect(sim.stats().byEndpoint[endpoint]).toBeGreaterThan(0);
    expect(sim.stats().requests).toBe(client.stats().requests);
  }, 300_000);

  it("returns exactly the expected people of the next school year after load()", async () => {
    const school = generateSchool({ seed: 3, people: 1500 });
    const next = nextSchoolYear(school, { seed: 4 });
    const sim = createFactsSimulator({ school, keys: KEYS, rateLimit: false });
    const { client } = await serve(sim);
    sim.load(next);
    const snapshot = await createFactsSource({ client }).read();
    if (snapshot.isErr()) throw new Error(snapshot.error.message);
    expect(snapshot.value.people).toEqual(next.expectedPeople);
  });
});
