import { describe, expect, it } from "vitest";
import { createFactsHoursSink, serviceHourSchema } from "../../src/index.js";
import { createFactsSimulator, generateSchool, SIM_API_USER_ID } from "../../src/testing/index.js";
import { KEYS, useServers } from "./support.js";

const serve = useServers();
const school = generateSchool({ seed: 11, people: 400 });
const sim = () => createFactsSimulator({ school, keys: KEYS, rateLimit: false });

interface Page {
  results: Record<string, unknown>[];
  currentPage: number;
  pageCount: number;
  pageSize: number;
  rowCount: number;
  nextPage: string;
}

describe("paging and envelopes", () => {
  it("answers Page/PageSize with FACTS's envelope and a full nextPage URL, empty on the last page", async () => {
    const { fetch, server } = await serve(sim());
    const people = school.tables["/People"];
    const size = 70;
    const pages = Math.ceil(people.length / size);
    const first = (await (await fetch(`/People?Page=1&PageSize=${size}&api-version=1`)).json()) as Page;
    expect(first).toMatchObject({ currentPage: 1, pageCount: pages, pageSize: size, rowCount: people.length });
    expect(first.results).toEqual(people.slice(0, size));
    expect(first.nextPage).toBe(`${server.url}/People?Page=2&PageSize=${size}&api-version=1`);
    const followed = (await (await fetch(first.nextPage.slice(server.url.length))).json()) as Page;
    expect(followed.results).toEqual(people.slice(size, 2 * size));
    const last = (await (await fetch(`/People?Page=${pages}&PageSize=${size}&api-version=1`)).json()) as Page;
    expect(last.results).toEqual(people.slice((pages - 1) * size));
    expect(last.nextPage).toBe("");
    const beyond = (await (await fetch(`/People?Page=${pages + 1}&PageSize=${size}&api-version=1`)).json()) as Page;
    expect(beyond).toMatchObject({ results: [], currentPage: pages + 1, rowCount: people.length });
  });

  it("uses 50 rows without PageSize and caps PageSize at 1000", async () => {
    const big = generateSchool({ seed: 2, people: 2600 });
    const { fetch } = await serve(createFactsSimulator({ school: big, keys: KEYS, rateLimit: false }));
    const plain = (await (await fetch("/People?api-version=1")).json()) as Page;
    expect(plain.pageSize).toBe(50);
    expect(plain.results).toHaveLength(50);
    const capped = (await (await fetch("/People?PageSize=5000&api-version=1")).json()) as Page;
    expect(capped.pageSize).toBe(1000);
    expect(capped.results).toHaveLength(1000);
    expect(capped.pageCount).toBe(Math.ceil(big.tables["/People"].length / 1000));
  });

  it("answers /Students/Status unpaged, as a bare array", async () => {
    const { fetch } = await serve(sim());
    const body = (await (await fetch("/Students/Status?api-version=1")).json()) as unknown;
    expect(body).toEqual(school.tables["/Students/Status"]);
  });

  it("refuses a bad Page or PageSize with every problem in FACTS's error shape", async () => {
    const { fetch } = await serve(sim());
    const res = await fetch("/People?Page=0&PageSize=-3&api-version=1");
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { target: string; details: { target: string }[] } };
    expect(body.error.details.map((d) => d.target)).toEqual(["Page", "PageSize"]);
  });
});

