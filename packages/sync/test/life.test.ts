import {
  type Account,
  createMemoryDirectory,
  createMemoryHoursSink,
  createMemoryHoursSource,
  filterRows,
  type RosterSnapshot,
  type SourcePerson,
  type SyncProfile,
  type TargetDirectory,
} from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { hostHour } from "./helpers/hours.js";
import { memorySchool } from "./helpers/school.js";

const TENANT = "school-1";

const kid = (sourceId: string, over: Partial<SourcePerson> = {}): SourcePerson => ({
  sourceId,
  role: "student",
  firstName: `Kid${sourceId}`,
  lastName: "Lee",
  email: `kid${sourceId}@school.org`,
  schoolCode: "HS",
  gradeLevel: "10",
  status: "enrolled",
  families: [{ familyId: `F${sourceId}` }],
  studentIds: [],
  fields: {},
  ...over,
});
/** The first-listed mother of `child`: a kid's record as a parent, with no grade of her own. */
const parentOf = (sourceId: string, child: string): SourcePerson => {
  const { gradeLevel: _none, ...parent } = kid(sourceId, {
    role: "parent",
    firstName: `Parent${sourceId}`,
    email: `parent${sourceId}@mail.org`,
    families: [{ familyId: `F${child}`, relationship: "Mother", listedFirst: true }],
    studentIds: [child],
  });
  return parent;
};
const profileOf = (role: "student" | "parent"): SyncProfile => ({
  role,
  schools: ["HS"],
  gradeLevels: ["09", "10", "11", "12"],
  fieldMap: [],
  defaultSelection: false,
  hoursSync: { enabled: false, historicImportDone: false },
});

/** One school in memory whose roster a test swaps between years; every year is reviewed and applied. */
async function school(role: "student" | "parent", people: SourcePerson[]) {
  let roster: RosterSnapshot = { people, schools: [], gradeLevels: [] };
  const { sync, store, directory } = memorySchool({ tenantId: TENANT, roster: () => roster });
  (await sync.setup(profileOf(role)))._unsafeUnwrap();
  return {
    sync,
    store,
    directory,
    setPeople(next: SourcePerson[]) {
      roster = { people: next, schools: [], gradeLevels: [] };
    },
    /** Refresh, select what the test asks, plan and apply. */
    async year(select: string[] = []) {
      const review = (await sync.refresh())._unsafeUnwrap();
      if (select.length > 0) (await sync.decide((d) => d.select(select)))._unsafeUnwrap();
      const plan = (await sync.plan())._unsafeUnwrap();
      const run = (await sync.apply(plan, { acknowledge: plan.planHash }))._unsafeUnwrap();
      expect(run.status).toBe("completed");
      return review;
    },
  };
}

// Year 1: an 8th grader, a Pre-Enrolled 10th grader, an enrolled 10th grader, and a parent of each.
const year1 = [
  kid("1", { gradeLevel: "08" }),
  kid("2", { status: "inactive" }),
  kid("3"),
  parentOf("11", "1"),
  parentOf("12", "2"),
  parentOf("13", "3"),
];
// Year 2: the 8th grader is promoted into 09, the Pre-Enrolled student is Enrolled.
const year2 = year1.map((p) =>
  p.sourceId === "1" ? { ...p, gradeLevel: "09" } : p.sourceId === "2" ? { ...p, status: "enrolled" as const } : p,
);

