import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { createFactsClient, type FactsClientOptions } from "../../src/index.js";
import { BASE, type FakeFacts, fakeFacts, KEYS } from "./fake-facts.js";

/** One msw server per test file, strict about requests nobody handles. */
export function useMsw() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return {
    server,
    /** A fake FACTS with these tables, installed for the current test. */
    facts(tables: Record<string, Record<string, unknown>[]> = {}): FakeFacts {
      const fake = fakeFacts(tables);
      server.use(...fake.handlers);
      return fake;
    },
  };
}

/** A client against the fake with a budget generous enough for unit tests and no backoff waits. */
export function testClient(options: Partial<FactsClientOptions> = {}) {
  return createFactsClient({
    ...KEYS,
    baseUrl: BASE,
    budget: { windows: [{ requests: 10_000, windowMs: 1000 }], marginMs: 0 },
    retry: { baseDelayMs: 1, jitter: (d) => d },
    ...options,
  });
}
