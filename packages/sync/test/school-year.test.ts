import {
  createMemoryDirectory,
  createMemoryRosterSource,
  createMemoryStore,
  type FieldMapping,
  type RosterSnapshot,
  type RosterSource,
  simulateApply,
} from "@rostersync/core";
import { type GeneratedSchool, generatedProfile, generateSchool, nextSchoolYear } from "@rostersync/core/testing";
import { createFactsClient, createFactsSource } from "@rostersync/facts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSync, type SyncProgress } from "../src/index.js";
import { factsTables } from "./facts/roster-tables.js";
import { type ServiceHoursServer, startServiceHoursServer } from "./facts/service-hours-server.js";
import { comparable, duplicates } from "./helpers/engine.js";

const snapshotOf = (s: GeneratedSchool): RosterSnapshot => ({
  people: s.people,
  schools: s.schools,
  gradeLevels: s.gradeLevels,
});

/** A FACTS client for the test server: test keys, no rate limit to speak of, instant retries. */
const clientFor = (baseUrl: string, extra: { pageSize?: number } = {}) =>
  createFactsClient({
    subscriptionKey: "0123456789abcdef0123456789abcdef",
    apiKey: `FK-${"cd".repeat(50)}`,
    baseUrl,
    budget: { windows: [{ requests: 100_000, windowMs: 1000 }], marginMs: 0 },
    retry: { baseDelayMs: 1, jitter: (d) => d },
    ...extra,
  });

/**
 * A first sync and then a next-school-year sync of a generated school, end to end through createSync,
 * with the counts checked against what the generator changed (not against the planner's own logic).
 */
export async function firstThenNextYear(
  sourceFor: (roster: () => RosterSnapshot) => RosterSource,
  fieldMap?: readonly FieldMapping[],
) {
  const year1 = generateSchool({ seed: 2026, people: 600, accountsFor: "none" });
  const year2 = nextSchoolYear(year1, { seed: 2027, withdrawRate: 0.05, returnRate: 0.5 });
  let roster = snapshotOf(year1);
  const directory = createMemoryDirectory();
  const store = createMemoryStore();
  const sync = createSync({ tenantId: "school-e2e", source: sourceFor(() => roster), directory, store });
  const profile = generatedProfile(year1, "student");
  (await sync.setup(fieldMap === undefined ? profile : { ...profile, fieldMap }))._unsafeUnwrap();

  // First sync: everyone is new; every importable, selected student gets an account.
  const review1 = (await sync.refresh())._unsafeUnwrap();
  expect(review1.totals.people).toBe(year1.people.length);
  const inScope1 = review1.rows.filter((r) => r.status !== "out-of-scope");
  expect(review1.rows.every((r) => r.isNew)).toBe(true);
  expect(review1.totals.newPeople).toBe(inScope1.length);
  const plan1 = (await sync.plan())._unsafeUnwrap();
  const importable1 = review1.rows.filter((r) => r.status === "importable").map((r) => r.sourceId);
  expect(plan1.counts.add).toBe(importable1.length);
  expect(plan1.counts.link + plan1.counts.update + plan1.counts.archive + plan1.counts.restore).toBe(0);
  const run1 = (await sync.apply(plan1, { acknowledge: plan1.planHash }))._unsafeUnwrap();
  expect(run1).toMatchObject({ status: "completed", failed: 0 });
  expect(run1.counts.add).toBe(importable1.length);
  expect(run1.inviteCandidates.filter((i) => i.reason === "added")).toHaveLength(importable1.length);
  const afterYear1 = directory.snapshot();
  expect(afterYear1).toHaveLength(importable1.length);

  // Next school year: seniors graduate, some withdraw, some return, new families arrive.
  roster = snapshotOf(year2);
  const review2 = (await sync.refresh())._unsafeUnwrap();
  const plan2 = (await sync.plan())._unsafeUnwrap();
  const year1Ids = new Set(year1.people.map((p) => p.sourceId));
  const before = new Map(year1.people.map((p) => [p.sourceId, p]));
  const accountOf = new Map(afterYear1.map((a) => [a.sourceId, a]));

  // New? in-scope rows are exactly the people not seen in scope last year (R5): the people the generator
  // added this year, and those who entered the scope since (a return, an enrolment).
  const seenInScope1 = new Set(review1.rows.filter((r) => r.status !== "out-of-scope").map((r) => r.sourceId));
  const inScope2 = review2.rows.filter((r) => r.status !== "out-of-scope");
  const arrived = year2.people.filter((p) => !year1Ids.has(p.sourceId)).map((p) => p.sourceId);
  expect(arrived.length).toBeGreaterThan(0);
  expect(
    inScope2
      .filter((r) => r.isNew)
      .map((r) => r.sourceId)
      .sort(),
  ).toEqual(
    inScope2
      .filter((r) => !seenInScope1.has(r.sourceId))
      .map((r) => r.sourceId)
      .sort(),
  );
  const newIds = new Set(review2.rows.filter((r) => r.isNew).map((r) => r.sourceId));
  for (const id of arrived) expect(newIds.has(id)).toBe(true);
  expect(review2.totals.newPeople).toBe(review2.rows.filter((r) => r.isNew && r.status !== "out-of-scope").length);

  // Archives: exactly the synced students who graduated or withdrew (R7).
  const left = year2.people
    .filter((p) => p.role === "student" && p.status !== "enrolled" && before.get(p.sourceId)?.status === "enrolled")
    .filter((p) => accountOf.has(p.sourceId))
    .map((p) => p.sourceId)
    .sort();
  const graduates = year2.people.filter(
    (p) => p.status === "graduated" && before.get(p.sourceId)?.status === "enrolled",
  );
  expect(graduates.length).toBeGreaterThan(0);
  const archived = plan2.actions
    .flatMap((a) => (a.type === "archive" && a.sourceId !== null ? [a.sourceId] : []))
    .sort();
  expect(archived).toEqual(left);

  // Adds: only people who arrived this year or came back without an account.
  const added = plan2.actions.flatMap((a) => (a.type === "add" ? [a.sourceId] : []));
  const newImportable = review2.rows.filter((r) => r.isNew && r.status === "importable").map((r) => r.sourceId);
  for (const id of added) expect(!year1Ids.has(id) || !accountOf.has(id)).toBe(true);
  for (const id of newImportable) expect(added).toContain(id);

  // Updates: synced students still enrolled were promoted, so their homeroom changed (R8).
  const promoted = year2.people
    .filter((p) => p.status === "enrolled" && accountOf.has(p.sourceId))
    .filter((p) => review2.rows.find((r) => r.sourceId === p.sourceId)?.status === "importable")
    .filter((p) => p.fields.homeroom !== before.get(p.sourceId)?.fields.homeroom)
    .map((p) => p.sourceId)
    .sort();
  const updated = plan2.actions.flatMap((a) => (a.type === "update" ? [a.sourceId] : [])).sort();
  expect(updated).toEqual(promoted);
  expect(plan2.counts.link).toBe(0);

  // Only new errors: an error already reviewed last year is not new again (R5).
  const oldErrors = new Set(review1.errorFingerprints);
  expect(review2.totals.newErrors).toBe(review2.errorFingerprints.filter((f) => !oldErrors.has(f)).length);

  const run2 = (await sync.apply(plan2, { acknowledge: plan2.planHash }))._unsafeUnwrap();
  expect(run2).toMatchObject({ status: "completed", failed: 0, counts: plan2.counts });
  expect(comparable(directory.snapshot())).toEqual(comparable(simulateApply(afterYear1, plan2)));
  expect(duplicates(directory.snapshot())).toEqual([]);
  // Planning again converges: nothing left to do.
  (await sync.refresh())._unsafeUnwrap();
  const plan3 = (await sync.plan())._unsafeUnwrap();
  expect(plan3.counts.add + plan3.counts.update + plan3.counts.archive + plan3.counts.restore + plan3.counts.link).toBe(
    0,
  );
  return { plan1, plan2, review2 };
}

