// What the fleet keeps per school, and how `status()` and `digest()` read it. Pure: the stores (PostgreSQL,
// SQLite) keep `StoredStatus` as JSON and the fleets pass the clock in.
import { nextCronTime } from "./cron.js";
import type { FleetDigest, FleetSchool, PauseWindow, SchoolStatus } from "./types.js";

/** The part of a school's status the jobs write. */
export type StoredStatus = Omit<SchoolStatus, "tenantId" | "state" | "nextRuns" | "paused"> & {
  /** When each export's next job is due, as sent. */
  readonly exportsNext: Readonly<Record<string, string | null>>;
};

/** A school nothing has run for yet. */
export const EMPTY_STATUS: StoredStatus = { newErrors: 0, hoursPending: 0, exportsNext: {} };

export const DEFAULT_NIGHTLY = "0 2 * * *";
export const DEFAULT_HOURS_EVERY = 15;

/**
 * The cron of a school's hours push: every `hoursEveryMinutes`, from a minute that depends on the school, so
 * that a thousand schools' pushes spread over the interval instead of all being queued at :00, :15, …
 */
export const hoursCron = (school: FleetSchool): string => {
  const every = Math.max(1, Math.min(59, Math.round(school.hoursEveryMinutes ?? DEFAULT_HOURS_EVERY)));
  let h = 2166136261;
  for (const c of school.tenantId) h = Math.imul(h ^ (c.codePointAt(0) ?? 0), 16777619) >>> 0;
  return `${h % every}-59/${every} * * * *`;
};

/** The pause window `now` falls in, if any. */
export function pauseAt(school: FleetSchool, now: Date): PauseWindow | undefined {
  const t = now.getTime();
  return school.pauses?.find((p) => Date.parse(p.from) <= t && t < Date.parse(p.to));
}

/** Every problem with a school's settings, at once. */
export function schoolProblems(
  school: FleetSchool,
  isTimeZone: (tz: string) => boolean,
  checkCron: (c: string) => void,
) {
  const problems: string[] = [];
  if (typeof school.tenantId !== "string" || school.tenantId.trim() === "") problems.push("tenantId is empty");
  if (typeof school.timeZone !== "string" || !isTimeZone(school.timeZone))
    problems.push(`timeZone ${JSON.stringify(school.timeZone)} is not an IANA time zone`);
  if (school.nightly !== undefined) {
    try {
      checkCron(school.nightly);
    } catch (e) {
      problems.push(`nightly: ${(e as Error).message}`);
    }
  }
  const every = school.hoursEveryMinutes;
  if (every !== undefined && !(Number.isInteger(every) && every >= 1 && every <= 59))
    problems.push("hoursEveryMinutes must be a whole number of minutes from 1 to 59");
  for (const [i, p] of (school.pauses ?? []).entries()) {
    const from = Date.parse(p.from);
    const to = Date.parse(p.to);
    if (Number.isNaN(from) || Number.isNaN(to)) problems.push(`pauses[${i}]: from and to must be ISO 8601 instants`);
    else if (to <= from) problems.push(`pauses[${i}]: to must be after from`);
  }
  return problems;
}

/** A school's status as `status()` shows it. */
export function schoolStatus(
  school: FleetSchool,
  stored: StoredStatus,
  now: Date,
  options: { readonly hoursOn?: boolean | undefined } = {},
): SchoolStatus {
  const paused = pauseAt(school, now);
  const state: SchoolStatus["state"] =
    stored.failed !== undefined
      ? "failed"
      : stored.held !== undefined
        ? "held"
        : stored.newErrors > 0
          ? "new-errors"
          : paused !== undefined
            ? "paused"
            : stored.lastSuccess === undefined
              ? "not-run"
              : "ok";
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  const { exportsNext, ...rest } = stored;
  return {
    tenantId: school.tenantId,
    state,
    ...rest,
    ...(paused === undefined ? {} : { paused }),
    nextRuns: {
      sync: iso(nextCronTime(school.nightly ?? DEFAULT_NIGHTLY, school.timeZone, now)),
      hours: options.hoursOn === false ? null : iso(nextCronTime(hoursCron(school), school.timeZone, now)),
      exports: Object.entries(exportsNext).map(([name, at]) => ({ name, at })),
    },
  };
}

/** The digest of `statuses` since `since`, and the held schools it reports (to mark as reported). */
export function makeDigest(
  statuses: readonly SchoolStatus[],
  since: Date,
  now: Date,
): { digest: FleetDigest; reported: readonly string[] } {
  const after = (iso: string | undefined) => iso !== undefined && Date.parse(iso) >= since.getTime();
  const held = statuses.filter((s) => s.held !== undefined && s.held.reportedAt === null);
  return {
    digest: {
      since: since.toISOString(),
      at: now.toISOString(),
      held: held.map((s) => ({ ...s, held: s.held && { ...s.held, reportedAt: now.toISOString() } })),
      failed: statuses.filter((s) => after(s.failed?.at)),
      newErrors: statuses.filter((s) => s.newErrors > 0 && after(s.newErrorsSince)),
      synced: statuses.filter((s) => after(s.lastSuccess?.at)).length,
      stillHeld: statuses.filter((s) => s.held !== undefined && s.held.reportedAt !== null).length,
    },
    reported: held.map((s) => s.tenantId),
  };
}
