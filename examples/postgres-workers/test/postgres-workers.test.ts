import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { isValidEmail, normaliseEmail } from "@rostersync/core";
import { createPostgresStore } from "@rostersync/storage-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalPostgres, startLocalPostgres, whyNoPostgres } from "../src/pg.ts";
import { districtSchools, factsSchoolOf } from "../src/schools.ts";

// The example runs as `pnpm start` runs it (the built packages) against a PostgreSQL 15 this test starts,
// so that the test can read the store afterwards and check it for itself.
const missing = process.env.RS_PG_URL ? null : whyNoPostgres();
if (missing) {
  const bar = "!".repeat(78);
  process.stderr.write(`\n${bar}\n!! examples/postgres-workers: SKIPPED, no PostgreSQL: ${missing}\n${bar}\n\n`);
  if (process.env.CI) throw new Error(`examples/postgres-workers needs PostgreSQL in CI: ${missing}`);
}

const SCHOOLS = 5;
const PEOPLE = 200;
const SCHEMA = `rostersync_workers_test_${process.pid}`;

describe.skipIf(missing !== null)("examples/postgres-workers", () => {
  let server: LocalPostgres | null = null;
  let url = "";
  const data = mkdtempSync(join(tmpdir(), "rs-workers-test-"));
  const json = join(data, "summary.json");
  let run: ReturnType<typeof spawnSync>;

  beforeAll(async () => {
    if (process.env.RS_PG_URL) url = process.env.RS_PG_URL;
    else {
      server = await startLocalPostgres();
      url = server.url;
    }
    run = spawnSync(
      process.execPath,
      ["src/main.ts", "--pg-url", url, "--schema", SCHEMA, "--data", data, "--json", json].concat([
        "--workers",
        "4",
        "--schools",
        String(SCHOOLS),
        "--people",
        String(PEOPLE),
      ]),
      { cwd: join(import.meta.dirname, ".."), encoding: "utf8", timeout: 150_000 },
    );
  }, 300_000);

  afterAll(async () => {
    if (url !== "") {
      const store = (await createPostgresStore({ connectionString: url, schema: SCHEMA }))._unsafeUnwrap();
      await store.getInstance().query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
      await store.close();
    }
    server?.stop();
    rmSync(data, { recursive: true, force: true });
  });

  it("exits 0 and says every school was applied exactly once", () => {
    if (run.status !== 0) console.error(run.stdout, run.stderr);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/worker-0 ended by SIGKILL; run \S+ is still "running"/);
    expect(run.stdout).toMatch(
      /✓ every school was applied exactly once \(school-01's crashed run resumed, not redone\)/,
    );
  });

  it("PostgreSQL holds one completed run per school, each action with one outcome, and no lease", async () => {
    const summary = JSON.parse(readFileSync(json, "utf8"));
    const store = (await createPostgresStore({ connectionString: url, schema: SCHEMA }))._unsafeUnwrap();
    try {
      for (const spec of districtSchools(SCHOOLS, PEOPLE)) {
        const runs = (await store.listRuns(spec.tenantId))._unsafeUnwrap();
        expect(
          runs.map((r) => r.status),
          spec.tenantId,
        ).toEqual(["completed"]);
        const [only] = runs;
        if (only === undefined) continue;
        if (spec.tenantId === "school-01") expect(only.runId).toBe(summary.crashedRun); // resumed, not a new run
        const journal = (await store.readJournal(spec.tenantId, only.runId))._unsafeUnwrap();
        const outcomes = journal.filter((j) => j.phase === "outcome").map((j) => j.actionId);
        expect(new Set(outcomes).size).toBe(outcomes.length);
        expect(outcomes.length).toBe(only.totalActions);
        expect(journal.filter((j) => j.outcome === "failed")).toEqual([]);
        // Exactly one apply audit record, of that one run: a resume that finds the run finished answers it as
        // recorded. (A worker whose plan went stale under another's apply leaves an `apply-refused` record.)
        const audit = (await store.listAudit(spec.tenantId, { kind: "apply" }))._unsafeUnwrap();
        expect(audit.length).toBe(1);
        expect(new Set(audit.map((a) => `${a.runId} ${a.status}`))).toEqual(new Set([`${only.runId} completed`]));
      }
      const { rows } = await store.getInstance().query(`SELECT count(*)::int AS n FROM "${SCHEMA}".locks`);
      expect(rows[0]?.n).toBe(0);
    } finally {
      await store.close();
    }
  });

  it("each school's directory has one account per enrolled student with a usable email, counted by hand", () => {
    const summary = JSON.parse(readFileSync(json, "utf8"));
    for (const spec of districtSchools(SCHOOLS, PEOPLE)) {
      // What FACTS holds, from the generator's own model (not through the source's mapping or the planner).
      // Shared emails were resolved to one person each, so: one account per distinct usable email.
      const emails = new Set(
        factsSchoolOf(spec)
          .expectedPeople.filter((p) => p.role === "student" && p.status === "enrolled")
          .map((p) => normaliseEmail(p.email))
          .filter((e) => isValidEmail(e)),
      );
      const db = new DatabaseSync(join(data, `accounts-${spec.tenantId}.db`), { readOnly: true });
      const accounts = db.prepare("SELECT source_id, managed, archived FROM accounts").all() as {
        source_id: string | null;
        managed: number;
        archived: number;
      }[];
      db.close();
      expect(accounts.length, spec.tenantId).toBe(emails.size);
      expect(new Set(accounts.map((a) => a.source_id)).size).toBe(accounts.length);
      expect(accounts.every((a) => a.managed === 1 && a.archived === 0 && a.source_id !== null)).toBe(true);

      // The workers' own reports agree: one apply per school (the crashed one: one crash + one resume).
      const s = summary.schools.find((x: { school: string }) => x.school === spec.tenantId);
      expect(s.once).toBe(true);
      expect(s.runsStarted).toBe(1);
      if (spec.tenantId === "school-01") {
        expect(s.crashCreated).toBe(40);
        expect(s.writers.length).toBeGreaterThanOrEqual(1); // the resume (more if a resume lost its lease)
        for (const w of s.writers) expect(w.runId).toBe(summary.crashedRun);
      } else {
        expect(s.crashCreated).toBe(0);
      }
      const created = s.crashCreated + s.writers.reduce((n: number, w: { created: number }) => n + w.created, 0);
      expect(created).toBe(accounts.length);
    }
  });
});
