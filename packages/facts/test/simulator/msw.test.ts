import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFactsClient, createFactsSource } from "../../src/index.js";
import { createFactsSimulator, factsHandlers, generateSchool } from "../../src/testing/index.js";
import { FAST, KEYS } from "./support.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const baseUrl = "https://sim.facts.test/api";
const school = generateSchool({ seed: 13, people: 3000 });

describe("the simulator as msw handlers", () => {
  it("serves the same roster as over HTTP: a full read equals the expected people", async () => {
    const sim = createFactsSimulator({ school, keys: KEYS, rateLimit: false });
    server.use(...factsHandlers(sim, { baseUrl }));
    const client = createFactsClient({ ...KEYS, baseUrl, ...FAST });
    const snapshot = await createFactsSource({ client }).read();
    expect(snapshot._unsafeUnwrap().people).toEqual(school.expectedPeople);
    expect(sim.stats().requests).toBe(client.stats().requests);
  }, 300_000);

  it("turns a timeout into no answer, and a dropped connection into a network error", async () => {
    const sim = createFactsSimulator({
      school,
      keys: KEYS,
      rateLimit: false,
      faults: [
        { endpoint: "/Families", fault: { type: "timeout" } },
        { endpoint: "/Students", fault: { type: "drop" } },
      ],
    });
    server.use(...factsHandlers(sim, { baseUrl }));
    const client = createFactsClient({ ...KEYS, baseUrl, ...FAST, timeoutMs: 200, retry: { limit: 0 } });
    const families = await client.request("GET", "/Families", { searchParams: { Page: 1, PageSize: 10 } });
    expect(families._unsafeUnwrapErr().type).toBe("Timeout");
    const students = await client.request("GET", "/Students", { searchParams: { Page: 1, PageSize: 10 } });
    expect(students._unsafeUnwrapErr().type).toBe("Network");
    expect(sim.log().map((l) => l.outcome)).toEqual(["no answer", "dropped"]);
  });

  it("rate-limits msw traffic the same way", async () => {
    const sim = createFactsSimulator({ school, keys: KEYS, rateLimit: { windows: [{ requests: 2, windowMs: 5000 }] } });
    server.use(...factsHandlers(sim, { baseUrl }));
    const client = createFactsClient({ ...KEYS, baseUrl, ...FAST, retry: { rateLimitRetries: 0 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const r = await client.request("GET", "/Families");
      statuses.push(r.isOk() ? r.value.status : r.error.type);
    }
    expect(statuses).toEqual([200, 200, "RateLimited"]);
  });
});
