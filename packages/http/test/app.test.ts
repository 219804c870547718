import { createMemoryDirectory, createMemoryRosterSource, createMemoryStore } from "@rostersync/core";
import { generateSchool } from "@rostersync/core/testing";
import { createSync } from "@rostersync/sync";
import { describe, expect, it } from "vitest";
import { createRosterHandler, type ReviewAppContext, type RosterHandlerOptions } from "../src/index.js";

const ORIGIN = "https://admin.school.test";
const BASE = "/api/rostersync";
const KEY = "school-key-0123456789-abcdefghij";

function host(options: Partial<RosterHandlerOptions> = {}) {
  const school = generateSchool({ seed: 3, people: 100, accountsFor: "none" });
  const sync = createSync({
    tenantId: "a",
    source: createMemoryRosterSource({
      snapshot: { people: school.people, schools: school.schools, gradeLevels: school.gradeLevels },
    }),
    directory: createMemoryDirectory(),
    store: createMemoryStore(),
  });
  const errors: unknown[] = [];
  const handler = createRosterHandler({
    basePath: BASE,
    resolve: (request) => ((request.headers.get("cookie") ?? "") === "session=ann" ? { sync, actor: "ann" } : null),
    onError: (e) => errors.push(e),
    ...options,
  });
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    handler(
      new Request(`${ORIGIN}${BASE}${path}`, {
        method,
        headers: {
          cookie: "session=ann",
          ...(method === "GET" ? {} : { origin: ORIGIN, "x-rostersync": "1", "content-type": "application/json" }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      }),
    );
  return { handler, call, errors };
}

const page = (context: ReviewAppContext) => ({
  html: `<!doctype html><p>${JSON.stringify(context)}</p>`,
  contentSecurityPolicy: "default-src 'none'; connect-src 'self'",
});

describe("GET {basePath}/ serves the review app", () => {
  it("answers the page with its own CSP, no framing and no caching, told its base path and CSRF header", async () => {
    const saved: string[] = [];
    const { call } = host({ app: page, keys: { save: ({ apiKey }) => void saved.push(apiKey) } });
    const response = await call("GET", "/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; connect-src 'self'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toContain(
      JSON.stringify({ basePath: BASE, csrfHeader: "x-rostersync", keyEntry: true } satisfies ReviewAppContext),
    );
  });

  it("is a 404 without an app, and the host's resolve still decides who sees it", async () => {
    expect((await host().call("GET", "/")).status).toBe(404);
    const { call } = host({ app: page });
    expect((await call("GET", "/", undefined, { cookie: "" })).status).toBe(401);
    const html = await (await call("GET", "/")).text();
    expect(html).toContain('"keyEntry":false');
  });
});

describe("PUT {basePath}/key hands the admin's key to the host, and nowhere else", () => {
  it("saves the key for the resolved school and answers without it", async () => {
    const saved: { tenantId: string; actor: string; apiKey: string }[] = [];
    const { call } = host({ keys: { save: (input) => void saved.push(input) } });
    const response = await call("PUT", "/key", { apiKey: `  ${KEY} ` });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toBe(JSON.stringify({ saved: true }));
    expect(saved).toEqual([{ tenantId: "a", actor: "ann", apiKey: KEY }]);
  });

  it("refuses a cross-site save, a tenant in the body and a short key, echoing none of them", async () => {
    const saved: string[] = [];
    const { call } = host({ keys: { save: ({ apiKey }) => void saved.push(apiKey) } });
    const cross = await call("PUT", "/key", { apiKey: KEY }, { origin: "https://evil.test" });
    expect(cross.status).toBe(403);
    const tenant = await call("PUT", "/key", { apiKey: KEY, tenantId: "b" });
    expect(tenant.status).toBe(400);
    expect(await tenant.text()).not.toContain(KEY);
    const short = await call("PUT", "/key", { apiKey: "secret7" });
    expect(short.status).toBe(400);
    expect(await short.text()).not.toContain("secret7");
    expect(saved).toEqual([]);
  });

  it("is a 404 when the host takes keys its own way", async () => {
    expect((await host().call("PUT", "/key", { apiKey: KEY })).status).toBe(404);
  });

  it("a host store that throws is a bare 500: the key is neither answered nor in the problem", async () => {
    const { call, errors } = host({
      keys: {
        save: () => {
          throw new Error("vault down");
        },
      },
    });
    const response = await call("PUT", "/key", { apiKey: KEY });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain(KEY);
    expect(text).not.toContain("vault down");
    expect(errors).toHaveLength(1);
  });
});

describe("GET /review tells the page where to open (R5)", () => {
  it("answers the review's openOn and takes needsReview as a filter", async () => {
    const { call } = host();
    const setup = await call("PUT", "/setup", {
      role: "student",
      schools: ["MAIN"],
      gradeLevels: generateSchool({ seed: 3, people: 100 }).gradeLevels.map((g) => g.code),
      fieldMap: [],
      defaultSelection: true,
      hoursSync: { enabled: false, historicImportDone: false },
    });
    expect(setup.status).toBe(200);
    expect((await call("POST", "/refresh")).status).toBe(200);
    const review = (await (await call("GET", "/review?needsReview=true")).json()) as Record<string, unknown>;
    expect(review).toHaveProperty("openOn");
    expect(typeof review.matching).toBe("number");
  });
});
