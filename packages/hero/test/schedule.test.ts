import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dueExports, type ExportConfig, exportConfigSchema, type Frequency, nextRunAt } from "../src/index.js";
import { localDateTime } from "../src/zoned-time.js";
import { config as baseConfig } from "./helpers/school.js";

const schedule = (timezone: string, timeOfDay: string, frequency: Frequency = { type: "daily" }) =>
  ({ enabled: true, schedule: { timezone, timeOfDay, frequency } }) as const;

const at = (iso: string) => Date.parse(iso);
const next = (s: ReturnType<typeof schedule>, from: string) => nextRunAt(s, at(from))?.toISOString() ?? null;

/** The next `n` runs after `from`, each computed from the one before (as a host would). */
function runs(s: ReturnType<typeof schedule>, from: string, n: number): string[] {
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    const r = nextRunAt(s, t);
    if (r === null) break;
    out.push(r.toISOString());
    t = r.getTime();
  }
  return out;
}

describe("nextRunAt across DST", () => {
  it("keeps a daily 07:30 at 07:30 local across New York's spring-forward", () => {
    expect(runs(schedule("America/New_York", "07:30"), "2026-03-07T05:00:00Z", 3)).toEqual([
      "2026-03-07T12:30:00.000Z", // EST
      "2026-03-08T11:30:00.000Z", // EDT from the 8th
      "2026-03-09T11:30:00.000Z",
    ]);
  });

  it("runs a time skipped by New York's spring-forward (02:30) at the next valid instant, 03:00 EDT", () => {
    expect(runs(schedule("America/New_York", "02:30"), "2026-03-07T08:00:00Z", 3)).toEqual([
      "2026-03-08T07:00:00.000Z", // 03:00 EDT, the moment the clocks jump
      "2026-03-09T06:30:00.000Z", // 02:30 EDT
      "2026-03-10T06:30:00.000Z",
    ]);
  });

  it("runs a time repeated by New York's fall-back (01:30) once, at its first occurrence", () => {
    expect(runs(schedule("America/New_York", "01:30"), "2026-10-31T12:00:00Z", 2)).toEqual([
      "2026-11-01T05:30:00.000Z", // 01:30 EDT; 01:30 EST (06:30Z) is skipped
      "2026-11-02T06:30:00.000Z", // 01:30 EST next day
    ]);
    // Asked between the two occurrences, the next run is tomorrow's, not the repeat.
    expect(next(schedule("America/New_York", "01:30"), "2026-11-01T06:00:00Z")).toBe("2026-11-02T06:30:00.000Z");
  });

  it("handles London's spring-forward gap (01:30 → 02:00 BST) and fall-back repeat (01:30 once)", () => {
    expect(runs(schedule("Europe/London", "01:30"), "2026-03-28T12:00:00Z", 2)).toEqual([
      "2026-03-29T01:00:00.000Z", // 02:00 BST, the end of the gap
      "2026-03-30T00:30:00.000Z", // 01:30 BST
    ]);
    expect(runs(schedule("Europe/London", "01:30"), "2026-10-24T12:00:00Z", 2)).toEqual([
      "2026-10-25T00:30:00.000Z", // 01:30 BST, first occurrence
      "2026-10-26T01:30:00.000Z", // 01:30 GMT
    ]);
    expect(runs(schedule("Europe/London", "08:00"), "2026-10-24T12:00:00Z", 2)).toEqual([
      "2026-10-25T08:00:00.000Z",
      "2026-10-26T08:00:00.000Z",
    ]);
  });

  it("handles Sydney's southern-hemisphere changes (fall-back in April, spring-forward in October)", () => {
    expect(runs(schedule("Australia/Sydney", "02:30"), "2026-04-04T06:00:00Z", 2)).toEqual([
      "2026-04-04T15:30:00.000Z", // 5 April 02:30 AEDT, first occurrence
      "2026-04-05T16:30:00.000Z", // 6 April 02:30 AEST
    ]);
    expect(runs(schedule("Australia/Sydney", "02:30"), "2026-10-03T06:00:00Z", 2)).toEqual([
      "2026-10-03T16:00:00.000Z", // 4 October 03:00 AEDT, the end of the gap
      "2026-10-04T15:30:00.000Z", // 5 October 02:30 AEDT
    ]);
  });

  it("runs hourly every real hour: the skipped hour does not happen, the repeated hour runs twice", () => {
    const hourly = schedule("America/New_York", "00:15", { type: "hourly" });
    expect(runs(hourly, "2026-03-08T05:30:00Z", 3)).toEqual([
      "2026-03-08T06:15:00.000Z", // 01:15 EST
      "2026-03-08T07:15:00.000Z", // 03:15 EDT (02:15 does not exist)
      "2026-03-08T08:15:00.000Z",
    ]);
    expect(runs(hourly, "2026-11-01T04:30:00Z", 4)).toEqual([
      "2026-11-01T05:15:00.000Z", // 00:15… 01:15 EDT
      "2026-11-01T06:15:00.000Z", // 01:15 EST
      "2026-11-01T07:15:00.000Z", // 02:15 EST
      "2026-11-01T08:15:00.000Z",
    ]);
    // A half-hour zone: the local minute, not the UTC minute, is what counts.
    expect(next(schedule("Asia/Kolkata", "00:00", { type: "hourly" }), "2026-01-01T00:00:00Z")).toBe(
      "2026-01-01T00:30:00.000Z",
    );
  });

  it("runs weekdays Monday to Friday and weekly on the chosen days, across a DST weekend", () => {
    const weekdays = schedule("America/New_York", "16:30", { type: "weekdays" });
    expect(runs(weekdays, "2026-03-06T22:00:00Z", 2)).toEqual([
      "2026-03-09T20:30:00.000Z", // Monday, EDT
      "2026-03-10T20:30:00.000Z",
    ]);
    const sundays = schedule("America/New_York", "02:30", { type: "weekly", days: ["sun"] });
    expect(runs(sundays, "2026-03-01T12:00:00Z", 2)).toEqual([
      "2026-03-08T07:00:00.000Z", // the gap Sunday
      "2026-03-15T06:30:00.000Z",
    ]);
    const monWed = schedule("Europe/London", "07:00", { type: "weekly", days: ["wed", "mon"] });
    expect(runs(monWed, "2026-10-24T12:00:00Z", 3)).toEqual([
      "2026-10-26T07:00:00.000Z", // Monday, GMT
      "2026-10-28T07:00:00.000Z",
      "2026-11-02T07:00:00.000Z",
    ]);
    // A run day's time later the same local day, just after midnight UTC (the local date is still yesterday).
    expect(next(schedule("America/Los_Angeles", "20:00"), "2026-06-02T00:30:00Z")).toBe("2026-06-02T03:00:00.000Z");
  });

  it("never runs when disabled, with no weekly days, an unknown time zone or a bad time", () => {
    expect(nextRunAt({ ...schedule("Europe/London", "07:00"), enabled: false }, 0)).toBeNull();
    expect(nextRunAt(schedule("Europe/London", "07:00", { type: "weekly", days: [] }), 0)).toBeNull();
    expect(nextRunAt(schedule("Mars/Olympus_Mons", "07:00"), 0)).toBeNull();
    expect(nextRunAt(schedule("Europe/London", "7:00pm"), 0)).toBeNull();
  });

  it("runs a daily export exactly once on every local date of a year, at the time asked or just after a gap", () => {
    const zones = ["America/New_York", "Europe/London", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Tehran"];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(0, 15, 30, 45),
        (zone, hour, minute) => {
          const hhmm = `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
          const all = runs(schedule(zone, hhmm), "2025-12-31T12:00:00Z", 365);
          const dates = all.map((r) => {
            const l = localDateTime(Date.parse(r), zone);
            return `${l.year}-${l.month}-${l.day}`;
          });
          expect(new Set(dates).size).toBe(365);
          for (const r of all) {
            const l = localDateTime(Date.parse(r), zone);
            const wall = l.hour * 60 + l.minute;
            // Exactly the time, or (in a spring-forward gap) a little later than it.
            expect(wall - (hour * 60 + minute)).toBeGreaterThanOrEqual(0);
            expect(wall - (hour * 60 + minute)).toBeLessThanOrEqual(60);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("dueExports", () => {
  const daily = (exportId: string, extra: Partial<ExportConfig> = {}): ExportConfig => ({
    ...baseConfig({ exportId }),
    schedule: { frequency: { type: "daily" }, timeOfDay: "07:00", timezone: "Europe/London" },
    ...extra,
  });

  it("is due once after its time, however many runs were missed, and tells the host when to wake next", () => {
    const a = daily("a");
    const b = daily("b", { schedule: { ...daily("b").schedule, timeOfDay: "09:00" } });
    const off = daily("off", { enabled: false });
    const now = at("2026-11-10T07:05:00Z");
    const result = dueExports([a, b, off], { a: at("2026-11-07T07:00:00Z"), b: at("2026-11-09T09:00:00Z") }, now);
    expect(result.due.map((d) => d.config.exportId)).toEqual(["a"]);
    expect(result.due[0]?.scheduledAt?.toISOString()).toBe("2026-11-08T07:00:00.000Z");
    expect(result.nextWakeAt?.toISOString()).toBe("2026-11-10T09:00:00.000Z");
    // After a ran now, it is not due again until tomorrow.
    expect(dueExports([a], { a: now }, at("2026-11-10T23:00:00Z")).due).toEqual([]);
  });

  it("runs an export never run before at once; passing its save time waits for its first slot", () => {
    const a = daily("a");
    expect(dueExports([a], {}, at("2026-11-10T12:00:00Z")).due).toEqual([{ config: a, scheduledAt: null }]);
    expect(dueExports([a], { a: at("2026-11-10T12:00:00Z") }, at("2026-11-10T13:00:00Z")).due).toEqual([]);
  });

  it("accepts a parsed config with defaults", () => {
    const parsed = exportConfigSchema.parse({ ...daily("p"), enabled: undefined });
    expect(parsed.enabled).toBe(true);
  });
});
