import { EMPTY_DECISIONS, review, type SyncProfile } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { createFactsSource } from "../src/index.js";
import { testClient, useMsw } from "./helpers/msw.js";
import { smallSchool } from "./helpers/school.js";

const msw = useMsw();

/**
 * The small school with a second division: the Nguyens' Ava (101, grade 08) is at MAIN and their new
 * 10th grader Kai (106) at the high school. The parents' anchor child (enrolled, lowest id) is Ava.
 */
function twoDivisions() {
  const tables = smallSchool();
  tables["/SchoolConfigurations"]?.push({
    configSchoolID: 2,
    schoolCode: "HS",
    schoolName: "High School",
    active: true,
    defaultYearId: 2025,
  });
  const ava = tables["/Students"]?.[0] as Record<string, unknown> & { school: Record<string, unknown> };
  tables["/Students"]?.push({
    ...ava,
    studentId: 106,
    personStudentId: 9006,
    configSchoolId: 2,
    schoolCode: "HS",
    school: { ...ava.school, gradeLevel: "10" },
  });
  const first = tables["/People"]?.[0] as Record<string, unknown>;
  tables["/People"]?.push({ ...first, personId: 106, firstName: "Kai", email: "kai@school.test" });
  for (const [parentID, relationship] of [
    [201, "Mother"],
    [202, "Father"],
  ] as const) {
    tables["/People/ParentStudent"]?.push({
      parentID,
      studentID: 106,
      relationship,
      custody: true,
      correspondence: true,
      grandparent: false,
      emergencyContact: true,
      parentsWeb: true,
    });
  }
  tables["/People/PersonFamily"]?.push({
    personId: 106,
    familyId: 1,
    parent: false,
    student: true,
    familyOrder: null,
    financialResponsibility: false,
  });
  return tables;
}

const hsParents: SyncProfile = {
  role: "parent",
  schools: ["HS"],
  gradeLevels: ["09", "10", "11", "12"],
  fieldMap: [],
  defaultSelection: true,
  hoursSync: { enabled: false, historicImportDone: false },
};

describe("parents over several divisions (R2)", () => {
  it("puts the parents of an HS 10th grader with a younger sibling elsewhere in an HS parents profile", async () => {
    msw.facts(twoDivisions());
    const snapshot = (await createFactsSource({ client: testClient() }).read())._unsafeUnwrap();
    const mother = snapshot.people.find((p) => p.sourceId === "201" && p.role === "parent");
    expect(mother).toMatchObject({ status: "enrolled", studentIds: ["101", "102", "106"] });
    expect(mother?.fields.schoolCodes).toBe("HS,MAIN");
    const report = review({ people: snapshot.people, accounts: [], profile: hsParents, decisions: EMPTY_DECISIONS });
    const rows = report.rows.filter((r) => r.role === "parent" && r.status !== "out-of-scope");
    // Both parents share one email (a duplicate, R3) but both are in scope, through Kai.
    expect(rows.map((r) => [r.sourceId, r.scopeChildId])).toEqual([
      ["201", "106"],
      ["202", "106"],
    ]);
    expect(report.rows.find((r) => r.sourceId === "203")?.reasons).toEqual(["not-enrolled"]);
  });
});
