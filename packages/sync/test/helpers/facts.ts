/** Shared fixtures of sync's tests that talk to a FACTS stand-in over HTTP. */
import { createFactsClient, type FactsClient, type FactsClientOptions } from "@rostersync/facts";

/** Keys the FACTS stand-ins of sync's tests accept (the shapes FACTS issues). */
export const TEST_KEYS = { subscriptionKey: "0123456789abcdef0123456789abcdef", apiKey: `FK-${"ab".repeat(50)}` };

/**
 * A FACTS client of the stand-in at `baseUrl`, with a budget and retries that never slow a test down; `extra`
 * overrides anything (other keys, a timeout, concurrency).
 */
export function testFactsClient(baseUrl: string, extra: Partial<FactsClientOptions> = {}): FactsClient {
  return createFactsClient({
    ...TEST_KEYS,
    baseUrl,
    budget: { windows: [{ requests: 100_000, windowMs: 1000 }], marginMs: 0 },
    retry: { baseDelayMs: 1, jitter: (d) => d },
    ...extra,
  });
}
