import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expressApp } from "../src/express.ts";
import { API, type Host, startHost } from "../src/host.ts";

const hosts: Host[] = [];
const scratch = mkdtempSync(join(tmpdir(), "host-typescript-"));
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  rmSync(scratch, { recursive: true, force: true });
});

/** What a browser on the host's own page sends: its session, its origin, and the CSRF header. */
function admin(url: string, token = "token-ann") {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${API}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(method === "GET" ? {} : { origin: url, "x-rostersync": "1", "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const type = response.headers.get("content-type") ?? "";
    const data: unknown = type.includes("json") ? await response.json() : await response.text();
    return { status: response.status, type, data: data as Record<string, unknown> & string };
  };
}

describe("examples/host-typescript on node:http against the FACTS simulator", () => {
  it("an admin does the first sync over HTTP: key, catalogue, setup, refresh with progress, review, decide, plan, apply, invites", async () => {
    const host = await startHost();
    hosts.push(host);
    const call = admin(host.url);

    expect((await call("GET", "/catalogue", undefined, { authorization: "" })).status).toBe(401);
    const access = await call("GET", "/access");
    expect(access.data).toMatchObject({ ok: true });
    const catalogue = await call("GET", "/catalogue");
    const schools = (catalogue.data.schools as { schoolCode: string }[]).map((s) => s.schoolCode);
    const grades = (catalogue.data.gradeLevels as { code: string }[]).map((g) => g.code);
    expect(schools).toEqual(["MAIN"]);

    const profile = {
      role: "student",
      schools: ["HS"],
      gradeLevels: grades,
      fieldMap: [{ source: "udf:tshirt", target: "T-Shirt Size", createAs: "dropdown" }],
      defaultSelection: true,
      hoursSync: { enabled: false, historicImportDone: false },
    };
    const refused = await call("PUT", "/setup", profile);
    expect(refused.status).toBe(422);
    expect(refused.type).toBe("application/problem+json");
    expect(String(refused.data.detail)).toContain('School "HS" is not in the SIS, which has MAIN');
    expect((await call("PUT", "/setup", { ...profile, schools })).status).toBe(200);

    const refresh = await call("POST", "/refresh", undefined, { accept: "text/event-stream" });
    expect(refresh.data).toContain("event: progress");
    expect(refresh.data).toContain("event: result");

    const review = await call("GET", "/review?pageSize=20");
    expect((review.data.rows as unknown[]).length).toBe(20);
    const groups = review.data.duplicateGroups as { email: string; members: string[] }[];
    const ops = groups.map((g) => ({ op: "resolveDuplicate", email: g.email, sourceId: g.members[0] }));
    if (ops.length > 0) {
      const decided = await call("POST", "/decisions", { ops }, { "if-match": String(review.data.decisionsTag) });
      expect(decided.status).toBe(200);
    }

    const plan = await call("GET", "/plan");
    expect(plan.data.holds).toEqual([]);
    const counts = plan.data.counts as { add: number; createField: number };
    expect(counts.add).toBeGreaterThan(0);
    const applied = await call("POST", "/apply", { planHash: plan.data.planHash }, { accept: "text/event-stream" });
    expect(applied.data).toMatch(/event: result\ndata: \{"runId":/);
    expect(host.directory.rows().filter((a) => !a.archived)).toHaveLength(counts.add);

    const invites = await call("GET", "/invites.csv");
    expect(invites.data.trim().split("\r\n")).toHaveLength(counts.add + 1);

    // A cross-site form (no custom header) cannot change anything.
    const form = await fetch(`${host.url}${API}/apply`, {
      method: "POST",
      headers: { authorization: "Bearer token-ann", "content-type": "text/plain", origin: "https://evil.test" },
      body: JSON.stringify({ planHash: plan.data.planHash }),
    });
    expect(form.status).toBe(403);
  });
});

describe("the same handler under Express", () => {
  it("serves the admin API beside the host's own routes, with the same authentication and CSRF rules", async () => {
    const host = await startHost();
    hosts.push(host);
    const server = expressApp(host.handler).listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const call = admin(url);
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await call("GET", "/catalogue", undefined, { authorization: "Bearer nobody" })).status).toBe(401);
      const catalogue = await call("GET", "/catalogue");
      expect(catalogue.status).toBe(200);
      const noHeader = await call("PUT", "/setup", {}, { "x-rostersync": "" });
      expect(noHeader.status).not.toBe(403); // an empty header is still the header: validation answers
      const crossOrigin = await call("PUT", "/setup", {}, { origin: "https://evil.test" });
      expect(crossOrigin.status).toBe(403);
      expect(crossOrigin.data).toMatchObject({ code: "CsrfRefused" });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("the root README's usage snippet", () => {
  const root = join(import.meta.dirname, "..", "..", "..");
  const usage = readFileSync(join(import.meta.dirname, "..", "src", "usage.ts"), "utf8");

  it("is this example's src/usage.ts, word for word, with every Result checked", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const block = /## Usage\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(usage);
    expect(usage).not.toContain("_unsafeUnwrap");
    expect(usage).not.toMatch(/acknowledge: plan\.\w+\.holds\.length/);
  });

  it("runs against the FACTS simulator and syncs somebody", async () => {
    const host = await startHost();
    hosts.push(host);
    const child = spawn(process.execPath, ["src/usage.ts"], {
      cwd: join(import.meta.dirname, ".."),
      env: {
        ...process.env,
        FACTS_BASE_URL: host.factsUrl,
        FACTS_SUBSCRIPTION_KEY: "host-typescript-subscription-0001",
        FACTS_API_KEY: "host-typescript-school-key-0001",
        ROSTERSYNC_DB: join(scratch, "usage.db"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(output).toContain("People: Write: true");
    expect(code, output).toBe(0);
    expect(output).toMatch(/[1-9]\d* to invite/);
  });
});
