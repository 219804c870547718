import { HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import { createFactsSource, ROSTER_ENDPOINTS } from "../src/index.js";
import { settle } from "./helpers/fake-time.js";
import { testClient, useMsw } from "./helpers/msw.js";
import { smallSchool } from "./helpers/school.js";

const msw = useMsw();

/** Page `page` of `rows` at one row a page, in FACTS's envelope. */
const onePerPage = (rows: readonly unknown[], page: number, results: readonly unknown[]) =>
  HttpResponse.json({
    results,
    currentPage: page,
    pageCount: rows.length,
    pageSize: 1,
    rowCount: rows.length,
    nextPage: "",
  });

// Every paged endpoint of a roster read, read one row a page so that each has several pages.
// `/UserDefinedGroups` is read once per group type (one row each here): it has its own test below.
const paged = ROSTER_ENDPOINTS.filter((e) => e !== "/UserDefinedGroups" && (smallSchool()[e] ?? []).length >= 2);

describe("every paged endpoint is checked for repeated and missing pages (a read whose pages disagree is Inconsistent)", () => {
  it("reads the school cleanly one row a page (the control)", async () => {
    msw.facts(smallSchool());
    const result = await createFactsSource({ client: testClient({ pageSize: 1 }) }).read();
    expect(result.isOk()).toBe(true);
    expect(paged).toEqual(
      expect.arrayContaining(["/People/ParentStudent", "/People/PersonFamily", "/UserDefinedData"]),
    );
  });

  for (const endpoint of paged) {
    it(`${endpoint}: page 2 repeats page 1 with the same counts → Inconsistent, nothing returned`, async () => {
      const tables = smallSchool();
      const rows = tables[endpoint] ?? [];
      const fake = msw.facts(tables);
      fake.fault = (req) =>
        req.endpoint === endpoint && req.query.get("Page") === "2" ? onePerPage(rows, 2, [rows[0]]) : undefined;
      const result = await createFactsSource({ client: testClient({ pageSize: 1 }) }).read();
      expect(result._unsafeUnwrapErr()).toMatchObject({ type: "Inconsistent", endpoint });
    });

    it(`${endpoint}: page 2 missing (answered empty with the same counts) → Inconsistent`, async () => {
      const tables = smallSchool();
      const rows = tables[endpoint] ?? [];
      const fake = msw.facts(tables);
      fake.fault = (req) =>
        req.endpoint === endpoint && req.query.get("Page") === "2" ? onePerPage(rows, 2, []) : undefined;
      const result = await createFactsSource({ client: testClient({ pageSize: 1 }) }).read();
      expect(result._unsafeUnwrapErr()).toMatchObject({ type: "Inconsistent", endpoint, expected: 1, actual: 0 });
    });
  }

  it("/UserDefinedGroups, read once per type: a type's page 2 repeating its page 1 → Inconsistent, nothing returned", async () => {
    const student = [
      { groupId: 1, groupName: "Student info", groupType: "STUDENT" },
      { groupId: 5, groupName: "Student extras", groupType: "STUDENT" },
    ];
    const fake = msw.facts(smallSchool());
    fake.fault = (req) =>
      req.endpoint === "/UserDefinedGroups" && req.query.get("type") === "STUDENT"
        ? onePerPage(student, Number(req.query.get("Page") ?? "1"), [student[0]])
        : undefined;
    const result = await createFactsSource({ client: testClient({ pageSize: 1 }) }).read();
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: "Inconsistent", endpoint: "/UserDefinedGroups" });
  });

  it("a repeated ParentStudent page in a multi-row page (rows shifted, same counts) is caught by parentID+studentID", async () => {
    const tables = smallSchool();
    const rows = tables["/People/ParentStudent"] ?? [];
    const fake = msw.facts(tables);
    // Page 2 of 2 (pageSize 3) answers rows 2..4: the same counts, one link twice and one link missing.
    fake.fault = (req) =>
      req.endpoint === "/People/ParentStudent" && req.query.get("Page") === "2"
        ? HttpResponse.json({ results: rows.slice(2, 5), currentPage: 2, pageCount: 2, pageSize: 3, rowCount: 6 })
        : undefined;
    const error = (await createFactsSource({ client: testClient({ pageSize: 3 }) }).read())._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "Inconsistent", endpoint: "/People/ParentStudent" });
    expect(error.message).toContain("twice");
  });
});

describe("the source's overall read deadline (readTimeoutMs)", () => {
  it("fails the whole read with Timeout when one endpoint never finishes, and returns nothing", async () => {
    const fake = msw.facts(smallSchool());
    fake.fault = (req) => (req.endpoint === "/Families" ? new Promise<undefined>(() => undefined) : undefined);
    // On the fake clock every other endpoint answers at once and the deadline fires at exactly 200 ms.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const source = createFactsSource({ client: testClient({ timeoutMs: 60_000 }), readTimeoutMs: 200 });
      const started = Date.now();
      const error = (await settle(source.read()))._unsafeUnwrapErr();
      expect(error).toMatchObject({ type: "Timeout", timeoutMs: 200, endpoint: "/Families" });
      expect(Date.now() - started).toBe(200);
      expect(fake.count("/Families")).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
