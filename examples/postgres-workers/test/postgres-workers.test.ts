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

// The example runs as `pnpm start` runs it (the built packages: @rostersync/fleet's workers) against a
// PostgreSQL 15 this test starts, so that the test can read the store afterwards and check it for itself.
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
      { cwd: join(import.meta.dirname, ".."), encoding: "utf8", timeout: 240_000 },
    );
  }, 270_000);

  afterAll(async () => {
    if (url !== "") {
      const store = (await createPostgresStore({ connectionString: url, schema: SCHEMA }))._unsafeUnwrap();
      for (const s of [SCHEMA, `${SCHEMA}_fleet`, `${SCHEMA}_fleet_boss`]) {
        await store.getInstance().query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      }
      await store.close();
    }
    server?.stop();
    rmSync(data, { recursive: true, force: true });
  });

  it("exits 0 and says every school was applied exactly once", () => {
    if (run.status !== 0) console.error(run.stdout, run.stderr);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/worker-0 ended by SIGKILL; run \S+ is still "running"/);
    expect(run.stdout).toMatch(/A stale worker applies the plan of school-02 .*\n\s+refused: StalePlan/);
    expect(run.stdout).toMatch(
      /✓ every school was applied exactly once \(school-01's crashed run resumed, not redone\)/,
    );
  });

  it("PostgreSQL holds one completed run per school tonight, one apply audit record per run, the stale worker's refusal apart, and no lease", async () => {
    const summary = JSON.parse(readFileSync(json, "utf8"));
    expect(summary.staleSchool).toBe("school-02");
    expect(summary.staleRefused).toBe(true);
    const store = (await createPostgresStore({ connectionString: url, schema: SCHEMA }))._unsafeUnwrap();
    try {
      for (const spec of districtSchools(SCHOOLS, PEOPLE)) {
        const runs = (await store.listRuns(spec.tenantId))._unsafeUnwrap();
        // The admin's attended first sync, and tonight's one run (the fleet's).
        const byAdmin = runs.filter((r) => r.actor === "admin");
        const tonight = runs.filter((r) => r.actor !== "admin");
        expect(
          byAdmin.map((r) => r.status),
          spec.tenantId,
        ).toEqual(["completed"]);
        expect(
          tonight.map((r) => r.status),
          spec.tenantId,
        ).toEqual(["completed"]);
        const [only] = tonight;
        if (only === undefined) continue;
        if (spec.tenantId === "school-01") expect(only.runId).toBe(summary.crashedRun); // resumed, not a new run
        const journal = (await store.readJournal(spec.tenantId, only.runId))._unsafeUnwrap();
        const outcomes = journal.filter((j) => j.phase === "outcome").map((j) => j.actionId);
        expect(new Set(outcomes).size).toBe(outcomes.length);
        expect(outcomes.length).toBe(only.totalActions);
        expect(journal.filter((j) => j.outcome === "failed")).toEqual([]);
        // Exactly one apply audit record per run, counted: the crashed run's resume adds none of its own.
        const audit = (await store.listAudit(spec.tenantId, { kind: "apply" }))._unsafeUnwrap();
        expect(audit.map((a) => `${a.runId} ${a.status}`).sort()).toEqual(
          runs.map((r) => `${r.runId} completed`).sort(),
        );
        // The stale worker's refused apply is its own record, not an apply, and only at its school.
        const refused = (await store.listAudit(spec.tenantId, { kind: "apply-refused" }))._unsafeUnwrap();
        if (spec.tenantId === "school-02") {
          expect(refused).toHaveLength(1);
          expect(refused[0]).toMatchObject({ status: "refused", actor: "stale-worker" });
        } else {
          expect(refused).toEqual([]);
        }
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

      // The workers' own reports agree: one apply per school (the crashed one: one crash + one resume), and
      // the accounts created tonight plus the admin's first sync are the accounts present.
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
      expect(created).toBe(accounts.length - s.firstAccounts);
      expect(s.firstAccounts).toBeGreaterThan(0);
    }
  });
});
