import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFactsClient, personSchema, redactWith } from "../src/index.js";
import { KEYS } from "./helpers/fake-facts.js";

// Two loopback servers: FACTS (which may redirect) and a second origin that records every header it gets.
interface Recorder {
  readonly server: Server;
  readonly url: string;
  readonly seen: { path: string; headers: IncomingHttpHeaders }[];
  handle: (path: string, method: string) => { status: number; headers?: Record<string, string>; body?: string };
}

async function recorder(): Promise<Recorder> {
  const r: Recorder = {
    server: createServer((req, res) => {
      r.seen.push({ path: req.url ?? "", headers: req.headers });
      req.resume();
      const answer = r.handle(req.url ?? "", req.method ?? "GET");
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(answer.body ?? "");
    }),
    url: "",
    seen: [],
    handle: () => ({ status: 404 }),
  };
  await new Promise<void>((resolve) => r.server.listen(0, "127.0.0.1", resolve));
  Object.assign(r, { url: `http://127.0.0.1:${(r.server.address() as AddressInfo).port}` });
  return r;
}

const page = (rows: unknown[]) =>
  JSON.stringify({ results: rows, currentPage: 1, pageCount: 1, pageSize: 1000, rowCount: rows.length, nextPage: "" });
const person = { personId: 1, firstName: "A", lastName: "B", email: null };

// Any 4 characters in a row of either key count as a leak, so a cut-short key is caught too.
const pieces = [KEYS.apiKey, KEYS.subscriptionKey].flatMap((k) =>
  Array.from({ length: k.length - 3 }, (_, i) => k.slice(i, i + 4)),
);
const leaks = (text: string) => pieces.some((w) => text.includes(w));

let facts: Recorder;
let other: Recorder;
beforeAll(async () => {
  facts = await recorder();
  other = await recorder();
});
afterAll(async () => {
  await Promise.all([facts, other].map((r) => new Promise((resolve) => r.server.close(resolve))));
});
beforeEach(() => {
  facts.seen.length = 0;
  other.seen.length = 0;
  other.handle = () => ({ status: 200, body: page([]) });
});

const client = (extra: Partial<Parameters<typeof createFactsClient>[0]> = {}) =>
  createFactsClient({
    ...KEYS,
    baseUrl: facts.url,
    budget: { windows: [{ requests: 10_000, windowMs: 1000 }], marginMs: 0 },
    retry: { limit: 0 },
    ...extra,
  });

describe("redirects (the keys never leave FACTS's origin)", () => {
  for (const status of [301, 302, 307, 308]) {
    it(`refuses a ${status} to another origin with Redirected naming only that origin; the target gets nothing`, async () => {
      facts.handle = () => ({ status, headers: { location: `${other.url}/People?stolen=1` } });
      const result = await client().list("/People", personSchema);
      const error = result._unsafeUnwrapErr();
      expect(error).toMatchObject({ type: "Redirected", status, targetOrigin: other.url, hops: 0, fatal: true });
      expect(error.message).toContain(other.url);
      expect(error.message).not.toContain("stolen");
      // Before the fix the target received both keys and its empty /Families was taken as good data.
      expect(other.seen).toEqual([]);
      for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 10 })]) {
        expect(leaks(text)).toBe(false);
      }
    });
  }

  it("never sends either key header to another origin, whatever the method", async () => {
    for (const method of ["GET", "PUT", "POST", "DELETE"]) {
      facts.handle = () => ({ status: 307, headers: { location: `${other.url}/Students/ServiceHours` } });
      const body = method === "GET" ? {} : { json: { a: 1 } };
      const result = await client().request(method, "/Students/ServiceHours", body);
      expect(result._unsafeUnwrapErr().type).toBe("Redirected");
    }
    for (const s of other.seen) {
      expect(s.headers["ocp-apim-subscription-key"]).toBeUndefined();
      expect(s.headers["facts-api-key"]).toBeUndefined();
    }
    expect(other.seen).toEqual([]);
  });

  it("follows a same-origin redirect, with the keys, and reads the page", async () => {
    facts.handle = (path) =>
      path.startsWith("/v2/")
        ? { status: 200, body: page([person]) }
        : { status: 308, headers: { location: `/v2${path}` } };
    const rows = await client().list("/People", personSchema);
    expect(rows._unsafeUnwrap()).toHaveLength(1);
    expect(facts.seen.map((s) => s.path.split("?")[0])).toEqual(["/People", "/v2/People"]);
    expect(facts.seen[1]?.headers["facts-api-key"]).toBe(KEYS.apiKey);
  });

  it("stops a same-origin chain after maxRedirects hops", async () => {
    let n = 0;
    facts.handle = () => ({ status: 302, headers: { location: `/hop${++n}` } });
    const error = (await client({ maxRedirects: 2 }).list("/People", personSchema))._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "Redirected", hops: 2, targetOrigin: facts.url });
    expect(facts.seen).toHaveLength(3);
    expect(error.message).toContain("more than 2 times");
  });

  it("refuses a redirect without a Location, and a 301/302/303 that would turn a write into a GET", async () => {
    facts.handle = () => ({ status: 302 });
    expect((await client().list("/People", personSchema))._unsafeUnwrapErr()).toMatchObject({
      type: "Redirected",
      targetOrigin: null,
    });
    facts.handle = (path) =>
      path.startsWith("/moved") ? { status: 201 } : { status: 303, headers: { location: "/moved" } };
    const error = (await client().request("POST", "/Students/ServiceHours", { json: {} }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "Redirected", status: 303 });
    expect(facts.seen).toHaveLength(2);
  });
});

describe("redaction of every occurrence, whatever the key's length", () => {
  it("redacts a key reflected by a 200 page into a record id (InvalidPayload)", async () => {
    facts.handle = () => ({
      status: 200,
      body: page([{ ...person, personId: `id-${KEYS.apiKey}-${KEYS.subscriptionKey}` }]),
    });
    const error = (await client().list("/People", personSchema, { idKey: "personId" }))._unsafeUnwrapErr();
    expect(error.type).toBe("InvalidPayload");
    for (const text of [error.message, JSON.stringify(error), String(error), inspect(error, { depth: 10 })]) {
      expect(leaks(text)).toBe(false);
    }
    expect(error).toMatchObject({ recordId: "id-[redacted]-[redacted]" });
  });

  it("redacts one- to three-character keys too", async () => {
    const keys = { subscriptionKey: "Q", apiKey: "~%^" };
    facts.handle = () => ({ status: 200, body: page([{ ...person, personId: "xQy~%^zQ" }]) });
    const error = (
      await createFactsClient({ ...keys, baseUrl: facts.url, retry: { limit: 0 } }).list("/People", personSchema, {
        idKey: "personId",
      })
    )._unsafeUnwrapErr();
    expect(error.type).toBe("InvalidPayload");
    for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 10 })]) {
      expect(text).not.toContain("Q");
      expect(text).not.toContain("~%^");
    }
    // The headers still carried the real keys.
    expect(facts.seen.at(-1)?.headers["ocp-apim-subscription-key"]).toBe("Q");
  });

  it("never leaves a key in the text, even when the key is made of the marker's own characters", () => {
    for (const secrets of [["[redacted]"], ["a"], ["d]", "[r"], ["e"], ["x"], ["ab", "ba"]]) {
      const redact = redactWith(secrets);
      for (const text of ["[redacted]", "aaaa", "d][red]", "xexex", "abababa", `>${secrets.join("")}<`]) {
        const out = redact(text);
        for (const s of secrets) expect(out).not.toContain(s);
      }
    }
  });
});
