import { describe, expect, it } from "vitest";
import { createFactsSource, type FactsErrorCode } from "../../src/index.js";
import { createFactsSimulator, type FaultRule, generateSchool } from "../../src/testing/index.js";
import { KEYS, useServers } from "./support.js";

const serve = useServers();
// 1,200 people: /People alone is three pages of 500, so a fault on a later page comes after good ones.
const school = generateSchool({ seed: 5, people: 1200 });

/** A full roster read through the HTTP simulator with these faults. */
async function readWith(faults: FaultRule[], client: Parameters<typeof serve>[1] = {}) {
  const sim = createFactsSimulator({ school, keys: KEYS, rateLimit: false, faults });
  const { client: facts } = await serve(sim, { pageSize: 500, retry: { limit: 0 }, ...client });
  const result = await createFactsSource({ client: facts }).read();
  return { sim, result };
}

describe("each fault kind fails the read with its typed error and no partial result", () => {
  type Case = [string, FaultRule, FactsErrorCode, Parameters<typeof serve>[1]?];
  const badFields: [
    what: string,
    endpoint: string,
    type: "wrongType" | "missingField",
    field: string,
    page?: number,
  ][] = [
    ["a field of the wrong type", "/People", "wrongType", "personId", 2],
    ["a missing id", "/Students", "missingField", "personStudentId"],
    ["a student id of the wrong type", "/Students", "wrongType", "studentId"],
    ["a parent link without parentID", "/People/ParentStudent", "missingField", "parentID"],
    ["a family id of the wrong type", "/Families", "wrongType", "familyID"],
    ["a UDF value without fieldId", "/UserDefinedData", "missingField", "fieldId"],
    ["a school whose active flag is text", "/SchoolConfigurations", "wrongType", "active"],
    ["a grade level without its id", "/Academics/GradeLevels", "missingField", "gradeLevelId"],
  ];
  const cases: Case[] = [
    ["a 500 with a stack trace", { endpoint: "/People", page: 2, fault: { type: "serverError" } }, "ServerError"],
    [
      "no answer (timeout)",
      { endpoint: "/People", page: 3, fault: { type: "timeout" } },
      "Timeout",
      { timeoutMs: 1500 },
    ],
    ["a dropped connection", { endpoint: "/Students", fault: { type: "drop" } }, "Network"],
    ["truncated JSON", { endpoint: "/People", page: 2, fault: { type: "truncate" } }, "InvalidPayload"],
    ["an HTML error page", { endpoint: "/Families", fault: { type: "html" } }, "ServerError"],
    ["an HTML page with 200", { endpoint: "/Families", fault: { type: "html", status: 200 } }, "InvalidPayload"],
    [
      "a page that shrinks between reads",
      { endpoint: "/People", page: 1, fault: { type: "shrink", rows: 3 } },
      "Inconsistent",
    ],
    [
      "a 429 storm",
      { endpoint: "/People", fault: { type: "rateLimit", retryAfterSeconds: 0 } },
      "RateLimited",
      { retry: { rateLimitRetries: 2 } },
    ],
    ["a lost response", { endpoint: "/UserDefinedData", fault: { type: "lostResponse" } }, "Network"],
    [
      "a 404 with { statusCode, message }",
      {
        endpoint: "/Families",
        fault: { type: "status", status: 404, body: { statusCode: 404, message: "Resource not found" } },
      },
      "NotFound",
    ],
    [
      "a 200 that is not a page",
      { endpoint: "/People", page: 1, fault: { type: "status", status: 200, body: { items: [] } } },
      "InvalidPayload",
    ],
    [
      "a page whose results is not a list",
      {
        endpoint: "/Families",
        fault: {
          type: "status",
          status: 200,
          body: { results: "none", currentPage: 1, pageCount: 1, pageSize: 50, rowCount: 0 },
        },
      },
      "InvalidPayload",
    ],
    [
      "a 403 in RFC 7807 shape",
      {
        endpoint: "/UserDefinedGroups",
        fault: {
          type: "status",
          status: 403,
          body: { type: "about:blank", title: "Forbidden", status: 403, detail: "No permission" },
        },
      },
      "Forbidden",
    ],
    [
      "a 401 in { statusCode, message } shape",
      {
        endpoint: "/People",
        fault: { type: "status", status: 401, body: { statusCode: 401, message: "Access denied" } },
      },
      "Unauthorized",
    ],
    [
      "a 400 in { error } shape",
      {
        endpoint: "/Students",
        fault: {
          type: "status",
          status: 400,
          body: { error: { code: "BadArgument", message: "Bad filter", target: "Filters" } },
        },
      },
      "BadRequest",
    ],
    [
      "a 503 from the gateway",
      { endpoint: "/People/PersonFamily", fault: { type: "serverError", status: 503 } },
      "ServerError",
    ],
    ["a 503 HTML page", { endpoint: "/People/PersonFamily", fault: { type: "html", status: 503 } }, "ServerError"],
    [
      "truncated JSON on a first page",
      { endpoint: "/Students", page: 1, fault: { type: "truncate" } },
      "InvalidPayload",
    ],
    // A record served with one field of the wrong type or without it: the read fails, naming the field.
    ...badFields.map(
      ([what, endpoint, type, field, page]): Case => [
        what,
        { endpoint, ...(page === undefined ? {} : { page }), fault: { type, field } },
        "InvalidPayload",
      ],
    ),
  ];
  for (const [what, rule, type, client] of cases) {
    it(`${what} → ${type}`, async () => {
      const { sim, result } = await readWith([rule], client);
      expect(result.isErr()).toBe(true);
      const error = result._unsafeUnwrapErr();
      expect(error.type).toBe(type);
      expect(sim.stats().faults[rule.fault.type]).toBeGreaterThanOrEqual(1);
      // Nothing of a key and no stack trace reaches the message.
      expect(error.message).not.toContain(KEYS.apiKey);
      expect(error.message).not.toMatch(/\n\s+at /);
    });
  }
});

