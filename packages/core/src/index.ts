/**
 * `@rostersync/core`: the pure roster engine. Types, rules R1–R13, review, plan, safety holds and the
 * ports every adapter implements. No I/O, no clock, no randomness.
 *
 * @packageDocumentation
 */

export * from "./memory/index.js";
export * from "./ports/index.js";
export * from "./types.js";
