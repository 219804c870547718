import type { SourcePerson } from "@rostersync/core";
import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { createFactsSource, factsErrorCodes, ROSTER_ENDPOINTS } from "../src/index.js";
import { problemResponse } from "./helpers/fake-facts.js";
import { testClient, useMsw } from "./helpers/msw.js";
import { smallSchool } from "./helpers/school.js";

const msw = useMsw();

async function readSmall(tables = smallSchool()) {
  const fake = msw.facts(tables);
  const result = await createFactsSource({ client: testClient() }).read();
  return { fake, snapshot: result._unsafeUnwrap() };
}

const byId = (people: readonly SourcePerson[], id: string, role = "student") => {
  const p = people.find((x) => x.sourceId === id && x.role === role);
  if (p === undefined) throw new Error(`no ${role} ${id}`);
  return p;
};

describe("FACTS traps (FACTS.md, Traps seen against live data)", () => {
  it("joins a student to /People by studentId == personId, never by personStudentId", async () => {
    const { snapshot } = await readSmall();
    const ava = byId(snapshot.people, "101");
    expect(ava).toMatchObject({ firstName: "Ava", lastName: "Nguyen", email: "ava@school.test" });
    expect(ava.fields.personStudentId).toBe("9001");
    expect(snapshot.people.some((p) => p.firstName === "Wrong")).toBe(false);
  });

  it("fails the read when a student has no People record under its studentId", async () => {
    const tables = smallSchool();
    tables["/People"] = (tables["/People"] ?? []).filter((p) => p.personId !== 101);
    msw.facts(tables);
    const result = await createFactsSource({ client: testClient() }).read();
    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: factsErrorCodes.InvalidPayload, endpoint: "/Students", recordId: "101" });
  });

  it("keeps grade levels as the school's zero-padded codes ('08', not 8)", async () => {
    const { snapshot } = await readSmall();
    expect(byId(snapshot.people, "101").gradeLevel).toBe("08");
    expect(snapshot.gradeLevels.map((g) => g.code)).toEqual(["K", "08", "12"]);
    expect(snapshot.gradeLevels.find((g) => g.code === "12")?.final).toBe(true);
  });

  it("rejects a numeric grade level instead of coercing it", async () => {
    const tables = smallSchool();
    const s = tables["/Students"]?.[0] as { school: { gradeLevel: unknown } };
    s.school.gradeLevel = 8;
    msw.facts(tables);
    const error = (await createFactsSource({ client: testClient() }).read())._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "InvalidPayload", recordId: "101", path: ["school", "gradeLevel"] });
  });

  it("reads ParentStudent by its capitalised parentID / studentID keys", async () => {
    const { snapshot } = await readSmall();
    expect(byId(snapshot.people, "201", "parent").studentIds).toEqual(["101", "102"]);
    // A lower-case key is not FACTS's ParentStudent shape: it fails loudly rather than linking nobody.
    const tables = smallSchool();
    tables["/People/ParentStudent"] = [{ parentId: 201, studentId: 101, relationship: "Mother", custody: true }];
    msw.facts(tables);
    const error = (await createFactsSource({ client: testClient() }).read())._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "InvalidPayload", endpoint: "/People/ParentStudent", path: ["parentID"] });
  });

  it("filters on ParentStudent with capitalised names, elsewhere with studentId (sieveIn)", async () => {
    const fake = msw.facts(smallSchool());
    const { parentStudentSchema, sieveIn } = await import("../src/index.js");
    const client = testClient();
    const right = await client.list("/People/ParentStudent", parentStudentSchema, {
      filters: sieveIn("studentID", [101]),
    });
    expect(right._unsafeUnwrap().map((l) => l.parentID)).toEqual([201, 202]);
    // The trap: the lower-case name is an unknown column there, which FACTS answers with 0 rows.
    const wrong = await client.list("/People/ParentStudent", parentStudentSchema, {
      filters: sieveIn("studentId", [101]),
    });
    expect(wrong._unsafeUnwrap()).toEqual([]);
    expect(fake.requests.at(-2)?.query.get("Filters")).toBe("studentID==101");
  });

  it("lists first the parent with the lowest familyOrder among the family's parents", async () => {
    const { snapshot } = await readSmall();
    const mother = byId(snapshot.people, "201", "parent").families[0];
    const father = byId(snapshot.people, "202", "parent").families[0];
    expect(mother).toMatchObject({ familyId: "1", relationship: "Mother", parentOrder: 2, listedFirst: false });
    expect(father).toMatchObject({ familyId: "1", relationship: "Father", parentOrder: 1, listedFirst: true });
    expect(mother?.custody).toBe(true);
    expect(father?.custody).toBe(false);
  });

  it("treats anyone linked through ParentStudent as a parent, with or without a family", async () => {
    const { snapshot } = await readSmall();
    const parents = snapshot.people.filter((p) => p.role === "parent").map((p) => p.sourceId);
    expect(parents).toEqual(["201", "202", "203", "204"]);
    const grandfather = byId(snapshot.people, "204", "parent");
    expect(grandfather.families).toEqual([]);
    expect(grandfather.fields.relationship).toBe("Grandfather");
    // 9001 is in /People but linked to nobody: not a parent, not a student.
    expect(snapshot.people.some((p) => p.sourceId === "9001")).toBe(false);
  });
});

