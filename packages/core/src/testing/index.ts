/**
 * `@rostersync/core/testing`: seeded, deterministic schools for tests, demos and benchmarks.
 *
 * @packageDocumentation
 */

export * from "./random.js";
export * from "./school.js";
