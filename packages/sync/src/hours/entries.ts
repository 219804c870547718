/**
 * Which host entries a step looks at: the newest state of each, from pages that may repeat an entry.
 * Pure.
 *
 * @internal
 * @module
 */

import type { HostHourEntry } from "@rostersync/core";

/**
 * The push's entries: the parked ones first, then the page's; a newer state of an entry (by `updatedAt`)
 * replaces an older one, and of two equal states the later one wins. @internal
 */
export function newestEntries(
  parked: readonly HostHourEntry[],
  changed: readonly HostHourEntry[],
): Map<string, HostHourEntry> {
  const latest = new Map<string, HostHourEntry>();
  for (const e of parked) latest.set(e.hourId, e);
  for (const e of changed) {
    const seen = latest.get(e.hourId);
    if (seen === undefined || seen.updatedAt <= e.updatedAt) latest.set(e.hourId, e);
  }
  return latest;
}

/** A backfill's day range, `YYYY-MM-DD`, both ends included (`to` absent: no end). @internal */
export interface DayRange {
  readonly from: string;
  readonly to?: string | undefined;
}

/**
 * A backfill's entries: the newest state of each entry dated in `range`, read in the host's order. An entry
 * whose newest state moved out of the range is dropped. @internal
 */
export function entriesInRange(changed: Iterable<HostHourEntry>, range: DayRange): Map<string, HostHourEntry> {
  const inRange = new Map<string, HostHourEntry>();
  for (const e of changed) {
    if (e.date < range.from || (range.to !== undefined && e.date > range.to)) {
      inRange.delete(e.hourId);
      continue;
    }
    const seen = inRange.get(e.hourId);
    if (seen === undefined || seen.updatedAt <= e.updatedAt) inRange.set(e.hourId, e);
  }
  return inRange;
}
