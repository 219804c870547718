import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createSqliteStore, LATEST_VERSION, MIGRATIONS } from "@rostersync/storage-sqlite";
import { journalLines, sampleRun } from "@rostersync/testing/store";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "rs-sqlite-upgrade-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const t = "school-1";

/**
 * Writes a database the way release 0.1 (schema version 1) left it: a run whose last journal seq is kept in
 * `runs.last_seq`, and its journal rows.
 */
function writeVersion1(path: string): void {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  const [v1] = MIGRATIONS;
  if (v1?.version !== 1) throw new Error("the first migration must be version 1");
  db.exec(v1.sql);
  db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, ?, ?)").run(
    v1.name,
    "2026-09-01T07:00:00.000Z",
  );
  db.exec("PRAGMA application_id = 0x52535943");
  const { plan, ...record } = sampleRun("run-1");
  db.prepare("INSERT INTO runs (tenant_id, run_id, started_at, record, plan, last_seq) VALUES (?, ?, ?, ?, ?, 3)").run(
    t,
    "run-1",
    record.startedAt,
    JSON.stringify(record),
    JSON.stringify(plan),
  );
  const insert = db.prepare("INSERT INTO journal (tenant_id, run_id, seq, entry) VALUES (?, ?, ?, ?)");
  for (const entry of journalLines(1, 3)) insert.run(t, "run-1", entry.seq, JSON.stringify(entry));
  db.close();
}

describe("a database written by schema version 1", () => {
  it("opens, migrates to the latest version, and continues a run's journal where it stopped", async () => {
    const path = join(dir, "v1.sqlite");
    writeVersion1(path);
    const store = (await createSqliteStore({ path }))._unsafeUnwrap();
    expect(store.schemaVersion).toBe(LATEST_VERSION);
    expect((await store.readJournal(t, "run-1"))._unsafeUnwrap()).toEqual(journalLines(1, 3));
    const refused = await store.appendJournal(t, "run-1", journalLines(3, 4));
    expect(refused.isErr() && refused.error.type).toBe("Conflict");
    expect((await store.appendJournal(t, "run-1", journalLines(4, 6))).isOk()).toBe(true);
    expect((await store.appendJournal(t, "run-1", journalLines(7, 7))).isOk()).toBe(true);
    expect((await store.readJournal(t, "run-1"))._unsafeUnwrap()).toEqual(journalLines(1, 7));
    expect((await store.getRun(t, "run-1"))._unsafeUnwrap()).toEqual(sampleRun("run-1"));
    await store.close();

    const again = (await createSqliteStore({ path }))._unsafeUnwrap();
    const refusedAgain = await again.appendJournal(t, "run-1", journalLines(7, 8));
    expect(refusedAgain.isErr() && refusedAgain.error.message).toContain("does not follow 7");
    expect((await again.appendJournal(t, "run-1", journalLines(8, 8))).isOk()).toBe(true);
    expect((await again.readJournal(t, "run-1"))._unsafeUnwrap()).toEqual(journalLines(1, 8));
    await again.close();
  });
});

describe("appending to a run's journal", () => {
  it("never writes the run row (where the plan is stored), only journal rows", async () => {
    const store = (await createSqliteStore({ path: join(dir, "no-run-writes.sqlite") }))._unsafeUnwrap();
    (await store.createRun(t, sampleRun("run-1")))._unsafeUnwrap();
    const db = store.getInstance();
    db.exec(
      "CREATE TEMP TRIGGER no_run_writes BEFORE UPDATE ON main.runs BEGIN SELECT RAISE(ABORT, 'run row written'); END",
    );
    for (let seq = 1; seq <= 20; seq += 2) {
      (await store.appendJournal(t, "run-1", journalLines(seq, seq + 1)))._unsafeUnwrap();
    }
    expect((await store.readJournal(t, "run-1"))._unsafeUnwrap()).toEqual(journalLines(1, 20));
    db.exec("DROP TRIGGER temp.no_run_writes");
    await store.close();
  });

  it("finds the last seq through the journal's key and the run through its index, without reading the run row", async () => {
    const store = (await createSqliteStore({ path: ":memory:" }))._unsafeUnwrap();
    const plan = (text: string) =>
      (store.getInstance().prepare(`EXPLAIN QUERY PLAN ${text}`).all() as { detail: string }[])
        .map((row) => row.detail)
        .join("; ");
    expect(plan("SELECT 1 AS found FROM runs WHERE tenant_id = 'a' AND run_id = 'b'")).toMatch(/COVERING INDEX/);
    expect(plan("SELECT max(seq) AS last_seq FROM journal WHERE tenant_id = 'a' AND run_id = 'b'")).toMatch(
      /SEARCH journal USING PRIMARY KEY \(tenant_id=\? AND run_id=\?\)/,
    );
    await store.close();
  });
});
