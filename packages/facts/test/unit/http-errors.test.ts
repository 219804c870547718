import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redactWith } from "../../src/errors.js";
import {
  httpError,
  networkError,
  notJson,
  parseRetryAfter,
  redirectTarget,
  timeout,
  tooLarge,
} from "../../src/http-errors.js";

const KEYS = ["sub-KEY-123", "school-KEY-456"];
const redact = redactWith(KEYS);
const answer = (status: number, text = "", retryAfter: string | null = null) =>
  httpError({ method: "GET", endpoint: "/People", status, retryAfter, text, redact, now: 0 });

describe("httpError: a status and a body become one tagged error, without HTTP", () => {
  it("maps every status class to its type, fatal and retryable flags", () => {
    expect(answer(401)).toMatchObject({
      type: "Unauthorized",
      fatal: true,
      retryable: false,
      permission: "People: Read",
    });
    expect(answer(403)).toMatchObject({ type: "Forbidden", fatal: true, retryable: false, permission: "People: Read" });
    expect(answer(404)).toMatchObject({ type: "NotFound", fatal: false, retryable: false });
    expect(answer(429, "", "3")).toMatchObject({ type: "RateLimited", retryAfterMs: 3000, retryable: true });
    expect(answer(500)).toMatchObject({ type: "ServerError", fatal: false, retryable: true });
    expect(answer(503)).toMatchObject({ type: "ServerError", status: 503 });
    for (const status of [400, 409, 422]) expect(answer(status)).toMatchObject({ type: "BadRequest", status });
  });

  it("names the write permission on a refused write and Academics on /Academics reads", () => {
    const write = httpError({
      method: "POST",
      endpoint: "/Students/ServiceHours",
      status: 403,
      retryAfter: null,
      text: "",
      redact,
      now: 0,
    });
    expect(write).toMatchObject({ type: "Forbidden", permission: "People: Write" });
    const academics = httpError({
      method: "GET",
      endpoint: "/Academics/GradeLevels",
      status: 403,
      retryAfter: null,
      text: "",
      redact,
      now: 0,
    });
    expect(academics).toMatchObject({ permission: "Academics: Read" });
  });

  it("says what FACTS's body said, in one line, and keeps a 5xx's words in detail only", () => {
    expect(answer(400, JSON.stringify({ error: { code: "Bad", message: "no such field" } })).message).toContain(
      "Bad: no such field",
    );
    const server = answer(500, "System.NullReferenceException: Object reference\n   at Sieve.Apply()");
    expect(server).toMatchObject({ detail: "System.NullReferenceException: Object reference" });
    expect(server.message).not.toContain("NullReference");
    expect(answer(502, "<html><body>Bad gateway</body></html>").message).not.toContain("<html>");
  });

  it("never lets a key through, whole or as the prefix of a cut-off line (any status, any body)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(400, 401, 403, 404, 409, 429, 500, 503),
        fc.string({ maxLength: 300 }),
        fc.constantFrom(...KEYS),
        fc.boolean(),
        (status, noise, key, json) => {
          const said = `${noise}${key}${noise}`;
          const text = json ? JSON.stringify({ error: { code: key, message: said } }) : said;
          const e = answer(status, text);
          const all = JSON.stringify(e);
          for (const k of KEYS) expect(all).not.toContain(k);
        },
      ),
    );
  });
});

describe("parseRetryAfter: relative to the now it is given", () => {
  it("reads delay-seconds (fractions too) and HTTP dates against the given now", () => {
    expect(parseRetryAfter("2.5", 0)).toBe(2500);
    const now = Date.parse("Wed, 21 Oct 2015 07:27:00 GMT");
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now + 120_000)).toBe(0);
  });

  it("waits 1 s for an absent or unreadable value, and never a negative time", () => {
    expect(parseRetryAfter(null, 0)).toBe(1000);
    expect(parseRetryAfter("  ", 0)).toBe(1000);
    expect(parseRetryAfter("soon", 0)).toBe(1000);
    expect(parseRetryAfter("-5", 0)).toBe(0);
  });
});

describe("redirectTarget: which redirects the keys may follow", () => {
  const base = {
    method: "GET",
    endpoint: "/People",
    status: 302,
    url: new URL("https://api.example.test/People?api-version=1"),
    baseOrigin: "https://api.example.test",
    hops: 0,
    maxRedirects: 3,
  };

  it("follows a same-origin redirect, relative or absolute", () => {
    expect(redirectTarget({ ...base, location: "/v2/People" })).toEqual(new URL("https://api.example.test/v2/People"));
    expect(redirectTarget({ ...base, location: "https://api.example.test/x" })).toBeInstanceOf(URL);
  });

  it("refuses another origin, no Location, too many hops, and a write turned into a GET", () => {
    expect(redirectTarget({ ...base, location: "https://evil.test/People" })).toMatchObject({
      type: "Redirected",
      targetOrigin: "https://evil.test",
      fatal: true,
    });
    expect(redirectTarget({ ...base, location: null })).toMatchObject({ type: "Redirected", targetOrigin: null });
    expect(redirectTarget({ ...base, location: "/again", hops: 3 })).toMatchObject({ type: "Redirected", hops: 3 });
    expect(redirectTarget({ ...base, method: "POST", location: "/x" })).toMatchObject({ type: "Redirected" });
    expect(redirectTarget({ ...base, method: "POST", status: 307, location: "/x" })).toBeInstanceOf(URL);
  });
});

describe("the other errors of an attempt", () => {
  it("builds TooLarge, not-JSON, Timeout and Network errors with their flags", () => {
    expect(tooLarge("GET", "/People", 200, 10)).toMatchObject({ type: "TooLarge", limitBytes: 10, retryable: false });
    expect(notJson("GET", "/People", "<html>").message).toContain("HTML page");
    expect(notJson("GET", "/People", '{"cut')).toMatchObject({ type: "InvalidPayload", path: [] });
    expect(timeout("GET", "/People", 5)).toMatchObject({ type: "Timeout", timeoutMs: 5, retryable: true });
    expect(timeout("GET", "/People", 5, true).message).toContain("readTimeoutMs");
  });

  it("keeps a connection error's cause, redacted", () => {
    const e = networkError(
      "GET",
      "/People",
      new Error("fetch failed", { cause: new Error(`proxy said ${KEYS[0]}`) }),
      redact,
    );
    expect(e).toMatchObject({ type: "Network", retryable: true });
    expect(e.message).toContain("proxy said");
    expect(e.message).not.toContain(KEYS[0]);
  });
});
