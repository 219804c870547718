import type { ExportConfig, Weekday } from "./config.js";
import { instantOfWall, isValidTimeZone, localDateTime } from "./zoned-time.js";

const MINUTE = 60_000;
const DAY = 86_400_000;
const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_INDEX: Readonly<Record<Weekday, number>> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

/** `HH:MM` as hours and minutes, or `null` when it is not a 24-hour time. */
export function parseTimeOfDay(text: string): { readonly hour: number; readonly minute: number } | null {
  const m = TIME_OF_DAY.exec(text);
  return m === null ? null : { hour: Number(m[1]), minute: Number(m[2]) };
}

const toMs = (t: Date | number): number => (typeof t === "number" ? t : t.getTime());

/**
 * When an export runs next, strictly after `now`, or `null` when it never will (disabled, a weekly
 * export with no days, an unknown time zone or a bad time of day).
 *
 * Times are wall-clock times in the export's IANA zone, so a 07:30 export stays at 07:30 across DST.
 * A time skipped when clocks spring forward runs at the next valid instant (the moment the clocks jump);
 * a time repeated when clocks fall back runs once, at its first occurrence. `hourly` runs every real hour
 * at the minute of `timeOfDay`, so on a fall-back night the repeated hour runs twice (one hour apart) and
 * on a spring-forward night the skipped hour simply does not happen.
 *
 * @example
 * ```ts
 * nextRunAt(config, Date.parse("2026-03-08T06:00:00Z")); // weekdays 02:30 New York → Mon 9 March 06:30Z
 * ```
 */
export function nextRunAt(config: Pick<ExportConfig, "schedule" | "enabled">, now: Date | number): Date | null {
  const { frequency, timeOfDay, timezone } = config.schedule;
  const time = parseTimeOfDay(timeOfDay);
  if (!config.enabled || time === null || !isValidTimeZone(timezone)) return null;
  const from = toMs(now);

  if (frequency.type === "hourly") {
    // Every real minute boundary after `now` whose local minute matches; a zone's offset can be any
    // number of minutes, so check minutes rather than assume whole-hour offsets.
    let t = Math.floor(from / MINUTE) * MINUTE;
    if (t <= from) t += MINUTE;
    for (let i = 0; i < 3 * 60; i++, t += MINUTE) {
      if (localDateTime(t, timezone).minute === time.minute) return new Date(t);
    }
    return null;
  }

  const days: ReadonlySet<number> =
    frequency.type === "daily"
      ? new Set([0, 1, 2, 3, 4, 5, 6])
      : frequency.type === "weekdays"
        ? new Set([1, 2, 3, 4, 5])
        : new Set(frequency.days.map((d) => DAY_INDEX[d]));
  if (days.size === 0) return null;

  const today = localDateTime(from, timezone);
  const todayWall = Date.UTC(today.year, today.month - 1, today.day);
  // Start a day early: just after midnight UTC the local date can still be yesterday's run day.
  for (let k = -1; k <= 8; k++) {
    const dateWall = todayWall + k * DAY;
    if (!days.has(new Date(dateWall).getUTCDay())) continue;
    const at = instantOfWall(dateWall + time.hour * 3_600_000 + time.minute * MINUTE, timezone);
    if (at > from) return new Date(at);
  }
  return null;
}

/** One export that should run now. */
export interface DueExport<C extends ExportConfig = ExportConfig> {
  readonly config: C;
  /** The scheduled instant this run stands for (`null`: never run before). */
  readonly scheduledAt: Date | null;
}

/** What {@link dueExports} answers. */
export interface DueExports<C extends ExportConfig = ExportConfig> {
  /** Exports to run now, each once however many runs were missed. */
  readonly due: readonly DueExport<C>[];
  /** The earliest time another export becomes due (for the host's next timer), or `null`. */
  readonly nextWakeAt: Date | null;
}

/**
 * The scheduler helper: the host calls it from its own timer (the library starts none) with when each
 * export last ran. An enabled export is due when its next run after its last run is at or before `now`;
 * an export with no last run is due at once. To wait for the first scheduled time after "Save" instead,
 * pass the save time as its last run. Missed runs (the host was down) collapse into one.
 *
 * @example
 * ```ts
 * const { due, nextWakeAt } = dueExports(configs, { "tardies-to-facts": lastRunAt }, Date.now());
 * for (const { config } of due) await runExport(config, { ...deps, now: Date.now() });
 * ```
 */
export function dueExports<C extends ExportConfig>(
  configs: readonly C[],
  lastRuns: Readonly<Record<string, Date | number | undefined>>,
  now: Date | number,
): DueExports<C> {
  const at = toMs(now);
  const due: DueExport<C>[] = [];
  let nextWake: number | null = null;
  for (const config of configs) {
    if (!config.enabled) continue;
    const last = Object.hasOwn(lastRuns, config.exportId) ? lastRuns[config.exportId] : undefined;
    if (last === undefined) {
      due.push({ config, scheduledAt: null });
    } else {
      const next = nextRunAt(config, last);
      if (next !== null && next.getTime() <= at) due.push({ config, scheduledAt: next });
    }
    // After running now (or not), when is it due again?
    const following = nextRunAt(config, at);
    if (following !== null && (nextWake === null || following.getTime() < nextWake)) nextWake = following.getTime();
  }
  return { due, nextWakeAt: nextWake === null ? null : new Date(nextWake) };
}