describe("mapping to SourcePerson", () => {
  it("maps FACTS statuses to enrolled / graduated / withdrawn / inactive", async () => {
    const { snapshot } = await readSmall();
    const status = (id: string) => byId(snapshot.people, id).status;
    expect([status("101"), status("103"), status("104"), status("105")]).toEqual([
      "enrolled",
      "graduated",
      "withdrawn",
      "inactive",
    ]);
  });

  it("lets a school map its own statuses", async () => {
    msw.facts(smallSchool());
    const result = await createFactsSource({ client: testClient(), statusMap: { "Pre-Enrolled": "enrolled" } }).read();
    expect(byId(result._unsafeUnwrap().people, "105").status).toBe("enrolled");
  });

  it("puts student, parent and family UDFs into fields by group type, and nothing of other groups", async () => {
    const { snapshot } = await readSmall();
    const ava = byId(snapshot.people, "101");
    expect(ava.fields["udf:Bus Route"]).toBe("Route 7");
    expect(ava.fields["family:Parish"]).toBe("St Anne");
    expect(ava.fields.familyCode).toBe("F001");
    const father = byId(snapshot.people, "202", "parent");
    expect(father.fields["udf:Occupation"]).toBe("Nurse");
    expect(father.fields["family:Parish"]).toBe("St Anne");
    expect(snapshot.people.every((p) => !("udf:Badge" in p.fields))).toBe(true);
  });

  it("gives a parent the status and school of an enrolled child, and their children's ids", async () => {
    const { snapshot } = await readSmall();
    expect(byId(snapshot.people, "201", "parent")).toMatchObject({
      status: "enrolled",
      schoolCode: "MAIN",
      studentIds: ["101", "102"],
    });
    // Grace's only child graduated.
    expect(byId(snapshot.people, "203", "parent").status).toBe("inactive");
  });

  it("keeps missing emails as null and birth dates as YYYY-MM-DD", async () => {
    const { snapshot } = await readSmall();
    expect(byId(snapshot.people, "102").email).toBeNull();
    expect(byId(snapshot.people, "101").birthDate).toBe("2012-04-03");
  });

  it("returns schools and reads each endpoint once with the largest page size", async () => {
    const { snapshot, fake } = await readSmall();
    expect(snapshot.schools).toEqual([{ schoolCode: "MAIN", name: "Main Campus", active: true }]);
    const once = fake.requests.filter((r) => r.endpoint !== "/UserDefinedGroups").map((r) => r.endpoint);
    expect(once.sort()).toEqual(ROSTER_ENDPOINTS.filter((e) => e !== "/UserDefinedGroups").sort());
    expect(fake.requests.every((r) => r.query.get("PageSize") === "1000")).toBe(true);
  });

  it("reads user-defined groups once per group type it needs, by the `type` parameter (never the default)", async () => {
    const { fake } = await readSmall();
    const groups = fake.requests.filter((r) => r.endpoint === "/UserDefinedGroups");
    expect(groups.map((r) => r.query.get("type")).sort()).toEqual(["FAMILY", "PARENT", "STUDENT"]);
    const custom = msw.facts(smallSchool());
    const read = await createFactsSource({
      client: testClient(),
      udfGroupTypes: { student: ["STUDENT", "MEDICAL"] },
    }).read();
    expect(read.isOk()).toBe(true);
    const types = custom.requests.filter((r) => r.endpoint === "/UserDefinedGroups").map((r) => r.query.get("type"));
    expect(types.sort()).toEqual(["FAMILY", "MEDICAL", "PARENT", "STUDENT"]);
  });
});

