// The host's volunteer hours, behind rostersync's HoursSource port: what changed since a watermark, and where
// FACTS's historic hours go when the school imports them before switching write-back on.

import type { HostHourEntry, HoursSource, PortError, SisServiceHour } from "@rostersync/core";
import { okAsync } from "neverthrow";

/** The host's hours log, with a way to record hours for the example. */
export interface HoursLog extends HoursSource {
  /** Records (or edits) an entry; `updatedAt` orders the changes. */
  record(entry: HostHourEntry): void;
  /** Hours imported from FACTS, kept as the host's own history. */
  imported(): readonly SisServiceHour[];
}

/** An hours log in memory. Watermarks are the `updatedAt` of the last entry seen (ISO 8601 sorts as text). */
export function createHoursLog(): HoursLog {
  const entries = new Map<string, HostHourEntry>();
  const history: SisServiceHour[] = [];
  return {
    name: "host-hours",
    record: (entry) => {
      entries.set(entry.hourId, entry);
    },
    imported: () => history,
    changedSince(watermark) {
      const changed = [...entries.values()]
        .filter((e) => watermark === null || e.updatedAt > watermark)
        .sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0));
      return okAsync<{ entries: HostHourEntry[]; watermark: string | null }, PortError>({
        entries: changed,
        watermark: changed.at(-1)?.updatedAt ?? watermark,
      });
    },
    importHistoric(hours) {
      history.push(...hours);
      return okAsync({ imported: hours.length });
    },
  };
}
