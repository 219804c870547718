import {
  createMemoryDirectory,
  createMemoryRosterSource,
  createMemoryStore,
  filterRows,
  type RosterSnapshot,
  type SourcePerson,
  type SyncProfile,
} from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { createSync } from "../src/index.js";

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
const parentOf = (sourceId: string, child: string, over: Partial<SourcePerson> = {}): SourcePerson => ({
  sourceId,
  role: "parent",
  firstName: `Parent${sourceId}`,
  lastName: "Lee",
  email: `parent${sourceId}@mail.org`,
  schoolCode: "HS",
  status: "enrolled",
  families: [{ familyId: `F${child}`, relationship: "Mother", listedFirst: true }],
  studentIds: [child],
  fields: {},
  ...over,
});
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
  const directory = createMemoryDirectory();
  const store = createMemoryStore();
  const sync = createSync({
    tenantId: TENANT,
    source: createMemoryRosterSource(() => roster),
    directory,
    store,
  });
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
