/**
 * `@rostersync/facts/testing`: a FACTS SIS simulator for tests, demos and benchmarks. A seeded school
 * generator ({@link generateSchool}, {@link nextSchoolYear}) with its expected roster, an in-memory model
 * of the endpoints the client uses ({@link createFactsSimulator}) with paging, Sieve filters, a rate
 * limit, key checks, permissions and scripted faults, served over real HTTP ({@link startFactsServer})
 * or as msw handlers ({@link factsHandlers}).
 *
 * @example
 * ```ts
 * import { createFactsSimulator, generateSchool, startFactsServer } from "@rostersync/facts/testing";
 *
 * const school = generateSchool({ seed: 7, people: 2000 });
 * const sim = createFactsSimulator({ school, keys: { subscriptionKey: "sub", apiKey: "key" } });
 * const server = await startFactsServer(sim);
 * ```
 *
 * @packageDocumentation
 */

export * from "./faults.js";
export * from "./generator.js";
export * from "./http.js";
export * from "./model.js";
export * from "./msw.js";
export * from "./rate-limit.js";
export * from "./sieve.js";
