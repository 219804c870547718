/**
 * One school's life over several years, on the in-memory adapters: each year the SIS changes, the host's
 * people log hours, the admin reviews, decides and applies for a students and a parents profile, and hours
 * are pushed once write-back is on. After every step the invariants are checked; a broken one throws an
 * `Error` naming the year, the step and the people involved.
 */
import {
  type Account,
  createMemoryHoursSource,
  type HostHourEntry,
  normaliseEmail,
  type ReviewReport,
  type SisServiceHour,
  type SourcePerson,
  type SyncPlan,
  type SyncProfile,
} from "@rostersync/core";
import { seededRandom } from "@rostersync/core/testing";
import { createSync, type Sync } from "@rostersync/sync";
import { expectedScope } from "./oracle.js";
import type { LifeWorld, YearEvents } from "./world.js";

/** What a life is drawn from (fast-check shrinks each part). */
export interface LifeSpec {
  readonly seed: number;
  readonly size: number;
  readonly years: readonly YearEvents[];
  readonly studentsDefaultSelection: boolean;
  readonly parentsDefaultSelection: boolean;
  /** The year write-back is switched on, and through which path. */
  readonly hoursYear: number;
  readonly hoursPath: "setup" | "enable";
  /** Share of importable people the admin unselects, and of skipped people selected again, each year. */
  readonly unselectRate: number;
  readonly reselectRate: number;
  /** Share of active accounts that log an hour in a year. */
  readonly hourRate: number;
  /**
   * Per year: the nightly unattended run goes first; the admin syncs by hand only when it stopped for a
   * person. In year 0 it must apply nothing (a school's first sync is attended).
   */
  readonly unattended: readonly boolean[];
}

/** What a life did, for the test's own sanity checks (a simulation that never adds anyone proves little). */
export interface LifeStats {
  added: number;
  linked: number;
  archived: number;
  restored: number;
  newRows: number;
  hoursInFacts: number;
  holds: number;
  pushes: number;
}

class Broken extends Error {}

function fail(year: number, step: string, message: string): never {
  throw new Broken(`year ${year}, ${step}: ${message}`);
}

interface Tenant {
  readonly profile: SyncProfile;
  readonly sync: Sync;
  /** People the admin saw in this profile's scope at an apply so far (R5 "reviewed"). */
  seenInScope: Set<string> | null;
  /** When write-back was switched on (ms), or null while off. */
  hoursSince: number | null;
}

