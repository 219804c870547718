import { describe, expect, it } from "vitest";
import { csrfRefusal, readBody } from "../src/respond.js";
import { invitesCsv } from "../src/routes/exports.js";
import { ROUTES } from "../src/routes/index.js";
import { examplesOf } from "../src/routes/plan.js";
import { filterFromQuery, pagingOf } from "../src/routes/review.js";
import { emptyBody } from "../src/schemas.js";

const csrf = { csrfHeader: "x-rostersync", allowedOrigins: new Set(["https://front.test"]) };
const url = new URL("https://admin.test/api/refresh");
const post = (headers: Record<string, string>, body?: string) =>
  new Request(url, { method: "POST", headers, ...(body === undefined ? {} : { body }) });

describe("the route table", () => {
  it("lists every operation once, by METHOD /path", () => {
    expect([...ROUTES.keys()]).toEqual([
      "GET /",
      "PUT /key",
      "GET /catalogue",
      "GET /access",
      "GET /setup",
      "PUT /setup",
      "POST /family-overrides",
      "POST /refresh",
      "GET /review",
      "GET /decisions",
      "POST /decisions",
      "GET /plan",
      "POST /acknowledge",
      "POST /apply",
      "POST /resume",
      "GET /invites.csv",
      "GET /errors.csv",
      "POST /hours",
      "GET /audit",
    ]);
  });
});

describe("the review's query", () => {
  it("splits lists, keeps flags and search, reads booleans and passes anything else on for the schema", () => {
    const q = new URLSearchParams(
      "status=importable, excluded&gradeLevel=05&flag=red&search=&newOnly=true&newErrorsOnly=x",
    );
    expect(filterFromQuery(q)).toEqual({
      status: ["importable", "excluded"],
      gradeLevel: "05",
      flag: "red",
      newOnly: true,
      newErrorsOnly: "x",
    });
  });

  it("pages from 1 with 50 rows by default, the size capped", () => {
    expect(pagingOf(new URLSearchParams(""), 500)).toEqual({ page: 1, pageSize: 50 });
    expect(pagingOf(new URLSearchParams("page=-3&pageSize=9999"), 500)).toEqual({ page: 1, pageSize: 500 });
    expect(pagingOf(new URLSearchParams("page=abc&pageSize=0"), 500)).toEqual({ page: 1, pageSize: 50 });
  });
});

describe("CSRF checks", () => {
  it("refuse a request without the header, from another origin, or cross-site", () => {
    expect(csrfRefusal(post({}), url, csrf)?.status).toBe(403);
    expect(csrfRefusal(post({ "x-rostersync": "1", origin: "https://evil.test" }), url, csrf)?.status).toBe(403);
    expect(csrfRefusal(post({ "x-rostersync": "1", "sec-fetch-site": "cross-site" }), url, csrf)?.status).toBe(403);
  });

  it("accept the request's own origin and allowed ones", () => {
    expect(csrfRefusal(post({ "x-rostersync": "1", origin: "https://admin.test" }), url, csrf)).toBeNull();
    const allowed = post({ "x-rostersync": "1", origin: "https://front.test", "sec-fetch-site": "cross-site" });
    expect(csrfRefusal(allowed, url, csrf)).toBeNull();
  });
});

describe("bodies", () => {
  it("an empty body is {}; a large one 413; another media type 415; bad JSON 400", async () => {
    expect(await readBody(post({}), emptyBody, 10)).toEqual({});
    expect(((await readBody(post({}, "x".repeat(11)), emptyBody, 10)) as Response).status).toBe(413);
    expect(((await readBody(post({ "content-type": "text/plain" }, "{}"), emptyBody, 10)) as Response).status).toBe(
      415,
    );
    expect(
      ((await readBody(post({ "content-type": "application/json" }, "{"), emptyBody, 10)) as Response).status,
    ).toBe(400);
  });
});

describe("exports and summaries", () => {
  it("invitesCsv quotes cells and ends lines with CRLF", () => {
    const run = {
      inviteCandidates: [
        { email: "a@x.org", firstName: "Ann, Jr", lastName: null, sourceId: "1", accountId: "A", reason: "added" },
      ],
    } as unknown as Parameters<typeof invitesCsv>[0];
    expect(invitesCsv(run)).toBe(
      'email,firstName,lastName,sourceId,accountId,reason\r\na@x.org,"Ann, Jr",,1,A,added\r\n',
    );
  });

  it("examplesOf keeps the first five actions of each type, every type listed", () => {
    const actions = Array.from({ length: 7 }, (_, i) => ({ type: "add", sourceId: String(i) }));
    const examples = examplesOf({ actions } as unknown as Parameters<typeof examplesOf>[0]);
    expect(examples.add?.map((a) => (a as { sourceId: string }).sourceId)).toEqual(["0", "1", "2", "3", "4"]);
    expect(examples.archive).toEqual([]);
  });
});