describe("permissions", () => {
  it("names the permission and the endpoint when the key lacks it (403)", async () => {
    const fake = msw.facts(smallSchool());
    fake.fault = (req) => (req.endpoint === "/Students" ? problemResponse(403, "Forbidden", null) : undefined);
    const error = (await createFactsSource({ client: testClient() }).read())._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "Forbidden", endpoint: "/Students", permission: "People: Read", fatal: true });
    expect(error.message).toContain("People: Read");
    expect(error.message).toContain("GET /Students");
  });

  it("says which keys were refused on a 401, without retrying", async () => {
    const fake = msw.facts(smallSchool());
    fake.fault = () =>
      HttpResponse.json(
        { statusCode: 401, message: "Access denied due to invalid subscription key." },
        { status: 401 },
      );
    const error = (await createFactsSource({ client: testClient() }).read())._unsafeUnwrapErr();
    expect(error.type).toBe("Unauthorized");
    expect(error.message).toMatch(/subscription key/);
    expect(fake.requests.length).toBeLessThanOrEqual(ROSTER_ENDPOINTS.length);
  });

  it("names Academics read for grade levels", async () => {
    const fake = msw.facts(smallSchool());
    fake.fault = (req) =>
      req.endpoint === "/Academics/GradeLevels"
        ? HttpResponse.json({ error: { code: "Forbidden", message: "Insufficient permissions" } }, { status: 403 })
        : undefined;
    const error = (await createFactsSource({ client: testClient() }).read())._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "Forbidden", permission: "Academics: Read" });
  });
});

describe("progress", () => {
  it("reports requests, records and an ETA that reaches 0 while reading", async () => {
    const tables = smallSchool();
    tables["/People"] = [
      ...(tables["/People"] ?? []),
      ...Array.from({ length: 30 }, (_, i) => ({ personId: 50_000 + i, firstName: "X", lastName: "Y", email: null })),
    ];
    msw.facts(tables);
    const seen: { requests: number; records: number; etaMs?: number | undefined }[] = [];
    const result = await createFactsSource({ client: testClient({ pageSize: 10 }) }).read({
      onProgress: (p) => seen.push(p),
    });
    expect(result.isOk()).toBe(true);
    const last = seen.at(-1);
    // Every record, except groups of a type the roster does not read (the STAFF group).
    const staff = (tables["/UserDefinedGroups"] ?? []).filter((g) => g.groupType === "STAFF").length;
    expect(last?.records).toBe(Object.values(tables).reduce((n, rows) => n + rows.length, 0) - staff);
    expect(last?.requests).toBe(seen.length);
    expect(last?.etaMs).toBe(0);
    expect(seen.map((p) => p.records)).toEqual([...seen.map((p) => p.records)].sort((a, b) => a - b));
  });
});