describe("a school's life through createSync", () => {
  it("makes people who enter the scope New? after an apply: only people seen in scope are reviewed (R5)", async () => {
    const s = await school("student", year1);
    await s.year(["3"]);
    const decisions = (await s.sync.decisions())._unsafeUnwrap();
    expect(decisions.reviewed).toEqual(["3"]);
    s.setPeople(year2);
    const review = (await s.sync.refresh())._unsafeUnwrap();
    expect(filterRows(review, { newOnly: true }).map((r) => [r.sourceId, r.isNew, r.status])).toEqual([
      ["1", true, "skipped"],
      ["2", true, "skipped"],
    ]);
    // The admin sees them and selects them: they get accounts.
    await s.year(["1", "2"]);
    const emails = s.directory
      .snapshot()
      .map((a) => a.email)
      .sort();
    expect(emails).toEqual(["kid1@school.org", "kid2@school.org", "kid3@school.org"]);
  });

  it("makes the parents of students who enter the scope New? after an apply (R5)", async () => {
    const s = await school("parent", year1);
    await s.year(["13"]);
    s.setPeople(year2);
    const review = (await s.sync.refresh())._unsafeUnwrap();
    expect(filterRows(review, review.openOn).map((r) => [r.sourceId, r.isNew])).toEqual([
      ["11", true],
      ["12", true],
    ]);
  });

  it("flags people whose email was fixed since the applied review, and opens the re-sync on them (R5)", async () => {
    const s = await school("student", [kid("3"), kid("4", { email: null })]);
    const first = await s.year(["3"]);
    expect(first.openOn).toEqual({});
    const decisions = (await s.sync.decisions())._unsafeUnwrap();
    expect(decisions.reviewedWithErrors).toEqual(["4"]);
    s.setPeople([kid("3"), kid("4")]);
    const review = (await s.sync.refresh())._unsafeUnwrap();
    expect(review.openOn).toEqual({ needsReview: true });
    expect(filterRows(review, review.openOn).map((r) => [r.sourceId, r.isFixed, r.status])).toEqual([
      ["4", true, "skipped"],
    ]);
    await s.year(["4"]);
    const after = (await s.sync.refresh())._unsafeUnwrap();
    expect(after.rows.some((r) => r.isFixed)).toBe(false);
    expect(filterRows(after, after.openOn)).toEqual([]);
  });
});

