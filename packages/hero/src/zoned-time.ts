// Wall-clock arithmetic over IANA zones with nothing but Intl: a "wall" is the local date-time encoded as
// if it were UTC epoch milliseconds, so that local dates and times can be compared and stepped as numbers.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * True when `timeZone` is an IANA zone this runtime knows (`Europe/London`, `UTC`). Abbreviations that
 * Intl happens to accept but that are not zones (`EST` is accepted, `Eastern` is not) follow Intl.
 *
 * @example
 * ```ts
 * isValidTimeZone("America/New_York"); // true
 * isValidTimeZone("America/Springfield"); // false
 * ```
 */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === "") return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Local date and time of an instant in a zone. */
export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The local date and time of `instant` (epoch ms) in `timeZone`. */
export function localDateTime(instant: number, timeZone: string): LocalDateTime {
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type in out) out[part.type as keyof typeof out] = Number(part.value);
  }
  return out;
}

/** The wall clock (local time as if UTC) of an instant, to the second. */
export function wallOf(instant: number, timeZone: string): number {
  const l = localDateTime(instant, timeZone);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
}

const DAY = 86_400_000;

function offsetAt(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallOf(whole, timeZone) - whole;
}

/**
 * The instant a wall-clock time happens in a zone. Ambiguous times (the repeated hour when clocks fall
 * back) resolve to the first occurrence, so a daily run happens once; times that do not exist (the hour
 * skipped when clocks spring forward) resolve to the next valid instant, the moment the clocks jump.
 */
export function instantOfWall(wall: number, timeZone: string): number {
  const offsets = [
    ...new Set([offsetAt(wall - DAY, timeZone), offsetAt(wall, timeZone), offsetAt(wall + DAY, timeZone)]),
  ];
  let best: number | null = null;
  for (const offset of offsets) {
    const t = wall - offset;
    if (wallOf(t, timeZone) === wall && (best === null || t < best)) best = t;
  }
  if (best !== null) return best;
  // In a gap: between the instant read with the later offset (its wall is before `wall`) and the one read
  // with the earlier offset (after `wall`), find the first second whose wall is at or past `wall`.
  let lo = wall - Math.max(...offsets);
  let hi = wall - Math.min(...offsets);
  if (!(wallOf(lo, timeZone) < wall && wallOf(hi, timeZone) >= wall)) return hi;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (wallOf(mid, timeZone) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}
