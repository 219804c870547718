// Five-field cron (minute hour day-of-month month day-of-week) evaluated in a school's IANA time zone.
// pg-boss evaluates the same expressions for the PostgreSQL fleet; this one serves the embedded fleet and
// the next-run times in `status()`, so both say the same thing.

const formats = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

interface Local {
  readonly minute: number;
  readonly hour: number;
  readonly day: number;
  readonly month: number;
  readonly weekday: number;
}

function local(at: number, timeZone: string): Local {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    });
    formats.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(at)) parts[p.type] = p.value;
  return {
    minute: Number(parts.minute),
    hour: Number(parts.hour),
    day: Number(parts.day),
    month: Number(parts.month),
    weekday: WEEKDAYS[parts.weekday ?? "Sun"] ?? 0,
  };
}

function field(text: string, min: number, max: number): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    let lo = min;
    let hi = max;
    if (range !== "*") {
      const [a, b] = range.split("-");
      lo = Number(a);
      hi = b === undefined ? (stepText === undefined ? lo : max) : Number(b);
    }
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || !Number.isInteger(step) || step < 1 || lo < min || hi > max) {
      throw new Error(`Not a cron field in ${min}–${max}: ${JSON.stringify(part)}`);
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** A parsed cron expression. */
export interface Cron {
  readonly text: string;
  matches(at: number, timeZone: string): boolean;
}

/** Parses a five-field cron expression (`*`, numbers, lists, ranges, steps); throws on anything else. */
export function parseCron(text: string): Cron {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`A cron expression has five fields: ${JSON.stringify(text)}`);
  const [m, h, dom, mon, dow] = fields as [string, string, string, string, string];
  const minutes = field(m, 0, 59);
  const hours = field(h, 0, 23);
  const days = field(dom, 1, 31);
  const months = field(mon, 1, 12);
  const weekdays = field(dow.replace(/7/g, "0"), 0, 6);
  // As in cron: when both day fields are restricted, either may match.
  const domAny = dom === "*";
  const dowAny = dow === "*";
  const dayMatches = (l: Local) =>
    domAny && dowAny
      ? true
      : domAny
        ? weekdays.has(l.weekday)
        : dowAny
          ? days.has(l.day)
          : days.has(l.day) || weekdays.has(l.weekday);
  return {
    text,
    matches(at, timeZone) {
      const l = local(at, timeZone);
      return minutes.has(l.minute) && hours.has(l.hour) && months.has(l.month) && dayMatches(l);
    },
  };
}

/** The first minute strictly after `after` at which `cron` fires in `timeZone`, or `null` within a year. */
export function nextCronTime(cron: string | Cron, timeZone: string, after: Date | number): Date | null {
  const parsed = typeof cron === "string" ? parseCron(cron) : cron;
  const start = typeof after === "number" ? after : after.getTime();
  let t = Math.floor(start / 60_000) * 60_000 + 60_000;
  const end = start + 366 * 86_400_000;
  while (t <= end) {
    if (parsed.matches(t, timeZone)) return new Date(t);
    t += 60_000;
  }
  return null;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}