describe("merging through createSync (R6)", () => {
  const ann = kid("1", { firstName: "Ann", lastName: "Lee", birthDate: "2010-02-03" });
  /** The account Ann's family made in the host before the integration, under a home email. */
  const homeAccount: Account = {
    accountId: "host-1",
    email: "ann.lee@home.net",
    firstName: "Ann",
    lastName: "Lee",
    archived: false,
    managed: false,
    fields: {},
    neverAccessed: false,
  };
  const hour = (hourId: string, accountId: string, updatedAt: string) =>
    hostHour({ hourId, accountId, date: "2026-09-10", hours: 2, description: "Library", updatedAt });

  async function mergeSchool(withMerge: boolean) {
    const roster: RosterSnapshot = { people: [ann], schools: [], gradeLevels: [] };
    const memory = createMemoryDirectory({ accounts: [homeAccount] });
    const hoursSource = createMemoryHoursSource({ entries: [hour("h-home", "host-1", "2026-09-01T00:00:00.000Z")] });
    const sink = createMemoryHoursSink();
    // The host moves the duplicate's hours (same hour ids) when asked to merge.
    const directory: TargetDirectory = withMerge
      ? {
          ...memory,
          mergeAccounts(from, into) {
            for (const e of [...hoursSource.getInstance().entries.values()])
              if (e.accountId === from)
                hoursSource.put({ ...e, accountId: into, updatedAt: "2026-09-20T00:00:00.000Z" });
            return memory.mergeAccounts?.(from, into) as ReturnType<NonNullable<TargetDirectory["mergeAccounts"]>>;
          },
        }
      : (({ mergeAccounts: _none, ...rest }) => rest)(memory);
    const { sync } = memorySchool({ tenantId: TENANT, roster, directory, hours: sink, hoursSource });
    (await sync.setup({ ...profileOf("student"), defaultSelection: true }))._unsafeUnwrap();
    return { sync, memory, hoursSource, sink };
  }

  async function applyNow(sync: Awaited<ReturnType<typeof mergeSchool>>["sync"]) {
    (await sync.refresh())._unsafeUnwrap();
    const plan = (await sync.plan())._unsafeUnwrap();
    return { plan, run: (await sync.apply(plan, { acknowledge: plan.planHash }))._unsafeUnwrap() };
  }

  it("exposes merge candidates from the review, weak ones with their evidence (R6)", async () => {
    const { sync } = await mergeSchool(true);
    (await sync.refresh())._unsafeUnwrap();
    const candidates = (await sync.mergeCandidates())._unsafeUnwrap();
    expect(candidates).toEqual([
      expect.objectContaining({
        sourceId: "1",
        accountId: "host-1",
        evidence: ["same-name"],
        strength: "weak",
        duplicateAccountId: null,
      }),
    ]);
  });

  it("merges after the fact: links the chosen account, archives the duplicate as merged, sends no hour twice (R6)", async () => {
    const { sync, memory, hoursSource, sink } = await mergeSchool(true);
    // Year one: nobody merged, Ann got a second account; hours logged under both reach the SIS.
    const first = await applyNow(sync);
    expect(first.plan.counts.add).toBe(1);
    const duplicate = memory.snapshot().find((a) => a.sourceId === "1") as Account;
    (await sync.enableHoursSync())._unsafeUnwrap();
    hoursSource.put(hour("h-dup", duplicate.accountId, "2026-09-11T00:00:00.000Z"));
    const pushed = (await sync.pushHours())._unsafeUnwrap();
    expect(pushed.created).toBe(1); // the home account's hour is not linked yet
    expect(sink.snapshot()).toHaveLength(1);

    // The admin sees the look-alike, now naming the duplicate, and merges.
    (await sync.refresh())._unsafeUnwrap();
    const candidates = (await sync.mergeCandidates())._unsafeUnwrap();
    expect(candidates).toEqual([
      expect.objectContaining({ accountId: "host-1", duplicateAccountId: duplicate.accountId }),
    ]);
    (await sync.decide((d) => d.manualMerge("1", "host-1")))._unsafeUnwrap();
    const merged = await applyNow(sync);
    expect(merged.plan.actions.map((a) => [a.type, a.reasons])).toEqual([
      ["archive", ["merged"]],
      ["link", ["manual-merge"]],
    ]);
    expect(merged.run.failed).toBe(0);
    expect(memory.getInstance().merges).toEqual([{ from: duplicate.accountId, into: "host-1" }]);
    const accounts = memory.snapshot();
    expect(accounts.filter((a) => a.sourceId === "1").map((a) => [a.accountId, a.email, a.archived])).toEqual([
      ["host-1", "kid1@school.org", false],
    ]);
    expect(accounts.find((a) => a.accountId === duplicate.accountId)?.archived).toBe(true);

    // The moved hour keeps its id: it is not sent again. (Whether the home account's older hour goes now
    // is the unlinked-hours retry's business; either way no hour is in the SIS twice.)
    const after = (await sync.pushHours())._unsafeUnwrap();
    const byId = new Map(after.outcomes.map((o) => [o.hourId, o.status]));
    expect(byId.get("h-dup")).toBe("unchanged");
    const markers = sink.snapshot().map((r) => r.hostHourId);
    expect(markers.filter((m) => m === "h-dup")).toHaveLength(1);
    expect(new Set(markers).size).toBe(markers.length);
    // Planning again writes nothing.
    (await sync.refresh())._unsafeUnwrap();
    const again = (await sync.plan())._unsafeUnwrap();
    expect(again.actions).toEqual([]);
  });

  it("fails a merge after the fact on a directory without mergeAccounts, and writes nothing for it (R6)", async () => {
    const { sync, memory } = await mergeSchool(false);
    await applyNow(sync);
    (await sync.decide((d) => d.manualMerge("1", "host-1")))._unsafeUnwrap();
    const { run } = await applyNow(sync);
    expect(run.failures.map((f) => f.error.type)).toContain("Unsupported");
    expect(memory.snapshot().find((a) => a.accountId === "host-1")?.sourceId).toBeUndefined();
  });

  it("restores and links a same-email account the host archived and no sync linked (R6)", async () => {
    const retired: Account = { ...homeAccount, email: "kid1@school.org", archived: true };
    const roster: RosterSnapshot = { people: [ann], schools: [], gradeLevels: [] };
    const { sync, directory } = memorySchool({ tenantId: TENANT, roster, accounts: [retired] });
    (await sync.setup({ ...profileOf("student"), defaultSelection: true }))._unsafeUnwrap();
    const review = (await sync.refresh())._unsafeUnwrap();
    expect(review.rows[0]).toMatchObject({ status: "importable", flag: null });
    const plan = (await sync.plan())._unsafeUnwrap();
    (await sync.apply(plan))._unsafeUnwrap();
    expect(directory.snapshot()).toEqual([
      expect.objectContaining({ accountId: "host-1", sourceId: "1", archived: false, managed: true }),
    ]);
  });
});
