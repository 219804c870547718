import {
  createMemoryDirectory,
  createMemoryRosterSource,
  createMemoryStore,
  type RosterSnapshot,
  type SyncProfile,
} from "@rostersync/core";
import { generatedProfile, generateSchool } from "@rostersync/core/testing";
import { createSync, type ProgressListener, type Sync } from "@rostersync/sync";
import { describe, expect, it } from "vitest";
import { createRosterHandler, type RosterHandlerOptions } from "../src/index.js";

const ORIGIN = "https://admin.school.test";
const BASE = "/api/rostersync";

/** A host with two schools, each with its own ports; the session cookie names the admin. */
function host(options: Partial<RosterHandlerOptions> = {}) {
  const school = generateSchool({ seed: 11, people: 120, accountsFor: "none" });
  let roster: RosterSnapshot = { people: school.people, schools: school.schools, gradeLevels: school.gradeLevels };
  const ports = {
    a: {
      source: createMemoryRosterSource({ snapshot: () => roster }),
      directory: createMemoryDirectory(),
      store: createMemoryStore(),
    },
    b: {
      source: createMemoryRosterSource({ snapshot: { people: [], schools: [], gradeLevels: [] } }),
      directory: createMemoryDirectory(),
      store: createMemoryStore(),
    },
  };
  const admins: Record<string, { school: "a" | "b"; user: string }> = {
    "session-ann": { school: "a", user: "ann" },
    "session-bob": { school: "a", user: "bob" },
    "session-zoe": { school: "b", user: "zoe" },
  };
  // One sync per school, kept between requests; progress goes to whichever request is listening now.
  const listeners = new Map<string, ProgressListener>();
  const syncs = new Map<string, Sync>();
  const syncOf = (id: "a" | "b") => {
    let sync = syncs.get(id);
    if (sync === undefined) {
      sync = createSync({ tenantId: id, ...ports[id], onProgress: (p) => listeners.get(id)?.(p) });
      syncs.set(id, sync);
    }
    return sync;
  };
  let resolves = 0;
  const handler = createRosterHandler({
    basePath: BASE,
    resolve: (request, { onProgress }) => {
      resolves++;
      const cookie = request.headers.get("cookie") ?? "";
      const admin = admins[cookie.replace(/^session=/, "")];
      if (admin === undefined) return null;
      listeners.set(admin.school, onProgress);
      return { sync: syncOf(admin.school), actor: admin.user };
    },
    ...options,
  });
  const call = (
    method: string,
    path: string,
    init: { body?: unknown; session?: string; headers?: Record<string, string> } = {},
  ) =>
    handler(
      new Request(`${ORIGIN}${BASE}${path}`, {
        method,
        headers: {
          cookie: `session=${init.session ?? "session-ann"}`,
          ...(method === "GET" ? {} : { "x-rostersync": "1", origin: ORIGIN, "content-type": "application/json" }),
          ...init.headers,
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      }),
    );
  return {
    school,
    ports,
    call,
    handler,
    resolves: () => resolves,
    setRoster: (next: RosterSnapshot) => {
      roster = next;
    },
  };
}

const profileOf = (h: ReturnType<typeof host>): SyncProfile => generatedProfile(h.school, "student");

async function body(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

describe("the host authenticates (resolve)", () => {
  it("answers 401 problem+json when resolve refuses, and runs no operation", async () => {
    const h = host();
    const response = await h.call("GET", "/catalogue", { session: "nobody" });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await body(response)).toMatchObject({ code: "Unauthenticated", status: 401 });
    expect(h.ports.a.source.catalogueReads()).toBe(0);
  });

  it("sends the host's own Response as it is (a redirect to sign in)", async () => {
    const h = host({ resolve: () => Response.redirect("https://admin.school.test/login", 302) });
    const response = await h.call("GET", "/catalogue");
    expect(response.status).toBe(302);
  });

  it("never takes the school from the URL or the body: a tenantId in either is ignored or refused", async () => {
    const h = host();
    const viaUrl = await h.call("GET", "/setup?tenantId=a", { session: "session-zoe" });
    expect(await body(viaUrl)).toEqual({ profile: null });
    await h.call("PUT", "/setup", { body: profileOf(h) });
    const stillB = await h.call("GET", "/setup?tenantId=a", { session: "session-zoe" });
    expect(await body(stillB)).toEqual({ profile: null });
    const viaBody = await h.call("PUT", "/setup", { session: "session-zoe", body: { ...profileOf(h), tenantId: "a" } });
    expect(viaBody.status).toBe(400);
    expect(await body(viaBody)).toMatchObject({ code: "InvalidRequest" });
  });

  it("answers a resolve that throws with a bare 500, the error going to onError only", async () => {
    const seen: unknown[] = [];
    const h = host({
      resolve: () => {
        throw new Error("db password is hunter2");
      },
      onError: (e) => seen.push(e),
    });
    const response = await h.call("GET", "/catalogue");
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("hunter2");
    expect(seen).toHaveLength(1);
  });
});

describe("CSRF: state-changing requests need the custom header and an allowed origin", () => {
  it("refuses a POST without the x-rostersync header (what a cross-site form sends), before resolve", async () => {
    const h = host();
    const form = await h.handler(
      new Request(`${ORIGIN}${BASE}/setup`, {
        method: "PUT",
        headers: { cookie: "session=session-ann", "content-type": "text/plain", origin: ORIGIN },
        body: JSON.stringify(profileOf(h)),
      }),
    );
    expect(form.status).toBe(403);
    expect(await body(form)).toMatchObject({ code: "CsrfRefused" });
    expect(h.resolves()).toBe(0);
  });

  it("refuses another origin and a cross-site fetch even with the header, and saves nothing", async () => {
    const h = host();
    const evil = await h.call("PUT", "/setup", { body: profileOf(h), headers: { origin: "https://evil.test" } });
    expect(evil.status).toBe(403);
    const crossSite = await h.call("PUT", "/setup", {
      body: profileOf(h),
      headers: { origin: "null", "sec-fetch-site": "cross-site" },
    });
    expect(crossSite.status).toBe(403);
    const noOrigin = await h.call("PUT", "/setup", {
      body: profileOf(h),
      headers: { origin: "", "sec-fetch-site": "cross-site" },
    });
    expect(noOrigin.status).toBe(403);
    expect((await h.ports.a.store.getProfile("a"))._unsafeUnwrap()).toBeNull();
  });

  it("accepts an origin the host allows", async () => {
    const h = host({ allowedOrigins: ["http://localhost:5173"] });
    const response = await h.call("PUT", "/setup", {
      body: profileOf(h),
      headers: { origin: "http://localhost:5173", "sec-fetch-site": "same-site" },
    });
    expect(response.status).toBe(200);
  });
});

describe("decisions: optimistic concurrency", () => {
  it("answers a second admin's stale save with 409 and keeps the first admin's change", async () => {
    const h = host();
    expect((await h.call("PUT", "/setup", { body: profileOf(h) })).status).toBe(200);
    expect((await h.call("POST", "/refresh")).status).toBe(200);
    const ann = await body(await h.call("GET", "/review?status=importable&pageSize=5"));
    const bob = await body(await h.call("GET", "/review?status=importable&pageSize=5", { session: "session-bob" }));
    expect(ann.decisionsTag).toBe(bob.decisionsTag);
    const rows = ann.rows as { sourceId: string }[];
    const [first, second] = [rows[0]?.sourceId ?? "", rows[1]?.sourceId ?? ""];

    const saved = await h.call("POST", "/decisions", {
      body: { ops: [{ op: "unselect", sourceIds: [first] }] },
      headers: { "if-match": String(ann.decisionsTag) },
    });
    expect(saved.status).toBe(200);
    const stale = await h.call("POST", "/decisions", {
      session: "session-bob",
      body: { ops: [{ op: "unselect", sourceIds: [second] }] },
      headers: { "if-match": String(bob.decisionsTag) },
    });
    expect(stale.status).toBe(409);
    expect(await body(stale)).toMatchObject({ code: "StaleDecisions", decisionsTag: (await body(saved)).decisionsTag });
    const decisions = (await h.ports.a.store.getDecisions("a"))._unsafeUnwrap()?.value;
    expect(decisions?.selections[first]).toBe(false);
    expect(decisions?.selections[second]).toBeUndefined();
  });

  it("requires If-Match (428) and validates every op (400 listing the problems)", async () => {
    const h = host();
    await h.call("PUT", "/setup", { body: profileOf(h) });
    const none = await h.call("POST", "/decisions", { body: { ops: [{ op: "select", sourceIds: ["1"] }] } });
    expect(none.status).toBe(428);
    const bad = await h.call("POST", "/decisions", {
      body: { ops: [{ op: "select", sourceIds: [] }, { op: "nuke" }] },
      headers: { "if-match": '"x"' },
    });
    expect(bad.status).toBe(400);
    expect(((await body(bad)).problems as unknown[]).length).toBe(2);
  });
});

describe("the whole workflow over HTTP", () => {
  it("catalogue, key, setup (refused, then saved), refresh, review, decide, plan, apply, invites, errors, hours, audit", async () => {
    const h = host();
    const catalogue = await body(await h.call("GET", "/catalogue"));
    expect((catalogue.schools as { schoolCode: string }[]).map((s) => s.schoolCode)).toEqual(["MAIN"]);
    expect(await body(await h.call("GET", "/access"))).toMatchObject({ ok: true, authenticated: true });

    const refused = await h.call("PUT", "/setup", { body: { ...profileOf(h), schools: ["HS"] } });
    expect(refused.status).toBe(422);
    expect(await body(refused)).toMatchObject({
      code: "InvalidInput",
      problems: [{ path: "profile.schools[0]" }],
    });
    expect((await h.call("PUT", "/setup", { body: profileOf(h) })).status).toBe(200);

    const stream = await h.call("POST", "/refresh", { headers: { accept: "text/event-stream" } });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const events = await stream.text();
    expect(events).toContain("event: progress");
    expect(events).toMatch(/event: result\ndata: \{"totals":/);

    const page2 = await body(await h.call("GET", "/review?page=2&pageSize=10&status=importable,excluded"));
    expect(page2).toMatchObject({ page: 2, pageSize: 10 });
    expect((page2.rows as unknown[]).length).toBeLessThanOrEqual(10);
    const totals = page2.totals as { importable: number; excluded: number };
    expect(page2.matching).toBe(totals.importable + totals.excluded);
    expect((await h.call("GET", "/review?status=bogus")).status).toBe(400);

    const selectAll = await h.call("POST", "/decisions", {
      body: { ops: [{ op: "selectAll", filter: { gradeLevel: "12" }, selected: false }] },
      headers: { "if-match": String(page2.decisionsTag) },
    });
    expect(selectAll.status).toBe(200);

    const plan = await body(await h.call("GET", "/plan"));
    expect(plan.holds).toEqual([]);
    expect(((plan.examples as Record<string, unknown[]>).add ?? []).length).toBeGreaterThan(0);
    const stale = await h.call("POST", "/apply", { body: { planHash: "not-the-plan" } });
    expect(stale.status).toBe(409);
    expect(await body(stale)).toMatchObject({ code: "StalePlan", currentHash: plan.planHash });
    // A client-made plan is no body the handler takes.
    expect((await h.call("POST", "/apply", { body: { planHash: plan.planHash, actions: [] } })).status).toBe(400);

    const applied = await body(await h.call("POST", "/apply", { body: { planHash: plan.planHash } }));
    expect(applied).toMatchObject({ status: "completed", failed: 0 });
    expect((await h.ports.a.directory.listAccounts())._unsafeUnwrap().length).toBe(
      (plan.counts as { add: number }).add,
    );

    const invites = await h.call("GET", "/invites.csv");
    expect(invites.headers.get("content-type")).toContain("text/csv");
    expect((await invites.text()).split("\r\n")[0]).toBe("email,firstName,lastName,sourceId,accountId,reason");
    await h.call("POST", "/refresh");
    const errors = await h.call("GET", "/errors.csv");
    expect((await errors.text()).startsWith("sourceId,name,grade,school,familyId,email,reason")).toBe(true);

    const hours = await h.call("POST", "/hours", { body: { enabled: true } });
    expect(hours.status).toBe(409);
    expect(await body(hours)).toMatchObject({ code: "HoursNotConfigured" });

    const audit = await body(await h.call("GET", "/audit"));
    expect((audit.records as { actor: string }[])[0]?.actor).toBe("ann");
  });

  it("holds a mass archive until the admin acknowledges that plan's hash, then applies it", async () => {
    const h = host();
    await h.call("PUT", "/setup", { body: profileOf(h) });
    await h.call("POST", "/refresh");
    const first = await body(await h.call("GET", "/plan"));
    await h.call("POST", "/apply", { body: { planHash: first.planHash } });
    h.setRoster({ people: h.school.people.slice(0, 20), schools: h.school.schools, gradeLevels: h.school.gradeLevels });
    await h.call("POST", "/refresh");
    const held = await body(await h.call("GET", "/plan"));
    expect((held.holds as unknown[]).length).toBeGreaterThan(0);
    expect(held.acknowledged).toBe(false);
    const refused = await h.call("POST", "/apply", { body: { planHash: held.planHash } });
    expect(refused.status).toBe(409);
    expect(await body(refused)).toMatchObject({ code: "Held", planHash: held.planHash });
    const ack = await h.call("POST", "/acknowledge", { body: { planHash: held.planHash } });
    expect(await body(ack)).toMatchObject({ acknowledged: true });
    const plan = await body(await h.call("GET", "/plan"));
    expect(plan.acknowledged).toBe(true);
    const applied = await body(await h.call("POST", "/apply", { body: { planHash: plan.planHash } }));
    expect(applied).toMatchObject({ status: "completed" });
    expect((applied.counts as { archive: number }).archive).toBeGreaterThan(0);
  });

  it("changes one part of the saved setup (hours off, a family override), and refuses both before any setup", async () => {
    const h = host();
    for (const [path, request] of [
      ["/hours", { enabled: false }],
      ["/family-overrides", { familyId: "F1", groupId: "G1" }],
    ] as const) {
      const early = await h.call("POST", path, { body: request });
      expect(early.status).toBe(409);
      expect(await body(early)).toMatchObject({ code: "NoProfile" });
    }
    expect((await h.ports.a.store.getProfile("a"))._unsafeUnwrap()).toBeNull();

    const profile = { ...profileOf(h), familyOverrides: { F9: "G9" } };
    expect((await h.call("PUT", "/setup", { body: profile })).status).toBe(200);
    const off = await h.call("POST", "/hours", { body: { enabled: false } });
    expect(await body(off)).toEqual({ hoursSync: { ...profile.hoursSync, enabled: false } });
    const set = await h.call("POST", "/family-overrides", { body: { familyId: "F1", groupId: "G1" } });
    expect(await body(set)).toEqual({ familyOverrides: { F9: "G9", F1: "G1" } });
    const removed = await h.call("POST", "/family-overrides", { body: { familyId: "F9", groupId: null } });
    expect(await body(removed)).toEqual({ familyOverrides: { F1: "G1" } });
    const saved = (await h.ports.a.store.getProfile("a"))._unsafeUnwrap()?.value;
    expect(saved).toMatchObject({ familyOverrides: { F1: "G1" }, hoursSync: { enabled: false } });
  });

  it("answers unknown routes and review-before-refresh with problems, never a stack", async () => {
    const h = host();
    expect((await h.call("GET", "/nope")).status).toBe(404);
    const early = await h.call("GET", "/review");
    expect(await body(early)).toMatchObject({ code: "NoReview", status: 409 });
  });
});
