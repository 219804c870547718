/**
 * `@rostersync/core`: the pure roster engine. Types, rules R1–R13, review, plan, safety holds and the
 * ports every adapter implements. No I/O, no clock, no randomness.
 *
 * @packageDocumentation
 */

export * from "./archive.js";
export * from "./catalogue.js";
export * from "./decisions.js";
export * from "./duplicates.js";
export * from "./email.js";
export * from "./error-report.js";
export * from "./families.js";
export * from "./fields.js";
export * from "./hash.js";
export * from "./invitations.js";
export * from "./matching.js";
export * from "./memory/index.js";
export * from "./merge-candidates.js";
export * from "./novelty.js";
export { plan } from "./plan.js";
export * from "./ports/index.js";
export { filterRows, type RowFilter, review } from "./review.js";
export * from "./safety.js";
export * from "./scope.js";
export * from "./selection.js";
export * from "./sentence.js";
export * from "./simulate.js";
export * from "./string-table.js";
export * from "./types.js";
export * from "./validate.js";
