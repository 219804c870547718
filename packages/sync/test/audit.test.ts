import { type AuditRecord, createMemoryHoursSink, type RosterSnapshot } from "@rostersync/core";
import { generatedProfile, generateSchool } from "@rostersync/core/testing";
import { describe, expect, it } from "vitest";
import { historicHour, hostHour, hoursSchool } from "./helpers/hours.js";
import { manualClock, memorySchool, must, numberedAccounts, studentProfile } from "./helpers/school.js";

const T = "school-audit";
let ids = 0;
const newId = () => `id-${++ids}`;

describe("everything that writes leaves an audit record (issue 15, item 9)", () => {
  it("hours: a refused switch-on, the import, the switch-on, pushes, a dry-run and a real backfill", async () => {
    const accounts = numberedAccounts(3, { sourceBase: 700 });
    const historic = historicHour({
      serviceHoursId: "old-1",
      personId: "701",
      date: "2026-04-01",
      hours: 1,
      description: "Old",
    });
    const clock = manualClock(Date.UTC(2026, 8, 1));
    const { sync, hoursSource } = hoursSchool({
      tenantId: T,
      accounts,
      sink: createMemoryHoursSink({ hours: [historic] }),
      clock,
      newId,
    });
    const profile = studentProfile({ gradeLevels: [] });
    must(await sync.setup(profile));
    const early = hostHour({
      hourId: "early",
      accountId: "a2",
      date: "2026-08-20",
      hours: 2,
      description: "Before",
      updatedAt: new Date(clock.at - 1000).toISOString(),
      createdAt: new Date(clock.at - 1000).toISOString(),
    });
    hoursSource.put(early);
    const refused = await sync.setup(
      { ...profile, hoursSync: { enabled: true, historicImportDone: false } },
      { actor: "admin-1" },
    );
    expect(refused.isErr()).toBe(true);
    must(await sync.importHistoricHours({ actor: "admin-1" }));
    must(await sync.enableHoursSync({ actor: "admin-1" }));
    clock.at += 60_000;
    hoursSource.put({
      ...early,
      hourId: "new",
      createdAt: new Date(clock.at).toISOString(),
      updatedAt: new Date(clock.at).toISOString(),
    });
    must(await sync.pushHours({ actor: "cron" }));
    must(await sync.pushHours({ actor: "cron" })); // nothing to send: no record
    must(await sync.backfillHours({ from: "2026-08-01", dryRun: true, actor: "admin-1" }));
    must(await sync.backfillHours({ from: "2026-08-01", actor: "admin-1" }));

    const audit = must(await sync.audit());
    const brief = (a: AuditRecord) => [a.kind, a.status, a.actor];
    expect(audit.map(brief).reverse()).toEqual([
      ["hours-enabled", "refused", "admin-1"],
      ["hours-import", "completed", "admin-1"],
      ["hours-enabled", "completed", "admin-1"],
      ["hours-push", "completed", "cron"],
      ["hours-backfill", "dry-run", "admin-1"],
      ["hours-backfill", "completed", "admin-1"],
    ]);
    const [backfill, dryRun, push, enabled, imported, refusal] = audit;
    expect(refusal).toMatchObject({
      counts: { via: "setup", unseen: 1 },
      reason: expect.stringMatching(/^HistoricHoursUnseen/),
    });
    expect(imported?.counts).toMatchObject({ found: 1, unseen: 1, imported: 1 });
    expect(enabled?.counts).toEqual({ via: "enableHoursSync", force: false });
    expect(push).toMatchObject({ counts: { created: 1, writes: 1 }, outcomes: { new: "created" } });
    expect(dryRun).toMatchObject({ counts: { writes: 1, created: 0 }, outcomes: { early: "would create" } });
    expect(backfill).toMatchObject({ counts: { from: "2026-08-01", created: 1 }, outcomes: { early: "created" } });
    expect(must(await sync.audit({ kind: "hours-backfill" })).map((a) => a.status)).toEqual(["completed", "dry-run"]);
    expect(new Set(audit.map((a) => a.auditId)).size).toBe(audit.length);
  });

  it("apply: a held plan and a stale plan are refused with a record, an applied run has one, an unattended stop too", async () => {
    const school = generateSchool({ seed: 21, people: 80, accountsFor: "none" });
    let roster: RosterSnapshot = { people: school.people, schools: school.schools, gradeLevels: school.gradeLevels };
    const { sync, directory, store } = memorySchool({ tenantId: T, roster: () => roster, newId });
    must(await sync.setup(generatedProfile(school, "student")));

    // The first sync, unattended: stopped for a person.
    const first = must(await sync.run({ unattended: true }));
    expect(first.applied).toBe(false);
    const plan = first.plan;
    // A stale plan: someone adds an account after planning.
    directory.getInstance().accounts.set("late", {
      accountId: "late",
      email: "late@example.org",
      archived: false,
      managed: false,
      fields: {},
      neverAccessed: false,
    });
    const stale = await sync.apply(plan, { acknowledge: plan.planHash, actor: "admin-2" });
    expect(stale.isErr() && stale.error.type).toBe("StalePlan");
    const fresh = must(await sync.plan());
    must(await sync.apply(fresh, { acknowledge: fresh.planHash, actor: "admin-2" }));
    // Next night FACTS answers half the school: held, and an admin's apply without acknowledging is refused.
    roster = { ...roster, people: roster.people.slice(0, Math.floor(roster.people.length / 2)) };
    must(await sync.refresh());
    const held = must(await sync.plan());
    expect(held.holds.length).toBeGreaterThan(0);
    const refused = await sync.apply(held, { actor: "admin-2" });
    expect(refused.isErr() && refused.error.type).toBe("Held");

    const audit = must(await sync.audit());
    expect(audit.map((a) => [a.kind ?? "apply", a.status, a.actor]).reverse()).toEqual([
      ["unattended-stopped", "stopped", "unattended"],
      ["apply-refused", "refused", "admin-2"],
      ["apply", "completed", "admin-2"],
      ["apply-refused", "refused", "admin-2"],
    ]);
    const [heldRecord, , staleRecord, stopped] = audit;
    expect(stopped).toMatchObject({
      planHash: plan.planHash,
      outcomes: { reasons: expect.arrayContaining(["first-run"]) },
    });
    expect(stopped?.reason).toMatch(/first sync/);
    expect(staleRecord).toMatchObject({ planHash: plan.planHash, reason: expect.stringMatching(/^StalePlan/) });
    expect(heldRecord).toMatchObject({
      planHash: held.planHash,
      reason: expect.stringMatching(/^Held/),
      outcomes: { holds: held.holds.map((h) => h.type) },
    });
    expect(must(await sync.audit({ kind: "apply-refused", limit: 1 })).map((a) => a.planHash)).toEqual([held.planHash]);
    // Queryable per school: another school in the same store has none of them.
    const { sync: other } = memorySchool({ tenantId: "other-school", roster: () => roster, directory, store });
    expect(must(await other.audit())).toEqual([]);
  });
});
