import { describe, expect, it } from "vitest";
import { faultReply, withFault } from "../../src/testing/sim/faulted.js";
import { isDenied } from "../../src/testing/sim/gateway.js";
import { page } from "../../src/testing/sim/paging.js";
import { applyPatch } from "../../src/testing/sim/replies.js";
import { udfGroupsOfType } from "../../src/testing/sim/roster.js";
import { answer, ROUTES } from "../../src/testing/sim/routes.js";
import { loadTables, newState } from "../../src/testing/sim/state.js";

const sizes = { defaultPageSize: 2, maxPageSize: 3 };
const at = (query: string) => ({ path: "/People", query: new URLSearchParams(query), origin: "http://sim" });
const rows = [1, 2, 3, 4, 5].map((personId) => ({ personId }));

function state() {
  const s = newState({ ...sizes, studentHoursId: "studentId", visibleAfter: 0 }, [], 1);
  loadTables(s, {
    "/People": rows,
    "/Students/Status": [{ status: "Enrolled" }],
    "/UserDefinedGroups": [
      { groupId: 1, groupType: "STUDENT" },
      { groupId: 2, groupType: "PARENT" },
    ],
  });
  return s;
}

const request = (method: string, path: string, bodyText = "", query = "") => ({
  method,
  path,
  query: new URLSearchParams(query),
  origin: "http://sim",
  bodyText,
  now: 0,
});

describe("simulator paging (sim/paging)", () => {
  it("serves the default page size with a nextPage link carrying filters, sorts and the size served", () => {
    const reply = page(rows, at("Sorts=-personId"), sizes);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      results: [{ personId: 5 }, { personId: 4 }],
      currentPage: 1,
      pageCount: 3,
      pageSize: 2,
      rowCount: 5,
      nextPage: "http://sim/People?Sorts=-personId&Page=2&PageSize=2&api-version=1",
    });
  });

  it("caps PageSize, and the last page has no nextPage", () => {
    const reply = page(rows, at("Page=2&PageSize=100"), sizes);
    expect(reply.body).toMatchObject({ results: [{ personId: 4 }, { personId: 5 }], pageSize: 3, nextPage: "" });
  });

  it("answers every bad paging parameter in one 400", () => {
    const reply = page(rows, at("Page=0&PageSize=x"), sizes);
    expect(reply.status).toBe(400);
    expect((reply.body as { error: { details: { target: string }[] } }).error.details.map((d) => d.target)).toEqual([
      "Page",
      "PageSize",
    ]);
  });
});

describe("simulator route table (sim/routes)", () => {
  it("tries service hours, attendance, then the roster's tables, the last matching any path", () => {
    expect(ROUTES.at(-1)?.pattern.test("/anything")).toBe(true);
    expect(ROUTES[0]?.pattern.test("/parents/servicehours/12")).toBe(true);
  });

  it("a body that is not JSON is a 400 on any route, even an unknown one", () => {
    expect(answer(state(), request("POST", "/Nowhere", "{")).status).toBe(400);
  });

  it("roster tables are read-only and unknown tables are the gateway's 404", () => {
    const s = state();
    expect(answer(s, request("POST", "/People", "{}")).status).toBe(404);
    expect(answer(s, request("GET", "/Nowhere")).status).toBe(404);
    expect(answer(s, request("GET", "/people")).status).toBe(200);
  });

  it("/Students/Status is not paged", () => {
    expect(answer(state(), request("GET", "/Students/Status")).body).toEqual([{ status: "Enrolled" }]);
  });

  it("/UserDefinedGroups lists one type, STUDENT by default", () => {
    const reply = answer(state(), request("GET", "/UserDefinedGroups"));
    expect((reply.body as { results: unknown[] }).results).toEqual([{ groupId: 1, groupType: "STUDENT" }]);
    expect(udfGroupsOfType([{ groupType: "parent" }], new URLSearchParams("TYPE=Parent"))).toHaveLength(1);
  });
});

describe("simulator gateway and faults", () => {
  it("isDenied matches permissions, METHOD /path, routes with ids and matchers", () => {
    expect(isDenied(["People: Write"], "POST", "/Students/ServiceHours")).toBe(true);
    expect(isDenied(["People: Write"], "GET", "/Students")).toBe(false);
    expect(isDenied(["PUT /Parents/ServiceHours/{id}"], "PUT", "/Parents/ServiceHours/7")).toBe(true);
    expect(isDenied([{ endpoint: /^\/Students/g }], "GET", "/Students")).toBe(true);
    expect(isDenied([{ endpoint: /^\/Students/g }], "GET", "/Students")).toBe(true);
  });

  it("faults that answer instead of FACTS, and the ones that change its answer", () => {
    expect(faultReply(undefined)).toBeNull();
    expect(faultReply({ type: "timeout" })).toEqual({ type: "hang" });
    const limited = faultReply({ type: "rateLimit", retryAfterSeconds: 3 });
    expect(limited).toMatchObject({ type: "response", status: 429, headers: { "retry-after": "3" } });
    const reply = { status: 200, body: { ok: true }, headers: {} };
    expect(withFault(state(), "/People", reply, { type: "lostResponse" })).toEqual({ type: "drop" });
    const cut = withFault(state(), "/People", reply, { type: "truncate" });
    expect(cut.type === "response" ? cut.body : null).toBe('{"ok"');
  });

  it("a shrink fault removes rows from the table after the answer", () => {
    const s = state();
    withFault(s, "/people", { status: 200, body: [], headers: {} }, { type: "shrink", rows: 2 });
    expect(s.tables.get("/people")).toHaveLength(3);
  });

  it("applyPatch takes replace/add of editable fields only", () => {
    const editable = new Set(["note"]);
    expect(applyPatch({ note: "a" }, [{ op: "replace", path: "/Note", value: "b" }], editable)).toEqual({ note: "b" });
    expect(applyPatch({ note: "a" }, [{ op: "remove", path: "/note" }], editable)).toBeNull();
    expect(applyPatch({ note: "a" }, { note: "b" }, editable)).toBeNull();
  });
});
