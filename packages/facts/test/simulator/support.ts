import { afterEach } from "vitest";
import { createFactsClient, type FactsClientOptions } from "../../src/index.js";
import {
  createFactsSimulator,
  type FactsServer,
  type FactsSimulator,
  type GenerateSchoolOptions,
  generateSchool,
  startFactsServer,
} from "../../src/testing/index.js";

/** Keys shaped like real ones (32 and 108 characters), so a leak would be visible. */
export const KEYS = {
  subscriptionKey: "5f0c1e9a7b2d4c6e8a0b1c2d3e4f5a6b",
  apiKey: `FK-${"9a8b7c6d5e4f3a2b1c0d".repeat(5)}abcde`,
} as const;

/** A client budget far above anything a test reaches, and backoffs of a millisecond. */
export const FAST = {
  budget: { windows: [{ requests: 1_000_000, windowMs: 1000 }], marginMs: 0 },
  retry: { baseDelayMs: 1, jitter: (d: number) => d },
} as const;

/** Starts simulators over HTTP for one test file and closes them after each test. */
export function useServers() {
  const open: FactsServer[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return async (sim: FactsSimulator, client: Partial<FactsClientOptions> = {}) => {
    const server = await startFactsServer(sim);
    open.push(server);
    return {
      server,
      client: createFactsClient({ ...KEYS, baseUrl: server.url, ...FAST, ...client }),
      /** A raw request with the right keys (or the headers given). */
      fetch: (pathAndQuery: string, init: RequestInit = {}) =>
        fetch(`${server.url}${pathAndQuery}`, {
          ...init,
          headers: {
            "Ocp-Apim-Subscription-Key": KEYS.subscriptionKey,
            "Facts-Api-Key": KEYS.apiKey,
            "content-type": "application/json",
            ...(init.headers as Record<string, string> | undefined),
          },
        }),
    };
  };
}

/**
 * Generates a school, simulates it with the test {@link KEYS} and no rate limit, and serves it with `serve`
 * (from {@link useServers}): the school, the simulator and what `serve` gives back.
 */
export async function serveSchool(
  serve: ReturnType<typeof useServers>,
  options: GenerateSchoolOptions,
  client: Partial<FactsClientOptions> = {},
) {
  const school = generateSchool(options);
  const sim = createFactsSimulator({ school, keys: KEYS, rateLimit: false });
  return { school, sim, ...(await serve(sim, client)) };
}