describe("Sieve filters and sorts", () => {
  const list = async (fetch: (p: string) => Promise<Response>, endpoint: string, filters: string, sorts = "") => {
    const q = new URLSearchParams({ Filters: filters, PageSize: "1000", "api-version": "1" });
    if (sorts) q.set("Sorts", sorts);
    const res = await fetch(`${endpoint}?${q}`);
    return { status: res.status, body: (await res.json()) as Page & { detail?: string } };
  };

  it("filters ParentStudent by the capitalised studentID with | as OR", async () => {
    const { fetch } = await serve(sim());
    const links = school.tables["/People/ParentStudent"];
    const ids = [links[0]?.studentID, links[5]?.studentID] as number[];
    const { body } = await list(fetch, "/People/ParentStudent", `studentID==${ids.join("|")}`);
    expect(body.results).toEqual(links.filter((l) => ids.includes(l.studentID)));
    expect(body.rowCount).toBe(body.results.length);
  });

  it("ANDs terms with , and compares numbers, dates and case-insensitive text", async () => {
    const { fetch } = await serve(sim());
    const people = school.tables["/People"];
    const mid = people[Math.floor(people.length / 2)]?.personId as number;
    const { body } = await list(fetch, "/People", `personId>=${mid},lastName@=*SMITH`);
    expect(body.results).toEqual(
      people.filter((p) => p.personId >= mid && (p.lastName ?? "").toLowerCase().includes("smith")),
    );
    expect(body.results.length).toBeGreaterThan(0);
  });

  it("maps school.status on /Students, and sorts descending with -field", async () => {
    const { fetch } = await serve(sim());
    const { body } = await list(fetch, "/Students", "school.status==Withdrawn|Graduated", "-studentId");
    const expected = school.tables["/Students"]
      .filter((s) => s.school?.status === "Withdrawn" || s.school?.status === "Graduated")
      .sort((a, b) => b.studentId - a.studentId);
    expect(body.results).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it("filters an unknown column to no rows, and fails a nested path it does not map with a 500 stack trace", async () => {
    const { fetch } = await serve(sim());
    const unknown = await list(fetch, "/People", "favouriteColour==blue");
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ results: [], rowCount: 0, pageCount: 0 });
    const nested = await list(fetch, "/People", "family.name==Smith");
    expect(nested.status).toBe(500);
    expect(nested.body).toMatchObject({ status: 500, title: expect.any(String) });
    expect(nested.body.detail).toMatch(/\r\n\s+at /);
  });

  it("keeps an escaped , and | inside a value", async () => {
    const sim2 = createFactsSimulator({
      school: { "/Families": [{ familyID: 1, familyName: "Smith, Jones | Co", familyUDID: "F1" }] },
      keys: KEYS,
      rateLimit: false,
    });
    const { fetch } = await serve(sim2);
    const { body } = await list(fetch, "/Families", "familyName==Smith\\, Jones \\| Co");
    expect(body.rowCount).toBe(1);
  });
});

