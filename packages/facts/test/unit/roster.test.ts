import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RECORD_KEYS } from "../../src/pages.js";
import {
  assembleRoster,
  familyIndex,
  groupTypeList,
  ROSTER_ENDPOINTS,
  ROSTER_READS,
  type RosterData,
  rosterRules,
  sourceGradeLevels,
  sourceSchools,
  statusOf,
} from "../../src/roster.js";
import { generateSchool } from "../../src/testing/index.js";

/** What a full read would return for these FACTS tables, parsed by the same schemas, without HTTP. */
function dataOf(given: object): RosterData {
  const tables = given as Readonly<Record<string, readonly unknown[] | undefined>>;
  const entries = Object.entries(ROSTER_READS).map(([key, read]) => [
    key,
    (tables[read.endpoint] ?? []).map((row) => (read.schema as { parse(v: unknown): unknown }).parse(row)),
  ]);
  return Object.fromEntries(entries) as unknown as RosterData;
}

describe("ROSTER_READS: the one table a full read is driven by", () => {
  it("lists every endpoint once, in the order their first pages are asked for, each with a record key", () => {
    expect(ROSTER_ENDPOINTS).toEqual(Object.values(ROSTER_READS).map((r) => r.endpoint));
    expect(new Set(ROSTER_ENDPOINTS).size).toBe(ROSTER_ENDPOINTS.length);
    expect(ROSTER_ENDPOINTS[0]).toBe("/SchoolConfigurations");
    for (const endpoint of ROSTER_ENDPOINTS) expect(RECORD_KEYS[endpoint]?.length).toBeGreaterThan(0);
  });
});

describe("assembleRoster: FACTS records become core's snapshot, as a pure function", () => {
  it("gives exactly the generator's expected people for its tables, whatever the seed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        const school = generateSchool({ seed, people: 150 });
        const snapshot = assembleRoster(dataOf(school.tables), rosterRules())._unsafeUnwrap();
        expect(snapshot.people).toEqual(school.expectedPeople);
      }),
      { numRuns: 5 },
    );
  });

  it("fails on a student without a People record (students join People by studentId)", () => {
    const school = generateSchool({ seed: 2, people: 100 });
    const data = dataOf(school.tables);
    const missing = data.students[0]?.studentId;
    const people = data.people.filter((p) => p.personId !== missing);
    const e = assembleRoster({ ...data, people }, rosterRules())._unsafeUnwrapErr();
    expect(e).toMatchObject({ type: "InvalidPayload", endpoint: "/Students", recordId: String(missing) });
  });

  it("fails on a parent without a People record, and on a value of a field no one lists", () => {
    const base: RosterData = dataOf({});
    const parentOnly = { ...base, parentStudents: [{ parentID: 9, studentID: 1 }] };
    expect(assembleRoster(parentOnly, rosterRules())._unsafeUnwrapErr()).toMatchObject({
      endpoint: "/People/ParentStudent",
      recordId: "9",
    });
    const orphanValue = { ...base, udfData: [{ fieldId: 5, linkedId: 1, data: "x" }] };
    expect(assembleRoster(orphanValue, rosterRules())._unsafeUnwrapErr()).toMatchObject({
      endpoint: "/UserDefinedData",
      path: ["fieldId"],
    });
  });
});

describe("the rules and the small steps", () => {
  it("merges the status map over the default, case- and space-insensitively", () => {
    const rules = rosterRules({ statusMap: { " Pre-Enrolled ": "enrolled" } });
    expect(statusOf(rules, "pre-enrolled")).toBe("enrolled");
    expect(statusOf(rules, "ENROLLED")).toBe("enrolled");
    expect(statusOf(rules, "Graduated")).toBe("graduated");
    expect(statusOf(rules, "Applicant")).toBe("inactive");
    expect(statusOf(rules, null)).toBe("inactive");
  });

  it("reads each routed group type once, sorted, upper case", () => {
    expect(groupTypeList(rosterRules())).toEqual(["FAMILY", "PARENT", "STUDENT"]);
    expect(groupTypeList(rosterRules({ udfGroupTypes: { student: ["student", "x"], parent: ["X"] } }))).toEqual([
      "FAMILY",
      "STUDENT",
      "X",
    ]);
  });

  it("lists first the parent with the lowest familyOrder, ties to the lowest person id", () => {
    const link = (personId: number, familyOrder: number | null) => ({
      personId,
      familyId: 1,
      parent: true,
      familyOrder,
    });
    expect(familyIndex([link(5, 2), link(4, 1), link(3, 1)]).firstParentOf.get(1)).toBe(3);
    expect(familyIndex([link(5, null), link(6, 3)]).firstParentOf.get(1)).toBe(6);
    expect(familyIndex([{ personId: 1, familyId: 1, parent: false }]).firstParentOf.size).toBe(0);
  });

  it("keeps schools with a code and grade levels with a name, in sort order, once each", () => {
    expect(
      sourceSchools([
        { configSchoolID: 1, schoolCode: null },
        { configSchoolID: 2, schoolCode: "E", active: false },
      ]),
    ).toEqual([{ schoolCode: "E", name: "E", active: false }]);
    expect(
      sourceGradeLevels([
        { gradeLevelId: 1, gradeLevelName: "02", sortOrder: 2 },
        { gradeLevelId: 2, gradeLevelName: "01", sortOrder: 1, finalGradeLevel: true },
        { gradeLevelId: 3, gradeLevelName: "01", sortOrder: 3 },
        { gradeLevelId: 4, gradeLevelName: null, sortOrder: 0 },
      ]).map((g) => [g.code, g.final]),
    ).toEqual([
      ["01", true],
      ["02", false],
    ]);
  });
});
