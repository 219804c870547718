import { describe, expect, it } from "vitest";
import { joinPages, pageDisagrees } from "../../src/list.js";
import { recordIdOf, validateBody, validatePage } from "../../src/page-validation.js";
import { personSchema, schoolSchema } from "../../src/schemas.js";

const page = (results: unknown[], extra: Record<string, unknown> = {}) => ({
  results,
  currentPage: 1,
  pageCount: 1,
  pageSize: 1000,
  rowCount: results.length,
  ...extra,
});

describe("validatePage: a FACTS page, record by record, without HTTP", () => {
  it("returns the envelope and the parsed records", () => {
    const r = validatePage("/People", personSchema, page([{ personId: 1, firstName: "Ann" }]), 1, ["personId"]);
    expect(r._unsafeUnwrap().records).toEqual([{ personId: 1, firstName: "Ann" }]);
    expect(r._unsafeUnwrap().envelope.rowCount).toBe(1);
  });

  it("refuses a body that is not a FACTS page, naming the page and the field", () => {
    const e = validatePage("/People", personSchema, { results: [] }, 3, ["personId"])._unsafeUnwrapErr();
    expect(e).toMatchObject({ type: "InvalidPayload", page: 3, recordId: null });
    expect(e.message).toContain("page 3: not a FACTS page");
  });

  it("names the first bad record by its key (composite keys too), its field and its page", () => {
    const e = validatePage("/People", personSchema, page([{ personId: 1 }, { personId: 7, email: 5 }]), 2, [
      "personId",
    ]);
    expect(e._unsafeUnwrapErr()).toMatchObject({ type: "InvalidPayload", recordId: "7", path: ["email"], page: 2 });
    expect(recordIdOf({ parentID: 3, studentID: 4 }, ["parentID", "studentID"])).toBe("3/4");
    expect(recordIdOf({ parentID: 3 }, ["parentID", "studentID"])).toBeNull();
    expect(recordIdOf("x", ["id"])).toBeNull();
  });
});

describe("validateBody: a body that is not paged", () => {
  it("parses it or names the bad field", () => {
    expect(validateBody("/SchoolConfigurations/1", schoolSchema, { configSchoolID: 1 })._unsafeUnwrap()).toEqual({
      configSchoolID: 1,
    });
    const e = validateBody("/SchoolConfigurations/1", schoolSchema, { configSchoolID: "x" })._unsafeUnwrapErr();
    expect(e).toMatchObject({ type: "InvalidPayload", path: ["configSchoolID"] });
  });
});

describe("joinPages: the whole listing, once every page agreed with page 1", () => {
  const head = { currentPage: 1, pageCount: 2, pageSize: 1, rowCount: 2 };

  it("joins the pages in order", () => {
    expect(joinPages("/People", head, [[{ personId: 1 }], [{ personId: 2 }]], ["personId"])._unsafeUnwrap()).toEqual([
      { personId: 1 },
      { personId: 2 },
    ]);
  });

  it("refuses a record read twice, naming both pages", () => {
    const e = joinPages("/People", head, [[{ personId: 1 }], [{ personId: 1 }]], ["personId"])._unsafeUnwrapErr();
    expect(e).toMatchObject({ type: "Inconsistent", expected: 2, actual: 1 });
    expect(e.message).toContain("pages 1 and 2");
  });

  it("refuses a total that is not page 1's rowCount", () => {
    const e = joinPages("/People", { ...head, rowCount: 3 }, [[{ personId: 1 }], [{ personId: 2 }]], ["personId"]);
    expect(e._unsafeUnwrapErr()).toMatchObject({ type: "Inconsistent", expected: 3, actual: 2 });
  });

  it("words a page that disagrees with page 1", () => {
    const e = pageDisagrees("/People", { expected: 3, actual: 2, reason: "page 2 says 2 pages, page 1 said 3" });
    expect(e).toMatchObject({ type: "Inconsistent", method: "GET", retryable: true });
    expect(e.message).toContain("cannot be trusted: page 2 says 2 pages");
  });
});