describe("the gateway: keys, permissions, unknown routes", () => {
  it("answers a wrong subscription key and a wrong API key with 401 in their two shapes, echoing neither", async () => {
    const { fetch } = await serve(sim());
    const wrongSub = await fetch("/People?api-version=1", { headers: { "Ocp-Apim-Subscription-Key": "nope-nope" } });
    expect(wrongSub.status).toBe(401);
    const a = await wrongSub.text();
    expect(JSON.parse(a)).toMatchObject({ statusCode: 401 });
    const wrongKey = await fetch("/People?api-version=1", { headers: { "Facts-Api-Key": "wrong-key-value" } });
    expect(wrongKey.status).toBe(401);
    const b = await wrongKey.text();
    expect(JSON.parse(b)).toMatchObject({ error: { code: "Unauthorized" } });
    for (const text of [a, b]) expect(text).not.toMatch(/nope-nope|wrong-key-value/);
  });

  it("makes the client fail with Unauthorized on wrong keys", async () => {
    const { client } = await serve(sim(), { apiKey: "not-the-school-key" });
    const read = await client.list("/People", serviceHourSchema);
    expect(read._unsafeUnwrapErr()).toMatchObject({ type: "Unauthorized", status: 401, fatal: true });
  });

  it("refuses what the key lacks permission for with 403 (RFC 7807), per permission or endpoint", async () => {
    const denied = createFactsSimulator({
      school,
      keys: KEYS,
      rateLimit: false,
      permissions: { deny: ["People: Write", "GET /Families"] },
    });
    const { client, fetch } = await serve(denied);
    const res = await fetch("/Families?api-version=1");
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ status: 403, title: "Forbidden" });
    expect((await fetch("/People?api-version=1")).status).toBe(200);
    const student = school.tables["/Students"][0]?.studentId as number;
    const written = await createFactsHoursSink({ client }).write([
      {
        hourId: "h1",
        op: "create",
        hour: {
          personId: String(student),
          role: "student",
          date: "2026-01-10",
          hours: 2,
          description: "Library",
          note: null,
        },
      },
    ]);
    expect(written._unsafeUnwrapErr()).toMatchObject({ type: "Forbidden", permission: "People: Write" });
    expect(denied.serviceHours()).toEqual([]);
    expect(denied.stats().forbidden).toBe(2);
  });

  it("accepts any non-empty keys when none are configured, never missing ones", async () => {
    const open = createFactsSimulator({ school, rateLimit: false });
    const { fetch } = await serve(open);
    expect((await fetch("/Families?api-version=1", { headers: { "Facts-Api-Key": "anything" } })).status).toBe(200);
    expect((await fetch("/Families?api-version=1", { headers: { "Facts-Api-Key": "" } })).status).toBe(401);
    expect(open.stats()).toMatchObject({ requests: 2, unauthorized: 1 });
  });

  it("counts by route and method, logs every request, and resetStats starts over", async () => {
    const s = sim();
    const { fetch } = await serve(s);
    await (await fetch("/People?Page=2&api-version=1")).text();
    await (await fetch("/Students/ServiceHours/77?api-version=1")).text();
    await (await fetch("/Students/ServiceHours/78?api-version=1", { method: "DELETE" })).text();
    expect(s.stats().byEndpoint).toEqual({ "/People": 1, "/Students/ServiceHours/{id}": 2 });
    expect(s.stats().byRoute).toEqual({
      "GET /People": 1,
      "GET /Students/ServiceHours/{id}": 1,
      "DELETE /Students/ServiceHours/{id}": 1,
    });
    expect(s.log().map((l) => [l.method, l.path, l.outcome, l.query.Page])).toEqual([
      ["GET", "/People", 200, "2"],
      ["GET", "/Students/ServiceHours/77", 404, undefined],
      ["DELETE", "/Students/ServiceHours/78", 404, undefined],
    ]);
    s.resetStats();
    expect(s.stats()).toMatchObject({ requests: 0, byEndpoint: {}, maxPerWindow: [0, 0] });
    expect(s.log()).toEqual([]);
  });

  it("answers an unknown route 404 with { statusCode, message }, and a missing api-version 400", async () => {
    const { fetch } = await serve(sim());
    const res = await fetch("/Nope?api-version=1");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ statusCode: 404, message: "Resource not found" });
    expect((await fetch("/People")).status).toBe(400);
  });
});

