import { type Account, createMemoryHoursSink, type HostHourEntry, type SyncProfile } from "@rostersync/core";
import { generatedProfile, generateSchool } from "@rostersync/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HOURS_PARKED } from "../src/index.js";
import { hostHour, hoursSchool } from "./helpers/hours.js";
import { manualClock, must, numberedAccounts, PUSHING_PROFILE, rosterOf } from "./helpers/school.js";

const TENANT = "school-life";

/**
 * A school whose host accounts exist but are not linked yet (same email as the SIS, R6): a sync links them.
 * Hours sync is on from the start, so hours can be logged before the first sync links anyone.
 */
async function unlinkedSchool(clockStart = Date.UTC(2026, 8, 1)) {
  const school = generateSchool({ seed: 15, people: 80, accountsFor: "both", linkedRate: 0, emailMatchRate: 0.6 });
  const clock = manualClock(clockStart);
  const parts = hoursSchool({ tenantId: TENANT, accounts: school.accounts, roster: rosterOf(school), clock });
  const profile: SyncProfile = {
    ...generatedProfile(school, "student"),
    hoursSync: { enabled: false, historicImportDone: false },
  };
  must(await parts.sync.setup(profile));
  must(await parts.sync.enableHoursSync());
  return {
    school,
    ...parts,
    tick: () => {
      clock.at += 60_000;
      return new Date(clock.at).toISOString();
    },
  };
}

const hourOf = (account: Account, n: number, updatedAt: string): HostHourEntry =>
  hostHour({
    hourId: `hour-${account.accountId}-${n}`,
    accountId: account.accountId,
    date: "2026-09-10",
    hours: 1 + (n % 3),
    description: `Library shift ${n}`,
    updatedAt,
  });

describe("hours of accounts that are linked later (issue 15, item 2)", () => {
  it("log hours while unlinked → push → link → push: every hour is in FACTS exactly once", async () => {
    const { directory, sink, hoursSource, sync, tick } = await unlinkedSchool();
    const unlinked = directory.snapshot().filter((a) => a.sourceId === undefined && !a.archived);
    expect(unlinked.length).toBeGreaterThan(5);
    const entries = unlinked.map((a, i) => hourOf(a, i, tick()));
    // One entry of an unlinked account that is not approved: nothing to park, nothing to send later.
    const waiting = { ...hourOf(unlinked[0] as Account, 999, tick()), approved: false };
    for (const e of [...entries, waiting]) hoursSource.put(e);

    const before = must(await sync.pushHours());
    expect(before).toMatchObject({ created: 0, writes: 0, settled: true, parked: entries.length });
    expect(before.outcomes.every((o) => o.status === "unlinked")).toBe(true);
    expect(sink.snapshot()).toEqual([]);

    // The first sync links the accounts with the person's email (R6).
    must(await sync.refresh());
    const plan = must(await sync.plan());
    expect(plan.counts.link).toBeGreaterThan(0);
    must(await sync.apply(plan, { acknowledge: plan.planHash }));
    const personOf = new Map(directory.snapshot().map((a) => [a.accountId, a.sourceId]));
    const nowLinked = entries.filter((e) => personOf.get(e.accountId) !== undefined);
    const stillUnlinked = entries.filter((e) => personOf.get(e.accountId) === undefined);
    expect(nowLinked.length).toBeGreaterThan(0);

    // Nothing changed in the host since the last push: the parked entries go out anyway.
    const after = must(await sync.pushHours());
    expect(after).toMatchObject({ created: nowLinked.length, failed: 0, settled: true, parked: stillUnlinked.length });
    const again = must(await sync.pushHours());
    expect(again).toMatchObject({ writes: 0, created: 0 });

    const records = sink.snapshot();
    expect(records.map((r) => r.hostHourId).sort()).toEqual(nowLinked.map((e) => e.hourId).sort());
    for (const e of nowLinked) {
      const held = records.filter((r) => r.hostHourId === e.hourId);
      expect(held, e.hourId).toHaveLength(1);
      expect(held[0]?.personId).toBe(personOf.get(e.accountId));
    }
  });

  it("a parked entry edited or un-approved before its account is linked goes out as it is now, or not at all", async () => {
    const { directory, store, sink, hoursSource, sync, tick } = await unlinkedSchool();
    must(await sync.refresh());
    // Two accounts the first sync will link (R6), known from its plan before anything is applied.
    const plan = must(await sync.plan());
    const links = plan.actions.flatMap((x) => (x.type === "link" ? [x] : []));
    expect(links.length).toBeGreaterThanOrEqual(2);
    const [a, b] = links.map((l) => directory.snapshot().find((x) => x.accountId === l.accountId)) as [
      Account,
      Account,
    ];
    hoursSource.put(hourOf(a, 1, tick()));
    hoursSource.put(hourOf(b, 2, tick()));
    must(await sync.pushHours());
    expect(JSON.parse(must(await store.getWatermark(TENANT, HOURS_PARKED)) ?? "[]")).toHaveLength(2);
    hoursSource.put({ ...hourOf(a, 1, tick()), hours: 7 });
    hoursSource.put({ ...hourOf(b, 2, tick()), approved: false });
    expect(must(await sync.pushHours())).toMatchObject({ parked: 1, writes: 0 });

    must(await sync.apply(plan, { acknowledge: plan.planHash }));
    const pushed = must(await sync.pushHours());
    expect(pushed).toMatchObject({ created: 1, parked: 0, retried: 1 });
    expect(sink.snapshot()).toMatchObject([
      { hostHourId: hourOf(a, 1, "").hourId, hours: 7, personId: links[0]?.sourceId },
    ]);
  });
});