describe("first sync, then next school year, end to end", () => {
  it("adds, archives, updates and New? rows match what the generator did (memory source)", async () => {
    const { plan2 } = await firstThenNextYear((roster) => createMemoryRosterSource({ snapshot: roster }));
    expect(plan2.counts.archive).toBeGreaterThan(0);
    expect(plan2.counts.update).toBeGreaterThan(0);
    expect(plan2.counts.add).toBeGreaterThan(0);
  });

  let server: ServiceHoursServer;
  beforeAll(async () => {
    server = await startServiceHoursServer();
  });
  afterAll(() => server.close());

  it("reports the roster read page by page (phase read) when the host listens for progress", async () => {
    const client = clientFor(server.url, { pageSize: 100 });
    const school = generateSchool({ seed: 7, people: 900, accountsFor: "none" });
    const tables = factsTables(snapshotOf(school));
    server.roster = () => tables;
    const seen: SyncProgress[] = [];
    const sync = createSync({
      tenantId: "school-read",
      source: createFactsSource({ client }),
      directory: createMemoryDirectory(),
      store: createMemoryStore(),
      onProgress: (p) => seen.push(p),
    });
    // Over FACTS the generator's `homeroom` is the UDF `udf:homeroom` (setup refuses a field FACTS lacks).
    const profile = generatedProfile(school, "student");
    const fieldMap = profile.fieldMap.map((m) =>
      m.source.startsWith("udf:") ? m : { ...m, source: `udf:${m.source}` },
    );
    (await sync.setup({ ...profile, fieldMap }))._unsafeUnwrap();
    const report = (await sync.refresh())._unsafeUnwrap();
    expect(report.rows).toHaveLength(school.people.length);
    const reads = seen.filter((p) => p.phase === "read");
    expect(reads.length).toBeGreaterThan(5);
    const last = reads.at(-1) as SyncProgress;
    expect(last.done).toBe(last.total);
    expect(last.etaMs).toBe(0);
    expect(last.records).toBeGreaterThanOrEqual(school.people.length);
    for (let i = 1; i < reads.length; i++) {
      const [before, after] = [reads[i - 1] as SyncProgress, reads[i] as SyncProgress];
      expect(after.done).toBeGreaterThanOrEqual(before.done);
      expect(after.records ?? 0).toBeGreaterThanOrEqual(before.records ?? 0);
      expect(after.done).toBeLessThanOrEqual(after.total);
    }
  });

  it("adds, archives, updates and New? rows match what the generator did (FACTS source over HTTP)", async () => {
    const client = clientFor(server.url);
    const facts = createFactsSource({ client });
    const reads = { count: 0 };
    const { plan2 } = await firstThenNextYear(
      (roster) => ({
        name: "facts-over-http",
        read: (options) => {
          reads.count++;
          const tables = factsTables(roster());
          server.roster = () => tables;
          return facts.read(options);
        },
      }),
      [
        { source: "udf:homeroom", target: "Homeroom" },
        { source: "udf:tshirt", target: "T-Shirt Size", createAs: "dropdown" },
      ],
    );
    expect(reads.count).toBeGreaterThanOrEqual(4);
    expect(plan2.counts.archive).toBeGreaterThan(0);
    expect(plan2.counts.update).toBeGreaterThan(0);
    expect(plan2.counts.add).toBeGreaterThan(0);
  }, 300_000);
});