/** Runs one life; throws on the first broken invariant. */
export async function live(spec: LifeSpec, world: LifeWorld): Promise<LifeStats> {
  const stats: LifeStats = {
    added: 0,
    linked: 0,
    archived: 0,
    restored: 0,
    newRows: 0,
    hoursInFacts: 0,
    holds: 0,
    pushes: 0,
  };
  const random = seededRandom(spec.seed ^ 0x11fe);
  let now = Date.UTC(2026, 7, 1);
  const tick = () => {
    now += 60_000;
    return now;
  };
  const clock = { now: () => now };
  const { source, directory, store, sink } = world;
  const people = () => world.people();

  // The host has some of FACTS's historic hours typed in by hand (never to be echoed back).
  const roleOf = new Map(people().map((p) => [p.sourceId, p.role]));
  const emailOf = new Map(people().map((p) => [p.sourceId, normaliseEmail(p.email)]));
  const accountOfEmail = new Map((await world.accounts()).map((a) => [a.email, a]));
  const hostHours = createMemoryHoursSource();
  const loggedAt = new Map<string, number>();
  const mirrors = new Set<string>();
  let hourCounter = 0;
  for (const h of world.historic) {
    const account = accountOfEmail.get(emailOf.get(h.personId) ?? "");
    if (account === undefined || !random.chance(0.5)) continue;
    const hourId = `mirror-${h.personId}`;
    mirrors.add(hourId);
    loggedAt.set(hourId, now);
    hostHours.put({
      hourId,
      accountId: account.accountId,
      role: h.role,
      date: h.date,
      hours: h.hours,
      description: h.description,
      approved: true,
      deleted: false,
      updatedAt: new Date(tick()).toISOString(),
    });
  }
  const accountRole = (a: Account): SourcePerson["role"] | undefined => {
    if (a.sourceId) return roleOf.get(a.sourceId);
    const id = a.accountId.replace(/^host-(la-)?/, "");
    return id === a.accountId ? undefined : roleOf.get(id);
  };

  const profiles: SyncProfile[] = [
    {
      role: "student",
      schools: ["HS"],
      gradeLevels: ["09", "10", "11", "12"],
      fieldMap: [{ source: "udf:tshirt", target: "T-Shirt Size", createAs: "dropdown" }],
      defaultSelection: spec.studentsDefaultSelection,
      hoursSync: { enabled: false, historicImportDone: false },
    },
    {
      role: "parent",
      schools: ["MS", "HS"],
      gradeLevels: ["06", "07", "08", "09", "10", "11", "12"],
      parentSubset: { relationships: ["Mother", "Father", "Guardian"] },
      fieldMap: [{ source: "udf:team", target: "Volunteer Team", createAs: "dropdown" }],
      defaultSelection: spec.parentsDefaultSelection,
      hoursSync: { enabled: false, historicImportDone: false },
    },
  ];
  const tenants: Tenant[] = profiles.map((profile) => ({
    profile,
    sync: createSync({
      tenantId: `life-${profile.role}`,
      source,
      directory,
      store,
      hours: sink,
      hoursSource: hostHours,
      clock,
      newId: (() => {
        let n = 0;
        return () => `${profile.role}-${++n}`;
      })(),
    }),
    seenInScope: null,
    hoursSince: null,
  }));

  for (let year = 0; year < spec.years.length; year++) {
    const events = spec.years[year] as YearEvents;
    if (year > 0) world.advance(events);
    for (const p of people()) roleOf.set(p.sourceId, p.role);
    await logHours(year);

    for (const t of tenants) {
      const step = (s: string) => `${t.profile.role}s ${s}`;
      if (year === 0) {
        const saved = await t.sync.setup(t.profile);
        if (saved.isErr()) fail(year, step("setup"), `${saved.error.type}: ${saved.error.message}`);
      }
      if (spec.unattended[year] === true && (await unattended(year, t))) continue;
      const first = await t.sync.refresh();
      if (first.isErr()) fail(year, step("refresh"), `${first.error.type}: ${first.error.message}`);
      checkScope(year, step("review"), t.profile, first.value);
      checkNew(year, step("review"), t, first.value);
      stats.newRows += first.value.rows.filter((r) => r.isNew && r.status !== "out-of-scope").length;

      const decided = await t.sync.decide((d) => {
        for (const g of first.value.duplicateGroups) {
          if (g.chosen === null || g.stale) d.resolveDuplicate(g.email, g.members[0] as string);
        }
        for (const r of first.value.rows) {
          if (r.status === "importable" && r.selected && random.chance(spec.unselectRate)) d.unselect(r.sourceId);
          else if (r.status === "skipped" && random.chance(spec.reselectRate)) d.select(r.sourceId);
        }
        return d;
      });
      if (decided.isErr()) fail(year, step("decide"), `${decided.error.type}: ${decided.error.message}`);
      const review = decided.value;

      const planned = await t.sync.plan();
      if (planned.isErr()) fail(year, step("plan"), `${planned.error.type}: ${planned.error.message}`);
      const plan = planned.value;
      checkPlanTouchesOnlyItsOwn(year, step("plan"), plan, await world.accounts());
      if (plan.holds.length > 0) stats.holds += 1;
      const before = await world.accounts();
      const applied = await t.sync.apply(plan, {
        actor: "admin",
        // The admin read the holds' messages and said yes: holds are expected after graduations.
        ...(plan.holds.length > 0 ? { acknowledge: plan.planHash } : {}),
      });
      if (applied.isErr()) fail(year, step("apply"), `${applied.error.type}: ${applied.error.message}`);
      stats.added += plan.counts.add;
      stats.linked += plan.counts.link;
      stats.archived += plan.counts.archive;
      stats.restored += plan.counts.restore;
      const after = await world.accounts();
      checkDirectory(year, step("apply"), review, plan, before, after);
      // R5's reviewed set only grows: someone seen in scope once is not New? again when they come back.
      t.seenInScope ??= new Set();
      for (const r of review.rows) if (r.status !== "out-of-scope") t.seenInScope.add(r.sourceId);

      const again = await t.sync.refresh();
      if (again.isErr()) fail(year, step("re-review"), again.error.message);
      const replan = await t.sync.plan();
      if (replan.isErr()) fail(year, step("re-plan"), replan.error.message);
      const { add, link, update, restore, archive, createField } = replan.value.counts;
      if (add + link + update + restore + archive + createField > 0) {
        fail(year, step("re-plan"), `a plan right after an apply still writes: ${JSON.stringify(replan.value.counts)}`);
      }
      // The admin has seen this review too: what it shows as new now must not be new next year.
      checkNew(year, step("re-review"), t, again.value);
    }

    if (year === spec.hoursYear) await switchHoursOn(year);
    for (const t of tenants) {
      if (t.hoursSince === null) continue;
      const pushed = await t.sync.pushHours();
      if (pushed.isErr()) fail(year, `${t.profile.role}s push`, `${pushed.error.type}: ${pushed.error.message}`);
      stats.pushes += 1;
      await checkHours(year, `${t.profile.role}s push`, t);
    }
  }
  stats.hoursInFacts = (await world.records()).filter((r) => r.hostHourId !== null && r.hours > 0).length;
  return stats;

  /** The nightly run; `true` when it applied (the admin has nothing to do this year). */
  async function unattended(year: number, t: Tenant): Promise<boolean> {
    const step = `${t.profile.role}s unattended run`;
    const before = await world.accounts();
    const ran = await t.sync.run({ unattended: true });
    if (ran.isErr()) fail(year, step, `${ran.error.type}: ${ran.error.message}`);
    if (!ran.value.applied) {
      if (JSON.stringify(await world.accounts()) !== JSON.stringify(before)) {
        fail(year, step, "stopped for a person but wrote to the directory");
      }
      return false;
    }
    if (t.seenInScope === null) fail(year, step, "applied a school's very first sync with nobody looking");
    if (ran.value.plan.holds.length > 0) fail(year, step, "applied a held plan with nobody looking");
    if (ran.value.review.rows.some((r) => r.isNewError)) fail(year, step, "applied past a new error nobody has seen");
    checkDirectory(year, step, ran.value.review, ran.value.plan, before, await world.accounts());
    return true;
  }

  async function logHours(year: number): Promise<void> {
    const entries = [...hostHours.getInstance().entries.values()];
    for (const e of entries) {
      if (mirrors.has(e.hourId) || !random.chance(0.2)) continue;
      const change = random.int(0, 2);
      const edited: HostHourEntry =
        change === 0
          ? { ...e, hours: e.hours + 1 }
          : change === 1
            ? { ...e, approved: !e.approved }
            : { ...e, deleted: true };
      hostHours.put({ ...edited, updatedAt: new Date(tick()).toISOString() });
    }
    for (const a of await world.accounts()) {
      const role = accountRole(a);
      if (a.archived || role === undefined || !random.chance(spec.hourRate)) continue;
      const hourId = `h-${++hourCounter}`;
      loggedAt.set(hourId, tick());
      hostHours.put({
        hourId,
        accountId: a.accountId,
        role,
        date: `${2026 + year}-10-${String(1 + random.int(0, 27)).padStart(2, "0")}`,
        hours: 1 + random.int(0, 4),
        description: "Library",
        approved: random.chance(0.8),
        deleted: false,
        updatedAt: new Date(now).toISOString(),
      });
    }
  }

  async function switchHoursOn(year: number): Promise<void> {
    for (const t of tenants) {
      const on = { ...t.profile, hoursSync: { enabled: true, historicImportDone: false } };
      const turnOn = () =>
        spec.hoursPath === "setup"
          ? t.sync.setup(on).map(() => undefined)
          : t.sync.enableHoursSync().map(() => undefined);
      let result = await turnOn();
      if (result.isErr()) {
        // Refused while FACTS holds hours nobody imported: the admin imports them first, as the guide says.
        const imported = await t.sync.importHistoricHours();
        if (imported.isErr())
          fail(year, `${t.profile.role}s import`, `${imported.error.type}: ${imported.error.message}`);
        result = await turnOn();
      }
      if (result.isErr()) fail(year, `${t.profile.role}s hours on`, `${result.error.type}: ${result.error.message}`);
      t.hoursSince = tick();
    }
  }

  function checkScope(year: number, step: string, profile: SyncProfile, report: ReviewReport): void {
    const expected = expectedScope(people(), profile);
    const actual = new Set(report.rows.filter((r) => r.status !== "out-of-scope").map((r) => r.sourceId));
    const missing = [...expected].filter((id) => !actual.has(id));
    const extra = [...actual].filter((id) => !expected.has(id));
    if (missing.length + extra.length > 0) {
      fail(year, step, `scope differs from R2: missing ${missing.slice(0, 5)}, extra ${extra.slice(0, 5)}`);
    }
  }

  function checkNew(year: number, step: string, t: Tenant, report: ReviewReport): void {
    if (t.seenInScope === null) return;
    for (const r of report.rows) {
      if (r.status === "out-of-scope") continue;
      const seen = t.seenInScope.has(r.sourceId);
      const fixed = (r as { fixed?: boolean }).fixed === true || r.reasons.some((x) => (x as string) === "fixed");
      if (!seen && !r.isNew && !fixed) {
        fail(year, step, `${r.sourceId} entered the scope since the last review but is not New? (${r.status})`);
      }
      if (seen && r.isNew && !r.isFamilyContext)
        fail(year, step, `${r.sourceId} was reviewed in scope but is New? again`);
    }
  }

  function checkPlanTouchesOnlyItsOwn(year: number, step: string, plan: SyncPlan, accounts: readonly Account[]): void {
    const byId = new Map(accounts.map((a) => [a.accountId, a]));
    for (const action of plan.actions) {
      if (action.type !== "update" && action.type !== "restore" && action.type !== "archive") continue;
      const a = byId.get(action.accountId);
      if (a && !a.managed) fail(year, step, `the plan would ${action.type} unmanaged account ${a.accountId}`);
    }
  }

  function checkDirectory(
    year: number,
    step: string,
    review: ReviewReport,
    plan: SyncPlan,
    before: readonly Account[],
    after: readonly Account[],
  ): void {
    const active = new Map<string, Account[]>();
    for (const a of after) {
      if (a.archived || !a.sourceId) continue;
      active.set(a.sourceId, [...(active.get(a.sourceId) ?? []), a]);
    }
    for (const [sourceId, accounts] of active) {
      if (accounts.length > 1) fail(year, step, `${sourceId} has ${accounts.length} active accounts`);
    }
    for (const r of review.rows) {
      if (r.status === "importable" && r.selected && !active.has(r.sourceId)) {
        fail(year, step, `${r.sourceId} is in scope, selected and error-free but has no active account`);
      }
    }
    const linkedBy = new Map<string, string>();
    for (const action of plan.actions) if (action.type === "link") linkedBy.set(action.accountId, action.sourceId);
    const afterById = new Map(after.map((a) => [a.accountId, a]));
    for (const a of before) {
      if (a.managed) continue;
      const now = afterById.get(a.accountId);
      if (now === undefined) fail(year, step, `unmanaged account ${a.accountId} vanished`);
      const linkedTo = linkedBy.get(a.accountId);
      if (linkedTo !== undefined) {
        if (now.sourceId !== linkedTo) fail(year, step, `account ${a.accountId} was to be linked to ${linkedTo}`);
        continue;
      }
      if (JSON.stringify(now) !== JSON.stringify(a)) fail(year, step, `unmanaged account ${a.accountId} was written`);
    }
  }

  /** After `pushed`'s push: its role's hours are all in FACTS; nobody's hour is there twice or echoed. */
  async function checkHours(year: number, step: string, pushed: Tenant): Promise<void> {
    const records = await world.records();
    const byHour = new Map<string, SisServiceHour[]>();
    for (const r of records) {
      if (r.hostHourId !== null) byHour.set(r.hostHourId, [...(byHour.get(r.hostHourId) ?? []), r]);
    }
    const accounts = new Map((await world.accounts()).map((a) => [a.accountId, a]));
    const entries = new Map([...hostHours.getInstance().entries.values()].map((e) => [e.hourId, e]));
    for (const [hourId, written] of byHour) {
      if (written.length > 1)
        fail(year, step, `hour ${hourId} is in FACTS ${written.length} times: ${JSON.stringify(written)}`);
      const e = entries.get(hourId);
      const record = written[0] as SisServiceHour;
      if (e === undefined) fail(year, step, `FACTS holds ${hourId}, which the host never had`);
      // The other profile's hours go out with its own push, later in the year.
      if ((!e.approved || e.deleted) && record.hours > 0 && e.role === pushed.profile.role) {
        fail(year, step, `hour ${hourId} is ${e.deleted ? "deleted" : "unapproved"} in the host but counts in FACTS`);
      }
    }
    for (const t of [pushed]) {
      if (t.hoursSince === null) continue;
      for (const e of entries.values()) {
        if (e.role !== t.profile.role || !e.approved || e.deleted) continue;
        if ((loggedAt.get(e.hourId) ?? 0) < t.hoursSince) continue;
        const a = accounts.get(e.accountId);
        if (!a?.sourceId || a.archived) continue;
        const written = byHour.get(e.hourId)?.[0];
        if (written === undefined)
          fail(year, step, `approved hour ${e.hourId} of linked account ${a.accountId} never reached FACTS`);
        if (written.personId !== a.sourceId || written.hours !== e.hours) {
          fail(
            year,
            step,
            `hour ${e.hourId} is in FACTS as ${written.personId}/${written.hours}, not ${a.sourceId}/${e.hours}`,
          );
        }
      }
    }
    const key = (r: SisServiceHour) => `${r.personId}|${r.date}|${r.hours}|${r.description}`;
    const historicKeys = new Set(world.historic.map(key));
    for (const r of records) {
      if (r.hostHourId !== null && historicKeys.has(key(r))) {
        fail(year, step, `historic hour of ${r.personId} on ${r.date} was echoed back as ${r.hostHourId}`);
      }
    }
  }
}