describe("faults the client rides out", () => {
  it("retries a transient 500 and a dropped connection and still reads exactly the expected people", async () => {
    const { sim, result } = await readWith(
      [
        { endpoint: "/People", page: 2, nth: 1, fault: { type: "serverError" } },
        { endpoint: "/Students", nth: 1, fault: { type: "drop" } },
        { endpoint: "/Families", nth: 1, fault: { type: "rateLimit", retryAfterSeconds: 0 } },
      ],
      { retry: { limit: 2, baseDelayMs: 1, jitter: (d: number) => d } },
    );
    expect(result._unsafeUnwrap().people).toEqual(school.expectedPeople);
    expect(sim.stats().faults).toEqual({ serverError: 1, drop: 1, rateLimit: 1 });
  });

  it("fires a seeded probability the same way for the same seed", async () => {
    const rule: FaultRule = { fault: { type: "serverError" }, probability: 0.3 };
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const sim = createFactsSimulator({ school, keys: KEYS, rateLimit: false, faults: [rule], seed: 42 });
      const { client } = await serve(sim, {
        pageSize: 500,
        concurrency: 1,
        retry: { limit: 5, baseDelayMs: 1, jitter: (d: number) => d },
      });
      const result = await createFactsSource({ client }).read();
      runs.push({
        ok: result.isOk(),
        fired: sim.stats().faults.serverError ?? 0,
        log: sim.log().map((l) => l.outcome),
      });
    }
    expect(runs[0]?.fired).toBeGreaterThan(0);
    expect(runs[1]).toEqual(runs[0]);
  });

  it("adds latency to every answer and to the requests a rule picks", async () => {
    const sim = createFactsSimulator({
      school: generateSchool({ seed: 1, people: 100 }),
      keys: KEYS,
      rateLimit: false,
      latencyMs: [20, 30],
      faults: [{ endpoint: "/Families", fault: { type: "latency", ms: 200 } }],
    });
    const { fetch } = await serve(sim);
    let t = performance.now();
    await (await fetch("/People?api-version=1")).text();
    expect(performance.now() - t).toBeGreaterThanOrEqual(19);
    t = performance.now();
    await (await fetch("/Families?api-version=1")).text();
    expect(performance.now() - t).toBeGreaterThanOrEqual(219);
  });
});
