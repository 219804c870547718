// The schedule the fleet gives each school (pure: no database).
import { describe, expect, it } from "vitest";
import { nextCronTime, parseCron } from "../src/cron.ts";
import { hoursCron } from "../src/status.ts";

describe("hoursCron", () => {
  const schools = Array.from({ length: 300 }, (_, i) => ({ tenantId: `school-${i}`, timeZone: "America/Chicago" }));

  it("spreads schools' hours pushes over the interval instead of queueing them all at :00, :15, :30, :45", () => {
    const firstMinutes = new Set(schools.map((s) => Number(hoursCron(s).split(/[-/ ]/)[0])));
    // 300 schools over 15 possible minutes: every minute is used.
    expect(firstMinutes.size).toBe(15);
    // The same school always gets the same minute (every worker schedules it alike).
    expect(hoursCron(schools[7] as (typeof schools)[number])).toBe(
      hoursCron({ ...schools[7], timeZone: "UTC" } as never),
    );
  });

  it("still pushes every hoursEveryMinutes", () => {
    for (const every of [5, 15, 30]) {
      for (const school of schools.slice(0, 20)) {
        const cron = hoursCron({ ...school, hoursEveryMinutes: every });
        parseCron(cron);
        const start = Date.parse("2026-12-05T10:00:00Z");
        const a = nextCronTime(cron, school.timeZone, start)?.getTime() ?? 0;
        const b = nextCronTime(cron, school.timeZone, a)?.getTime() ?? 0;
        expect(a - start).toBeLessThanOrEqual(every * 60_000);
        expect(b - a).toBe(every * 60_000);
      }
    }
  });
});
