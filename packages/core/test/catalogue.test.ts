import { describe, expect, it } from "vitest";
import { catalogueFromSnapshot, checkProfile } from "../src/catalogue.js";
import { createMemoryRosterSource } from "../src/memory/roster-source.js";
import type { SourceCatalogue } from "../src/ports/roster-source.js";
import type { SourcePerson, SyncProfile } from "../src/types.js";

const student = (id: string, grade: string, fields: Record<string, string | null> = {}): SourcePerson => ({
  sourceId: id,
  role: "student",
  firstName: "A",
  lastName: "B",
  email: `${id}@school.test`,
  schoolCode: "MAIN",
  gradeLevel: grade,
  status: "enrolled",
  families: [],
  studentIds: [],
  fields,
});

const SNAPSHOT = {
  people: [student("1", "08", { "udf:Class Year": "2030", gender: "F" })],
  schools: [{ schoolCode: "MAIN", name: "Main Campus", active: true }],
  gradeLevels: [
    { code: "08", name: "Grade 8", sortOrder: 8, final: false },
    { code: "12", name: "Grade 12", sortOrder: 12, final: true },
  ],
};

const PROFILE: SyncProfile = {
  role: "student",
  schools: ["MAIN"],
  gradeLevels: ["08"],
  fieldMap: [{ source: "udf:Class Year", target: "classYear", createAs: "dropdown" }],
  defaultSelection: true,
  hoursSync: { enabled: false, historicImportDone: false },
};

describe("checkProfile against the catalogue", () => {
  const catalogue: SourceCatalogue = catalogueFromSnapshot(SNAPSHOT);

  it("accepts a profile naming only what the SIS has", () => {
    expect(checkProfile(PROFILE, catalogue)).toEqual([]);
  });

  it("refuses a school code the SIS does not have (HS against MAIN), naming the codes it has", () => {
    const problems = checkProfile({ ...PROFILE, schools: ["HS"] }, catalogue);
    expect(problems).toEqual([
      {
        record: "profile",
        path: "profile.schools[0]",
        message: 'School "HS" is not in the SIS, which has MAIN (Main Campus)',
      },
    ]);
  });

  it("reports every problem at once: school, grade, field source, parents subset on a students profile", () => {
    const problems = checkProfile(
      {
        ...PROFILE,
        schools: ["HS", "MAIN"],
        gradeLevels: ["8", "08", "13"],
        fieldMap: [
          { source: "udf:Class Year", target: "classYear" },
          { source: "udf:Clas Year", target: "other" },
        ],
        parentSubset: { relationships: ["Mother"] },
      },
      catalogue,
    );
    expect(problems.map((p) => p.path)).toEqual([
      "profile.parentSubset",
      "profile.schools[0]",
      "profile.gradeLevels[0]",
      "profile.gradeLevels[2]",
      "profile.fieldMap[1].source",
    ]);
    expect(problems.every((p) => !p.message.endsWith("."))).toBe(true);
  });

  it("refuses a parent field on a students profile, and a field of a group a sync does not read", () => {
    const withParents: SourceCatalogue = {
      ...catalogue,
      fields: [
        ...catalogue.fields,
        { source: "udf:occupation", label: "occupation", kind: "udf", roles: ["parent"], groupType: "PARENT" },
        { source: "STAFF:badge", label: "badge", kind: "udf", roles: [], groupType: "STAFF" },
      ],
    };
    const problems = checkProfile(
      {
        ...PROFILE,
        fieldMap: [
          { source: "udf:occupation", target: "job" },
          { source: "STAFF:badge", target: "badge" },
        ],
      },
      withParents,
    );
    expect(problems.map((p) => p.message)).toEqual([
      'Field "udf:occupation" belongs to parents, not to the students this profile rosters',
      'Field "badge" belongs to the STAFF group, which a sync does not read',
    ]);
  });

  it("checks the shape first, without a catalogue, and never throws on hostile input", () => {
    const problems = checkProfile({ ...PROFILE, schools: "MAIN" } as unknown as SyncProfile);
    expect(problems[0]?.path).toBe("profile.schools");
    expect(checkProfile(null as unknown as SyncProfile)).toEqual([
      { record: "profile", path: "profile", message: "must be an object" },
    ]);
  });
});

describe("the memory source's catalogue", () => {
  it("is made from the snapshot without a roster read, built-ins first and UDFs after", async () => {
    const source = createMemoryRosterSource({ snapshot: SNAPSHOT });
    const catalogue = (await source.catalogue())._unsafeUnwrap();
    expect(source.reads()).toBe(0);
    expect(source.catalogueReads()).toBe(1);
    expect(catalogue.userTypes).toEqual([
      { role: "student", label: "Students", count: 1 },
      { role: "parent", label: "Parents", count: 0 },
    ]);
    expect(catalogue.fields.map((f) => f.source)).toEqual([
      "schoolCode",
      "gradeLevel",
      "birthDate",
      "gender",
      "udf:Class Year",
    ]);
    expect(catalogue.fields.at(-1)).toMatchObject({ kind: "udf", label: "Class Year" });
  });

  it("lists no school or grade read off people when the snapshot lists none, so no code is refused", () => {
    // This year's people are a partial list: an empty grade or a new school would be called unknown.
    const catalogue = catalogueFromSnapshot({ ...SNAPSHOT, schools: [], gradeLevels: [] });
    expect(catalogue.schools).toEqual([]);
    expect(catalogue.gradeLevels).toEqual([]);
    const problems = checkProfile(
      {
        role: "student",
        schools: ["MAIN", "EAST"],
        gradeLevels: ["08", "09"],
        fieldMap: [],
        defaultSelection: true,
        hoursSync: { enabled: false, historicImportDone: false },
      },
      catalogue,
    );
    expect(problems).toEqual([]);
  });
});