type LifeStep =
  | { readonly kind: "log"; readonly hour: number; readonly account: number; readonly approved: boolean }
  | { readonly kind: "edit"; readonly hour: number; readonly hours: number }
  | { readonly kind: "approve"; readonly hour: number; readonly approved: boolean }
  | { readonly kind: "delete"; readonly hour: number }
  | { readonly kind: "link"; readonly account: number }
  | { readonly kind: "push"; readonly fail: boolean };

const lifeStep: fc.Arbitrary<LifeStep> = fc.oneof(
  fc.record({
    kind: fc.constant("log" as const),
    hour: fc.integer({ min: 0, max: 15 }),
    account: fc.integer({ min: 0, max: 5 }),
    approved: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("edit" as const),
    hour: fc.integer({ min: 0, max: 15 }),
    hours: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ kind: fc.constant("approve" as const), hour: fc.integer({ min: 0, max: 15 }), approved: fc.boolean() }),
  fc.record({ kind: fc.constant("delete" as const), hour: fc.integer({ min: 0, max: 15 }) }),
  fc.record({ kind: fc.constant("link" as const), account: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant("push" as const), fail: fc.boolean() }),
);

describe("hours logged before and after linking, as a property (issue 15, item 2)", () => {
  it("after every push, FACTS holds each approved, live hour of a linked account exactly once, and nothing else", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lifeStep, { minLength: 5, maxLength: 40 }), async (steps) => {
        // Six accounts, none linked at first; a `link` step links one (as a sync would, R6).
        let failing = false;
        const sink = createMemoryHoursSink({
          fault: () => (failing ? { error: { type: "Unavailable", message: "FACTS is down" } } : null),
        });
        let tick = 0;
        const stamp = () => new Date(Date.UTC(2026, 8, 1) + ++tick * 1000).toISOString();
        const { sync, directory, hoursSource } = hoursSchool({
          tenantId: "life",
          accounts: numberedAccounts(6, { first: 0 }),
          sink,
          clock: { now: () => Date.UTC(2026, 7, 1) },
        });
        must(await sync.setup(PUSHING_PROFILE));
        const entries = new Map<string, HostHourEntry>();
        const put = (e: HostHourEntry) => {
          entries.set(e.hourId, e);
          hoursSource.put(e);
        };
        const check = () => {
          const personOf = new Map(directory.snapshot().map((a) => [a.accountId, a.sourceId]));
          const wanted = [...entries.values()].filter(
            (e) => e.approved && !e.deleted && personOf.get(e.accountId) !== undefined,
          );
          const records = sink.snapshot();
          expect(records.map((r) => r.hostHourId).sort()).toEqual(wanted.map((e) => e.hourId).sort());
          for (const e of wanted) {
            const [record] = records.filter((r) => r.hostHourId === e.hourId);
            expect(record).toMatchObject({ hours: e.hours, personId: personOf.get(e.accountId) });
          }
        };
        for (const s of steps) {
          const known = "hour" in s ? entries.get(`h${s.hour}`) : undefined;
          if (s.kind === "log" && known === undefined) {
            put(
              hostHour({
                hourId: `h${s.hour}`,
                accountId: `a${s.account}`,
                date: "2026-09-10",
                hours: 1,
                description: `Shift ${s.hour}`,
                approved: s.approved,
                updatedAt: stamp(),
              }),
            );
          } else if (s.kind === "edit" && known !== undefined && !known.deleted) {
            put({ ...known, hours: s.hours, updatedAt: stamp() });
          } else if (s.kind === "approve" && known !== undefined && !known.deleted) {
            put({ ...known, approved: s.approved, updatedAt: stamp() });
          } else if (s.kind === "delete" && known !== undefined) {
            put({ ...known, deleted: true, updatedAt: stamp() });
          } else if (s.kind === "link") {
            const account = directory.getInstance().accounts.get(`a${s.account}`);
            if (account !== undefined && account.sourceId === undefined) {
              directory.getInstance().accounts.set(account.accountId, { ...account, sourceId: `${900 + s.account}` });
            }
          } else if (s.kind === "push") {
            failing = s.fail;
            must(await sync.pushHours());
            failing = false;
            // A failed push is settled by the next one; after a clean push everything holds.
            if (!s.fail) check();
          }
        }
        must(await sync.pushHours());
        check();
      }),
      { numRuns: 150 },
    );
  });
});
