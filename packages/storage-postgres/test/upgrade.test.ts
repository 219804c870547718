import { createPostgresStore, LATEST_VERSION, MIGRATIONS } from "@rostersync/storage-postgres";
import { journalLines, sampleRun } from "@rostersync/testing/store";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";

const url = inject("pgUrl");
const t = "school-1";

describe.skipIf(!url)("a schema written by version 1", () => {
  const pool = new pg.Pool({ connectionString: url ?? "", max: 10 });
  afterAll(() => pool.end());

  /** Writes a schema the way release 0.1 (version 1) left it: the run's last seq in `runs.last_seq`. */
  const writeVersion1 = async (schemaName: string) => {
    const s = `"${schemaName}"`;
    const [v1] = MIGRATIONS;
    if (v1?.version !== 1) throw new Error("the first migration must be version 1");
    await pool.query(`CREATE SCHEMA ${s}`);
    await pool.query(
      `CREATE TABLE ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    await pool.query(v1.sql(s));
    await pool.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES (1, $1)`, [v1.name]);
    const { plan, ...record } = sampleRun("run-1");
    await pool.query(
      `INSERT INTO ${s}.runs (tenant_id, run_id, started_at, record, plan, last_seq) VALUES ($1, 'run-1', $2, $3, $4, 3)`,
      [t, record.startedAt, JSON.stringify(record), JSON.stringify(plan)],
    );
    await pool.query(
      `INSERT INTO ${s}.runs (tenant_id, run_id, started_at, record, plan) VALUES ($1, 'run-2', $2, $3, $4)`,
      [t, record.startedAt, JSON.stringify({ ...record, runId: "run-2" }), JSON.stringify(plan)],
    );
    for (const entry of journalLines(1, 3)) {
      await pool.query(`INSERT INTO ${s}.journal (tenant_id, run_id, seq, entry) VALUES ($1, 'run-1', $2, $3)`, [
        t,
        entry.seq,
        JSON.stringify(entry),
      ]);
    }
  };

  it("migrates, keeps each run's last seq, and continues the journal in order", async () => {
    const schema = `upgrade_${process.pid}`;
    await writeVersion1(schema);
    const store = (await createPostgresStore({ pool, schema }))._unsafeUnwrap();
    expect(store.schemaVersion).toBe(LATEST_VERSION);
    const { rows } = await pool.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
    expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));

    expect((await store.readJournal(t, "run-1"))._unsafeUnwrap()).toEqual(journalLines(1, 3));
    const refused = await store.appendJournal(t, "run-1", journalLines(3, 4));
    expect(refused.isErr() && refused.error.type).toBe("Conflict");
    expect(refused.isErr() && refused.error.message).toContain("does not follow 3");
    expect((await store.appendJournal(t, "run-1", journalLines(4, 6))).isOk()).toBe(true);
    expect((await store.appendJournal(t, "run-1", journalLines(7, 7))).isOk()).toBe(true);
    expect((await store.readJournal(t, "run-1"))._unsafeUnwrap()).toEqual(journalLines(1, 7));
    expect((await store.getRun(t, "run-1"))._unsafeUnwrap()).toEqual(sampleRun("run-1"));

    // A run with no journal yet starts from nothing.
    expect((await store.appendJournal(t, "run-2", journalLines(1, 2))).isOk()).toBe(true);
    expect((await store.readJournal(t, "run-2"))._unsafeUnwrap()).toEqual(journalLines(1, 2));
    await store.close();
  });

  it("never writes the run row (where the plan is stored) when appending", async () => {
    const schema = `no_run_writes_${process.pid}`;
    const store = (await createPostgresStore({ pool, schema }))._unsafeUnwrap();
    (await store.createRun(t, sampleRun("run-1")))._unsafeUnwrap();
    await pool.query(
      `CREATE FUNCTION "${schema}".refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'run row written'; END $$;
       CREATE TRIGGER no_run_writes BEFORE UPDATE ON "${schema}".runs FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse();`,
    );
    for (let seq = 1; seq <= 20; seq += 2) {
      (await store.appendJournal(t, "run-1", journalLines(seq, seq + 1)))._unsafeUnwrap();
    }
    expect((await store.readJournal(t, "run-1"))._unsafeUnwrap()).toEqual(journalLines(1, 20));
    await store.close();
  });
});
