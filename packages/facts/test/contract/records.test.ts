import { EMPTY_DECISIONS, review, type SourcePerson } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  createFactsHoursSink,
  createFactsSource,
  personSchema,
  serviceHourSchema,
  studentSchema,
  studentStatusSchema,
  udfFieldSchema,
} from "../../src/index.js";
import { ROSTER_READS } from "../../src/roster.js";
import { testClient, useMsw } from "../helpers/msw.js";
import { flatten, type GenerateMode, generate, operationOf, responseSchemaOf, swagger } from "./swagger.js";

/**
 * The adapter against records generated from FACTS's own definitions (the committed Swagger subset):
 * every endpoint it reads parses a record with every property, with the required ones only (FACTS leaving
 * out what is null), and with the others `null`; every field a schema reads is a property of its
 * definition, spelled the same. A drift of either side fails here.
 */

const msw = useMsw();

/**
 * Each endpoint the adapter reads, and the zod schema it reads its records with: the roster's from the one
 * table the source reads by (`ROSTER_READS`), then the hours sink's and the status list's.
 */
const READS: readonly (readonly [endpoint: string, schema: z.ZodObject])[] = [
  ...Object.values(ROSTER_READS).map((r) => [r.endpoint, r.schema] as const),
  ["/Students/ServiceHours", serviceHourSchema],
  ["/Parents/ServiceHours", serviceHourSchema],
  ["/Students/Status", studentStatusSchema],
];

/** The definition of one record of an endpoint's `GET` 200 answer, from the fixture (paged or an array). */
function recordDefinition(endpoint: string): string {
  const op = operationOf("GET", endpoint);
  if (op === null) throw new Error(`The fixture has no GET ${endpoint}.`);
  const schema = responseSchemaOf(op.operation, 200);
  const ref = schema?.$ref?.replace("#/definitions/", "") ?? "";
  const outer = swagger.definitions[ref];
  const items =
    outer?.type === "array" ? outer.items : flatten({ $ref: `#/definitions/${ref}` }).properties.results?.items;
  const name = items?.$ref?.replace("#/definitions/", "");
  if (name === undefined) throw new Error(`GET ${endpoint} answers no list of records in the fixture.`);
  return name;
}

const MODES: readonly GenerateMode[] = ["all", "required", "nulls"];

describe("the adapter's schemas are FACTS's definitions", () => {
  it.each(READS)("GET %s: every field read is a property of the definition, with its casing", (endpoint, schema) => {
    const { properties } = flatten({ $ref: `#/definitions/${recordDefinition(endpoint)}` });
    expect(Object.keys(schema.shape).filter((key) => !(key in properties))).toEqual([]);
  });

  it.each(READS.flatMap(([endpoint, schema]) => MODES.map((mode) => [endpoint, mode, schema] as const)))(
    "GET %s parses a definition-generated record (%s)",
    (endpoint, mode, schema) => {
      const definition = recordDefinition(endpoint);
      const record = generate(definition, mode);
      const parsed = schema.safeParse(record);
      expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([]);
      if (mode === "all" && parsed.success) {
        // Every field the schema reads keeps the value FACTS sent (no field silently read under another name).
        const data = parsed.data as Record<string, unknown>;
        for (const key of Object.keys(schema.shape)) {
          if (typeof record[key] !== "object") expect([key, data[key]]).toEqual([key, record[key]]);
        }
      }
    },
  );

  it("names the definitions the contract test relies on", () => {
    expect(Object.fromEntries(READS.map(([endpoint]) => [endpoint, recordDefinition(endpoint)]))).toEqual({
      "/SchoolConfigurations": "SchoolConfigVmOut",
      "/Academics/GradeLevels": "GradeLevelsOutput",
      "/Students": "StudentModelV1_3",
      "/People": "PersonVM",
      "/People/ParentStudent": "ParentStudentVM_V1_1",
      "/People/PersonFamily": "PersonFamilyVM",
      "/Families": "FamilyConfigVmOutV1_1",
      "/UserDefinedGroups": "UserDefinedGroupModel",
      "/UserDefinedFields": "UserDefinedFieldModel",
      "/UserDefinedData": "UserDefinedDataModel",
      "/Students/ServiceHours": "StudentServiceHoursModel",
      "/Parents/ServiceHours": "StudentServiceHoursModel",
      "/Students/Status": "StatusModel",
    });
  });

  it("reads the types the definition declares: classYear text, fieldType and createdBy integers", () => {
    expect(studentSchema.safeParse(generate("StudentModelV1_3", "all", { classYear: "2031" })).data?.classYear).toBe(
      "2031",
    );
    expect(udfFieldSchema.safeParse(generate("UserDefinedFieldModel", "all", { fieldType: 3 })).success).toBe(true);
    expect(serviceHourSchema.safeParse(generate("StudentServiceHoursModel", "all", { createdBy: 77 })).success).toBe(
      true,
    );
    // Only ids are strict.
    expect(personSchema.safeParse(generate("PersonVM", "required", { personId: "7" })).success).toBe(false);
    expect(studentSchema.safeParse(generate("StudentModelV1_3", "required", { studentId: undefined })).success).toBe(
      false,
    );
  });
});

