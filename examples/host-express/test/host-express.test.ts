import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createSqliteStore } from "@rostersync/storage-sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { call } from "../src/tour.ts";

// The server runs as its own process (the built packages, as `pnpm start` runs it) and is driven over HTTP.
const dataDir = mkdtempSync(join(tmpdir(), "host-express-test-"));
const servers: ChildProcess[] = [];
afterAll(() => {
  for (const s of servers) if (s.exitCode === null) s.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

async function startServer(): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ["src/main.ts", "--port", "0", "--data", dataDir], {
    cwd: join(import.meta.dirname, ".."),
    stdio: ["ignore", "pipe", "pipe"],
  });
  servers.push(child);
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    child.stdout?.on("data", () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return { url, child, output: () => output };
}

async function stopServer(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  return exited;
}

function accountsIn(school: string): { source_id: string | null; managed: number; archived: number }[] {
  const db = new DatabaseSync(join(dataDir, `accounts-${school}.db`), { readOnly: true });
  try {
    return db.prepare("SELECT source_id, managed, archived FROM accounts").all() as {
      source_id: string | null;
      managed: number;
      archived: number;
    }[];
  } finally {
    db.close();
  }
}

describe("examples/host-express over real HTTP", () => {
  const school = "lincoln-high";
  let runId = "";
  let created = 0;
  let unselected = "";

  it("drives review → decisions → plan → apply → run, with 400, 404 and 409 where they belong", async () => {
    const { url, child, output } = await startServer();
    expect(output()).toMatch(/lincoln-high: FACTS \(simulator\) at http:\/\/127\.0\.0\.1:\d+/);
    const northBefore = accountsIn("north-middle"); // last year's accounts, seeded when the server opened
    expect(northBefore.length).toBeGreaterThan(100);

    const review = await call(url, "GET", `/schools/${school}/review?limit=5`);
    expect(review.status).toBe(200);
    expect(review.body.rows).toHaveLength(5);
    expect(review.body.page.matched).toBe(review.body.totals.people);
    expect(review.body.totals.toExclude).toBeGreaterThan(0);
    const groups: { email: string; members: string[]; chosen: string | null }[] = review.body.duplicateGroups;
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.every((g) => g.chosen === null)).toBe(true);

    expect((await call(url, "GET", "/schools/nowhere/review")).status).toBe(404);
    const badQuery = await call(url, "GET", `/schools/${school}/review?limit=0&status=lost`);
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.problems.map((p: { path: string }) => p.path).sort()).toEqual(["limit", "status"]);

    // Every shape problem at once, each pointing into the body.
    const bad = await call(url, "POST", `/schools/${school}/decisions`, {
      ops: [{ op: "unselect", sourceIds: [] }, { op: "resolveDuplicate", email: "x@example.org" }, { op: "fly" }],
      extra: 1,
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.problems.map((p: { path: string }) => p.path).sort();
    expect(paths).toEqual(["", "ops.0.sourceIds", "ops.1.sourceId", "ops.2.op"]);
    // Then every meaning problem at once, against the review; nothing is saved.
    const unknown = await call(url, "POST", `/schools/${school}/decisions`, {
      ops: [
        { op: "unselect", sourceIds: ["no-such-person"] },
        { op: "resolveDuplicate", email: groups[0]?.email, sourceId: "no-such-person" },
        { op: "manualMerge", sourceId: "no-such-person", accountId: "no-account" },
      ],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.problems).toHaveLength(4);
    const notJson = await fetch(`${url}/schools/${school}/decisions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{ops:",
    });
    expect(notJson.status).toBe(400);

    const importable = await call(url, "GET", `/schools/${school}/review?status=importable&limit=1000`);
    const rows = importable.body.rows as { sourceId: string; email: string }[];
    unselected = rows[0]?.sourceId ?? "";
    const decided = await call(url, "POST", `/schools/${school}/decisions`, {
      ops: [
        ...groups.map((g) => ({ op: "resolveDuplicate", email: g.email, sourceId: [...g.members].sort()[0] })),
        { op: "unselect", sourceIds: [unselected] },
      ],
    });
    expect(decided.status).toBe(200);
    expect(decided.body.totals.toSkip).toBe(1);
    expect(decided.body.totals.toSync).toBe(review.body.totals.toSync + groups.length - 1);

    const plan1 = await call(url, "POST", `/schools/${school}/plan`);
    expect(plan1.status).toBe(200);
    expect(plan1.body.counts.add).toBe(decided.body.totals.toSync);
    expect(plan1.body.needsAcknowledgement).toBe(false);

    // A decision after the plan makes it stale: 409, nothing written.
    const second = rows[1]?.sourceId ?? "";
    expect(
      (await call(url, "POST", `/schools/${school}/decisions`, { ops: [{ op: "unselect", sourceIds: [second] }] }))
        .status,
    ).toBe(200);
    const stale = await call(url, "POST", `/schools/${school}/apply`, { planHash: plan1.body.planHash });
    expect(stale.status).toBe(409);
    expect(stale.body.error.type).toBe("StalePlan");
    expect(accountsIn(school)).toHaveLength(0);
    expect((await call(url, "POST", `/schools/${school}/apply`, { planHash: "nope" })).status).toBe(404);
    const missing = await call(url, "POST", `/schools/${school}/apply`, {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.problems[0].path).toBe("planHash");

    // Another worker holds the school's lock in the same store: 409 Locked, nothing written.
    const plan2 = await call(url, "POST", `/schools/${school}/plan`);
    expect(plan2.body.planHash).not.toBe(plan1.body.planHash);
    const other = (await createSqliteStore({ path: join(dataDir, "rostersync.db") }))._unsafeUnwrap();
    const lease = (await other.acquireLock(school, "nightly-worker", 60_000, Date.now()))._unsafeUnwrap();
    const locked = await call(url, "POST", `/schools/${school}/apply`, { planHash: plan2.body.planHash });
    expect(locked.status).toBe(409);
    expect(locked.body.error.type).toBe("Locked");
    expect(accountsIn(school)).toHaveLength(0);
    (await other.releaseLock(lease))._unsafeUnwrap();
    await other.close();

    const applied = await call(url, "POST", `/schools/${school}/apply`, {
      planHash: plan2.body.planHash,
      actor: "admin@lincoln",
    });
    expect(applied.status).toBe(200);
    expect(applied.body.status).toBe("completed");
    expect(applied.body.failed).toBe(0);
    expect(applied.body.created).toBe(plan2.body.counts.add);
    runId = applied.body.runId;
    created = applied.body.created;

    // The accounts really are in the school's directory, once each, and not the unselected people.
    const accounts = accountsIn(school);
    expect(accounts).toHaveLength(created);
    const linked = accounts.map((a) => a.source_id);
    expect(new Set(linked).size).toBe(linked.length);
    expect(linked).not.toContain(unselected);
    expect(linked).not.toContain(second);
    expect(accountsIn("north-middle")).toEqual(northBefore); // another school: untouched

    const run = await call(url, "GET", `/runs/${runId}`);
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ schoolId: school, status: "completed", actor: "admin@lincoln" });
    expect(run.body.journal.intents).toBe(applied.body.total);
    expect(run.body.journal.outcomes).toBe(applied.body.total);
    expect(run.body.plan).toBeUndefined();
    expect((await call(url, "GET", "/runs/no-such-run")).status).toBe(404);

    // The same plan cannot be applied twice.
    expect((await call(url, "POST", `/schools/${school}/apply`, { planHash: plan2.body.planHash })).status).toBe(404);
    expect(await stopServer(child)).toBe(0);
  });

  it("a held plan (a year on: graduates archived, everyone moved up a grade) needs its hash acknowledged", async () => {
    const { url, child } = await startServer();
    const next = "north-middle";
    const before = accountsIn(next);
    const plan = await call(url, "POST", `/schools/${next}/plan`);
    expect(plan.status).toBe(200);
    expect(plan.body.needsAcknowledgement).toBe(true);
    expect(plan.body.holds.map((h: { type: string }) => h.type)).toContain("update-threshold");
    expect(plan.body.counts.archive).toBeGreaterThan(0); // the graduates

    const refused = await call(url, "POST", `/schools/${next}/apply`, { planHash: plan.body.planHash });
    expect(refused.status).toBe(409);
    expect(refused.body.error.type).toBe("Held");
    expect(refused.body.error.holds).toEqual(plan.body.holds);
    const wrong = await call(url, "POST", `/schools/${next}/apply`, { planHash: plan.body.planHash, acknowledge: "x" });
    expect(wrong.status).toBe(400);
    expect(accountsIn(next)).toEqual(before); // nothing written

    const applied = await call(url, "POST", `/schools/${next}/apply`, {
      planHash: plan.body.planHash,
      acknowledge: plan.body.planHash,
    });
    expect(applied.status).toBe(200);
    expect(applied.body.status).toBe("completed");
    const after = accountsIn(next);
    expect(after.filter((a) => a.archived === 1)).toHaveLength(plan.body.counts.archive);
    expect(after.length).toBe(before.length + plan.body.counts.add);
    expect(await stopServer(child)).toBe(0);
  });

  it("after a restart the store remembers everything: the plan has nothing left to write", async () => {
    expect(runId).not.toBe("");
    const { url, child } = await startServer();
    const run = await call(url, "GET", `/runs/${runId}`);
    expect(run.body.status).toBe("completed");
    const plan = await call(url, "POST", `/schools/${school}/plan`);
    expect(plan.body.counts).toMatchObject({ add: 0, link: 0, update: 0, restore: 0, archive: 0, createField: 0 });
    const review = await call(url, "GET", `/schools/${school}/review?status=skipped`);
    expect(review.body.rows.map((r: { sourceId: string }) => r.sourceId)).toContain(unselected);
    expect(accountsIn(school)).toHaveLength(created);
    expect(await stopServer(child)).toBe(0);
  });

  it("pnpm run tour walks the same flow on its own folder and exits 0", async () => {
    const child = spawn(process.execPath, ["src/main.ts", "--tour"], {
      cwd: join(import.meta.dirname, ".."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    if (code !== 0) console.error(output);
    expect(code).toBe(0);
    expect(output).toMatch(/apply \(a decision came after the plan\)\s+→ 409 StalePlan/);
    expect(output).toMatch(/apply \(another worker holds the lock\)\s+→ 409 Locked/);
    expect(output).toMatch(/→ 200 completed: (\d+)\/\1 done/);
    expect(output).toMatch(/\(after the apply\)\s+→ 200 add 0, update 0, archive 0/);
    expect(output).toMatch(/apply \(held, not acknowledged\)\s+→ 409 Held/);
    expect(output).toMatch(/apply \(acknowledge: the planHash\)\s+→ 200 completed/);
  });
});
