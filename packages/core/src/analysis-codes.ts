/**
 * The status and flag codes of the analysis's per-person arrays (see `analysis.ts`).
 *
 * @internal
 * @module
 */

import type { ReviewStatus } from "./types.js";

/** Status codes, in the order of {@link STATUS_NAMES}. */
export const IMPORTABLE = 0;
/** A data error keeps the person out. */
export const EXCLUDED = 1;
/** The admin's choice keeps the person out. */
export const SKIPPED = 2;
/** Outside the profile's scope. */
export const OUT_OF_SCOPE = 3;
/** Status names by code. */
export const STATUS_NAMES: readonly ReviewStatus[] = ["importable", "excluded", "skipped", "out-of-scope"];
/** Flag codes: none, red, gray. */
export const RED = 1;
/** Resolved duplicate. */
export const GRAY = 2;