/** A small roster of definition-generated records, joined by id, in one of the generation modes. */
function generatedRoster(mode: GenerateMode): Record<string, Record<string, unknown>[]> {
  const g = (definition: string, overrides: Record<string, unknown>) => generate(definition, mode, overrides, 100);
  const school = (status: string, gradeLevel: string) => ({
    ...generate("StudentSchoolModel", "all"),
    status,
    gradeLevel,
  });
  return {
    "/SchoolConfigurations": [g("SchoolConfigVmOut", { configSchoolID: 1, schoolCode: "MAIN", active: true })],
    "/Academics/GradeLevels": [g("GradeLevelsOutput", { gradeLevelId: 8, gradeLevelName: "08", sortOrder: 8 })],
    "/Students": [
      g("StudentModelV1_3", {
        studentId: 11,
        personStudentId: 9011,
        schoolCode: "MAIN",
        school: school("Enrolled", "08"),
      }),
      g("StudentModelV1_3", {
        studentId: 12,
        personStudentId: 9012,
        schoolCode: "MAIN",
        school: school("Enrolled", "08"),
      }),
    ],
    "/People": [
      g("PersonVM", { personId: 11, firstName: "Ada", lastName: "Ng", email: "ada@school.test" }),
      // FACTS leaves out (or nulls) what a person does not have: no email here.
      g("PersonVM", { personId: 12, firstName: "Bo", lastName: "Ng", email: mode === "required" ? undefined : null }),
      g("PersonVM", { personId: 21, firstName: "Cy", lastName: "Ng", email: "cy@home.test" }),
    ],
    "/People/ParentStudent": [
      g("ParentStudentVM_V1_1", { parentID: 21, studentID: 11 }),
      g("ParentStudentVM_V1_1", { parentID: 21, studentID: 12 }),
    ],
    "/People/PersonFamily": [
      g("PersonFamilyVM", { personId: 11, familyId: 5 }),
      g("PersonFamilyVM", { personId: 21, familyId: 5, parent: true }),
    ],
    "/Families": [g("FamilyConfigVmOutV1_1", { familyID: 5 })],
    "/UserDefinedGroups": [g("UserDefinedGroupModel", { groupId: 1, groupType: "STUDENT" })],
    "/UserDefinedFields": [g("UserDefinedFieldModel", { fieldId: 3, groupId: 1, fieldName: "bus" })],
    "/UserDefinedData": [g("UserDefinedDataModel", { fieldId: 3, linkedId: 11, data: "B7" })],
  };
}

describe("a roster read of definition-generated records", () => {
  it.each(MODES)("reads every person (%s), a missing email being a review problem, not a failed read", async (mode) => {
    msw.facts(generatedRoster(mode));
    const read = await createFactsSource({ client: testClient() }).read();
    if (read.isErr()) throw new Error(read.error.message);
    const people = read.value.people;
    const ids = people.map((p) => `${p.role}:${p.sourceId}`);
    expect(ids).toEqual(["student:11", "student:12", "parent:21"]);
    const bo = people.find((p) => p.sourceId === "12") as SourcePerson;
    expect(bo.email).toBeNull();
    expect(people.find((p) => p.sourceId === "11")?.fields["udf:bus"]).toBe("B7");
    const report = review({
      people,
      accounts: [],
      profile: {
        role: "student",
        schools: ["MAIN"],
        gradeLevels: ["08"],
        fieldMap: [],
        defaultSelection: true,
        hoursSync: { enabled: false, historicImportDone: false },
      },
      decisions: EMPTY_DECISIONS,
    });
    const row = report.rows.find((r) => r.sourceId === "12");
    expect([row?.status, row?.reasons[0]]).toEqual(["excluded", "missing-email"]);
  });

  it.each(MODES)("lists definition-generated service hours (%s)", async (mode) => {
    msw.facts({
      "/Students/ServiceHours": [
        generate("StudentServiceHoursModel", mode, {
          serviceHoursId: 1,
          personId: 11,
          hours: 2,
          date: "2025-10-01T00:00:00",
        }),
      ],
      "/Parents/ServiceHours": [
        generate("StudentServiceHoursModel", mode, { serviceHoursId: 2, personId: 21, note: "x [rs:h-9]" }),
        // A record without a person belongs to nobody: it is left out, the read does not fail.
        generate("StudentServiceHoursModel", "required", { serviceHoursId: 3 }),
      ],
    });
    const all = (await createFactsHoursSink({ client: testClient() }).listAll())._unsafeUnwrap();
    expect(all.map((h) => [h.role, h.serviceHoursId, h.personId])).toEqual([
      ["student", "1", "11"],
      ["parent", "2", "21"],
    ]);
    expect(all[0]).toMatchObject({ date: "2025-10-01", hours: 2 });
    expect(all[1]?.hostHourId).toBe("h-9");
  });
});
