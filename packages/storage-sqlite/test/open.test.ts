import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { EMPTY_DECISIONS } from "@rostersync/core";
import { createSqliteStore, LATEST_VERSION, MIGRATIONS } from "@rostersync/storage-sqlite";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "rs-sqlite-open-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `db-${++n}.sqlite`);

const openError = async (path: string) => {
  const opened = await createSqliteStore({ path });
  if (opened.isOk()) {
    await opened.value.close();
    throw new Error(`expected ${path} to be refused`);
  }
  return opened.error;
};

describe("opening a SQLite store", () => {
  it("creates the schema in WAL mode and records every migration", async () => {
    const path = fresh();
    const store = (await createSqliteStore({ path }))._unsafeUnwrap();
    expect(store.schemaVersion).toBe(LATEST_VERSION);
    const db = store.getInstance();
    expect(db.prepare("PRAGMA journal_mode").get()).toEqual(expect.objectContaining({ journal_mode: "wal" }));
    const versions = db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all();
    expect(versions.map((row) => ({ ...row }))).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    await store.close();
    await store.close();
  });

  it("reopens an existing database without migrating it again, keeping its data", async () => {
    const path = fresh();
    const first = (await createSqliteStore({ path }))._unsafeUnwrap();
    await first.saveDecisions("school-1", EMPTY_DECISIONS, null);
    await first.close();
    const second = (await createSqliteStore({ path }))._unsafeUnwrap();
    expect((await second.getDecisions("school-1"))._unsafeUnwrap()?.version).toBe(1);
    const count = second.getInstance().prepare("SELECT count(*) AS n FROM schema_migrations").get();
    expect(count?.n).toBe(MIGRATIONS.length);
    await second.close();
  });

  it("refuses a file that is not a SQLite database as Corrupt", async () => {
    const path = fresh();
    writeFileSync(path, "%PDF-1.7 this is a report, not a database ".repeat(200));
    const error = await openError(path);
    expect(error.type).toBe("Corrupt");
    expect(error.message).toContain(path);
  });

  it("refuses another application's SQLite database as Foreign, and leaves it untouched", async () => {
    const path = fresh();
    const other = new DatabaseSync(path);
    other.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)");
    other.close();
    const error = await openError(path);
    expect(error.type).toBe("Foreign");
    expect(error.message).toContain("invoices");
    const check = new DatabaseSync(path);
    expect(
      check
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
        .all()
        .map((r) => r.name),
    ).toEqual(["invoices"]);
    check.close();
  });

  it("refuses a database stamped with another application id as Foreign", async () => {
    const path = fresh();
    const other = new DatabaseSync(path);
    other.exec("PRAGMA application_id = 1234");
    other.close();
    expect((await openError(path)).type).toBe("Foreign");
  });

  it("refuses a database migrated by a newer release as VersionTooNew, and changes nothing", async () => {
    const path = fresh();
    await (await createSqliteStore({ path }))._unsafeUnwrap().close();
    const db = new DatabaseSync(path);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
      LATEST_VERSION + 1,
      "from the future",
      "2030-01-01T00:00:00.000Z",
    );
    db.close();
    const error = await openError(path);
    expect(error.type).toBe("VersionTooNew");
    expect(error.message).toContain(String(LATEST_VERSION + 1));
    expect(error.fatal).toBe(true);
  });

  it("says Unavailable when the path cannot be opened", async () => {
    const error = await openError(join(dir, "no-such-folder", "db.sqlite"));
    expect(error.type).toBe("Unavailable");
  });

  it("says Unavailable instead of throwing after close", async () => {
    const store = (await createSqliteStore({ path: ":memory:" }))._unsafeUnwrap();
    await store.close();
    const read = await store.getDecisions("school-1");
    expect(read.isErr() && read.error.type).toBe("Unavailable");
  });

  it("reports a damaged record as Corrupt rather than throwing", async () => {
    const store = (await createSqliteStore({ path: ":memory:" }))._unsafeUnwrap();
    await store.saveDecisions("school-1", EMPTY_DECISIONS, null);
    store.getInstance().exec("UPDATE documents SET body = '{not json'");
    const read = await store.getDecisions("school-1");
    expect(read.isErr() && read.error.type).toBe("Corrupt");
    await store.close();
  });

  it("lets two processes' worth of handles migrate the same new file at once", async () => {
    const path = fresh();
    const opened = await Promise.all([createSqliteStore({ path }), createSqliteStore({ path })]);
    for (const o of opened) expect(o._unsafeUnwrap().schemaVersion).toBe(LATEST_VERSION);
    await Promise.all(opened.map((o) => o._unsafeUnwrap().close()));
  });
});

describe("durability", () => {
  it("uses synchronous=NORMAL by default and FULL on request", async () => {
    const normal = (await createSqliteStore({ path: fresh() }))._unsafeUnwrap();
    const full = (await createSqliteStore({ path: fresh(), durability: "full" }))._unsafeUnwrap();
    expect(normal.getInstance().prepare("PRAGMA synchronous").get()?.synchronous).toBe(1);
    expect(full.getInstance().prepare("PRAGMA synchronous").get()?.synchronous).toBe(2);
    await Promise.all([normal.close(), full.close()]);
  });
});
