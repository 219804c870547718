import type { Clock } from "@rostersync/core";

/**
 * The system clock, the default of every factory here that takes `clock?: Clock`. It reads `Date.now()` at
 * each call (never a captured function), so tests that fake timers move it too.
 */
export const systemClock: Clock = { now: () => Date.now() };