describe("service hours and attendance", () => {
  it("creates with 201 and no body, lists, gets, updates (PUT, JSON Patch) a record; DELETE is an unknown route", async () => {
    const s = sim();
    const { fetch } = await serve(s);
    const personId = school.tables["/Students"][0]?.studentId as number;
    const body = { serviceHoursId: 0, personId, description: "Library", hours: 1.5, note: "n [rs:h1]" };
    const created = await fetch("/Students/ServiceHours?api-version=1", {
      method: "POST",
      body: JSON.stringify({ ...body, date: "2026-02-03T00:00:00" }),
    });
    expect(created.status).toBe(201);
    expect(await created.text()).toBe("");
    const listed = (await (
      await fetch(`/Students/ServiceHours?Filters=personId==${personId},date==2026-02-03&api-version=1`)
    ).json()) as Page;
    expect(listed.results).toEqual([
      {
        serviceHoursId: expect.any(Number),
        personId,
        description: "Library",
        hours: 1.5,
        date: "2026-02-03T00:00:00",
        note: "n [rs:h1]",
        verifiedBy: null,
        createdBy: SIM_API_USER_ID,
      },
    ]);
    const id = listed.results[0]?.serviceHoursId as number;
    const put = await fetch(`/Students/ServiceHours/${id}?api-version=1`, {
      method: "PUT",
      body: JSON.stringify({ ...body, serviceHoursId: id, hours: 3, date: "2026-02-03T00:00:00" }),
    });
    expect(put.status).toBe(200);
    const patched = await fetch(`/Students/ServiceHours/${id}?api-version=1`, {
      method: "PATCH",
      body: JSON.stringify([{ op: "replace", path: "/verifiedBy", value: "Ms Kim" }]),
    });
    expect(await patched.json()).toMatchObject({ hours: 3, verifiedBy: "Ms Kim" });
    // PATCH takes a JSON Patch array only.
    const objectPatch = await fetch(`/Students/ServiceHours/${id}?api-version=1`, {
      method: "PATCH",
      body: JSON.stringify({ hours: 9 }),
    });
    expect(objectPatch.status).toBe(400);
    expect(s.serviceHours()).toMatchObject([{ serviceHoursId: id, hours: 3, verifiedBy: "Ms Kim", role: "student" }]);
    // No DELETE in FACTS: the gateway's unknown-route answer, and the record stays.
    const del = await fetch(`/Students/ServiceHours/${id}?api-version=1`, { method: "DELETE" });
    expect(del.status).toBe(404);
    expect(await del.json()).toEqual({ statusCode: 404, message: "Resource not found" });
    expect((await fetch(`/Students/ServiceHours/${id}?api-version=1`)).status).toBe(200);
    expect(s.serviceHours()).toHaveLength(1);
    expect(s.stats().writes).toMatchObject({ created: 1, updated: 2, deleted: 0 });
  });

  it("refuses a service-hours body with every problem listed, and a student id of the wrong kind", async () => {
    const s = sim();
    const { fetch } = await serve(s);
    const res = await fetch("/Students/ServiceHours?api-version=1", {
      method: "POST",
      body: JSON.stringify({ personId: "x", description: "d".repeat(300), hours: "two", date: "soon", note: 5 }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { details: { target: string }[] } };
    expect(body.error.details.map((d) => d.target)).toEqual([
      "serviceHoursId",
      "personId",
      "description",
      "hours",
      "date",
      "note",
    ]);
    // A personStudentId that is nobody's studentId: the default simulator takes studentIds only.
    const studentIds = new Set(school.tables["/Students"].map((x) => x.studentId));
    const personStudentId = school.tables["/Students"].find((x) => !studentIds.has(x.personStudentId))?.personStudentId;
    expect(personStudentId).toBeDefined();
    const wrongKind = await fetch("/Students/ServiceHours?api-version=1", {
      method: "POST",
      body: JSON.stringify({
        serviceHoursId: 0,
        personId: personStudentId,
        description: "x",
        hours: 1,
        date: "2026-01-01T00:00:00",
      }),
    });
    expect(wrongKind.status).toBe(400);
    // A date that is not a date-time (the definition's format) is refused too.
    const dateOnly = await fetch("/Students/ServiceHours?api-version=1", {
      method: "POST",
      body: JSON.stringify({
        serviceHoursId: 0,
        personId: [...studentIds][0],
        description: "x",
        hours: 1,
        date: "2026-01-01",
      }),
    });
    expect(dateOnly.status).toBe(400);
    expect(s.serviceHours()).toEqual([]);
  });

  it("gives parents' hours the school's default yearId itself (the create body has none); a PUT without one zeroes it", async () => {
    const s = sim();
    const { fetch } = await serve(s);
    const parent = school.tables["/People/ParentStudent"][0]?.parentID as number;
    const body = { serviceHoursId: 0, personId: parent, description: "Lunch", hours: 2, date: "2026-03-01T00:00:00" };
    const res = await fetch("/Parents/ServiceHours?api-version=1", { method: "POST", body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    expect(s.serviceHours()).toMatchObject([{ role: "parent", personId: parent, yearId: school.schoolYear }]);
    const id = s.serviceHours()[0]?.serviceHoursId as number;
    // Reads never show yearId (StudentServiceHoursModel has none).
    const got = (await (await fetch(`/Parents/ServiceHours/${id}?api-version=1`)).json()) as Record<string, unknown>;
    expect(got).not.toHaveProperty("yearId");
    // A JSON Patch leaves the year alone; a ServiceHoursModel PUT sets every field, yearId included.
    await fetch(`/Parents/ServiceHours/${id}?api-version=1`, {
      method: "PATCH",
      body: JSON.stringify([{ op: "replace", path: "/hours", value: 4 }]),
    });
    expect(s.serviceHours()[0]).toMatchObject({ hours: 4, yearId: school.schoolYear });
    await fetch(`/Parents/ServiceHours/${id}?api-version=1`, {
      method: "PUT",
      body: JSON.stringify({ ...body, serviceHoursId: id }),
    });
    expect(s.serviceHours()[0]).toMatchObject({ yearId: 0 });
  });

  it("takes StudentAttendance posts (200 with the record) and reads them back by student and date range", async () => {
    const s = sim();
    const { fetch } = await serve(s);
    const [a, b] = school.tables["/Students"].map((x) => x.studentId) as [number, number];
    const post = (studentId: number, attendanceDate: string) =>
      fetch("/People/StudentAttendance?api-version=1", {
        method: "POST",
        body: JSON.stringify({
          studentId,
          classId: 3101,
          attendanceDate,
          column: 1,
          attendanceCode: "T",
          attendanceEventReason: "Late bus [hero:e1]",
          setByAdmin: true,
          updated: false,
        }),
      });
    const first = await post(a, "2026-01-12T00:00:00");
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      attendanceId: expect.any(Number),
      studentReference: { studentId: a },
      classReference: { classId: 3101 },
      column: 1,
      setByAdmin: true,
    });
    expect((await post(b, "2026-01-13T00:00:00")).status).toBe(200);
    expect((await post(a, "2026-02-01T00:00:00")).status).toBe(200);
    const q = new URLSearchParams({
      Filters: `studentId==${a}|${b},attendanceDate>=2026-01-12,attendanceDate<=2026-01-13T23:59:59`,
      "api-version": "1",
    });
    const page = (await (await fetch(`/People/StudentAttendance?${q}`)).json()) as Page;
    expect(
      page.results.map((r) => [(r.studentReference as { studentId: number }).studentId, r.attendanceDate, r.studentId]),
    ).toEqual([
      [a, "2026-01-12T00:00:00", undefined],
      [b, "2026-01-13T00:00:00", undefined],
    ]);
    expect(s.attendance()).toHaveLength(3);
    expect(s.attendance()[0]).toMatchObject({ studentId: a, classId: 3101, column: 1, attendanceCode: "T" });
    // A string column, a flat PATCH object and a body without the required flags are refused.
    const bad = await fetch("/People/StudentAttendance?api-version=1", {
      method: "POST",
      body: JSON.stringify({ studentId: a, classId: 3101, attendanceDate: "2026-01-12T00:00:00", column: "P1" }),
    });
    expect(bad.status).toBe(400);
    const targets = ((await bad.json()) as { error: { details: { target: string }[] } }).error.details.map(
      (d) => d.target,
    );
    expect(targets).toEqual(["column", "setByAdmin", "updated"]);
    const id = s.attendance()[0]?.attendanceId as number;
    const flat = await fetch(`/People/StudentAttendance/${id}?api-version=1`, {
      method: "PATCH",
      body: JSON.stringify({ attendanceCode: "" }),
    });
    expect(flat.status).toBe(400);
    // PUT changes only the code, reason and flags: an id or column in its body is ignored.
    const put = await fetch(`/People/StudentAttendance/${id}?api-version=1`, {
      method: "PUT",
      body: JSON.stringify({ attendanceCode: "P", setByAdmin: true, updated: true, column: 7 }),
    });
    expect(await put.json()).toMatchObject({ attendanceCode: "P", column: 1, updated: true });
  });

  it("keeps service hours and attendance across load() of the next roster", async () => {
    const s = sim();
    const { fetch } = await serve(s);
    const personId = school.tables["/Students"][0]?.studentId as number;
    await fetch("/Students/ServiceHours?api-version=1", {
      method: "POST",
      body: JSON.stringify({
        serviceHoursId: 0,
        personId,
        description: "Library",
        hours: 1,
        date: "2026-02-03T00:00:00",
      }),
    });
    s.load(generateSchool({ seed: 99, people: 100 }));
    expect(s.serviceHours()).toHaveLength(1);
    expect(s.table("/People")).toHaveLength(generateSchool({ seed: 99, people: 100 }).tables["/People"].length);
  });
});
