/**
 * `@rostersync/facts`: a FACTS SIS client (fetch + zod, within the API's request budget), a roster source
 * and a service-hours sink implementing `@rostersync/core`'s ports.
 *
 * @example
 * ```ts
 * import { createFactsClient, createFactsSource, createFactsHoursSink } from "@rostersync/facts";
 *
 * const client = createFactsClient({ subscriptionKey, apiKey });
 * const snapshot = await createFactsSource({ client }).read();
 * const outcomes = await createFactsHoursSink({ client }).write(writes);
 * ```
 *
 * @module
 */
export * from "./budget.js";
export * from "./catalogue.js";
export * from "./client.js";
export * from "./errors.js";
export * from "./hours.js";
export * from "./pages.js";
export * from "./schemas.js";
export * from "./source.js";
