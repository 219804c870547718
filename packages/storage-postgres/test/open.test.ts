import { createServer } from "node:net";
import { createPostgresStore, LATEST_VERSION, MIGRATIONS, redact } from "@rostersync/storage-postgres";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";

const url = inject("pgUrl");

const refused = async (options: Parameters<typeof createPostgresStore>[0]) => {
  const opened = await createPostgresStore(options);
  if (opened.isOk()) {
    await opened.value.close();
    throw new Error("expected the store to be refused");
  }
  return opened.error;
};

/** A loopback port that nothing listens on. */
const deadPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 1));
    });
  });

describe("redact", () => {
  it("hides the password of connection URLs and keyword strings", () => {
    expect(redact("postgres://app:s3cr%40t@db:5432/x failed")).toBe("postgres://app:***@db:5432/x failed");
    expect(redact("host=db password=hunter2 user=app")).toBe("host=db password=*** user=app");
    expect(redact("said hunter2 twice: hunter2", ["hunter2"])).toBe("said *** twice: ***");
  });
});

describe("connection strings that cannot work", () => {
  it("refuses a string that is not a URL as Invalid, without echoing its password", async () => {
    const error = await refused({ connectionString: "host=db password=hunter2" });
    expect(error.type).toBe("Invalid");
    expect(error.message).not.toContain("hunter2");
  });

  it("refuses a URL of another scheme as Invalid", async () => {
    const error = await refused({ connectionString: "mysql://app:hunter2@127.0.0.1:3306/db" });
    expect(error.type).toBe("Invalid");
    expect(error.message).toContain("postgres://");
    expect(error.message).not.toContain("hunter2");
  });

  it("says Unavailable, naming host and port but not the password, when nothing listens", async () => {
    const port = await deadPort();
    const error = await refused({ connectionString: `postgres://app:hunter2@127.0.0.1:${port}/db` });
    expect(error.type).toBe("Unavailable");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).not.toContain("hunter2");
  });

  it("says Unavailable for a host name that does not resolve", async () => {
    const error = await refused({
      connectionString: "postgres://app:hunter2@no-such-host.invalid:5432/db",
      connectTimeoutMs: 3000,
    });
    expect(error.type).toBe("Unavailable");
    expect(error.message).toContain("no-such-host.invalid");
    expect(error.message).not.toContain("hunter2");
  });
});

describe.skipIf(!url)(`against a real server (${url ? "running" : inject("pgSkipReason")})`, () => {
  const base = new URL(url ?? "postgres://localhost");
  const pool = new pg.Pool({ connectionString: url ?? "", max: 20 });
  afterAll(() => pool.end());
  const withUrl = (change: (u: URL) => void) => {
    const copy = new URL(base);
    change(copy);
    return copy.toString();
  };

  it("says AuthFailed for a wrong password, and never prints either password", async () => {
    const error = await refused({ connectionString: withUrl((u) => (u.password = "wrong-password-123")) });
    expect(error.type).toBe("AuthFailed");
    expect(error.fatal).toBe(true);
    expect(error.message).toContain(`${base.hostname}:${base.port}`);
    expect(error.message).not.toContain("wrong-password-123");
    expect(error.message).not.toContain(base.password);
  });

  it("says AuthFailed for a user that does not exist", async () => {
    const error = await refused({ connectionString: withUrl((u) => (u.username = "nobody_here")) });
    expect(error.type).toBe("AuthFailed");
    expect(error.message).toContain("nobody_here");
  });

  it("says NotFound for a database that does not exist", async () => {
    const error = await refused({ connectionString: withUrl((u) => (u.pathname = "/no_such_db")) });
    expect(error.type).toBe("NotFound");
    expect(error.message).toContain("no_such_db");
    expect(error.message).not.toContain(base.password);
  });

  it("migrates once when many workers open a fresh schema at the same moment", async () => {
    const schema = `race_${process.pid}`;
    const opened = await Promise.all(Array.from({ length: 8 }, () => createPostgresStore({ pool, schema })));
    for (const o of opened) expect(o._unsafeUnwrap().schemaVersion).toBe(LATEST_VERSION);
    const { rows } = await pool.query(`SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`);
    expect(rows).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    await Promise.all(opened.map((o) => o._unsafeUnwrap().close()));
  });

  it("opens with a connection string, owns its pool and ends it on close", async () => {
    const store = (
      await createPostgresStore({ connectionString: url ?? "", schema: `own_${process.pid}` })
    )._unsafeUnwrap();
    expect((await store.saveLastRun("school-1", { sourceCount: 3, errorFingerprints: [] })).isOk()).toBe(true);
    await store.close();
    expect(store.getInstance().ended).toBe(true);
    const after = await store.getLastRun("school-1");
    expect(after.isErr() && after.error.type).toBe("Unavailable");
  });

  it("leaves a pool the host passed in open on close", async () => {
    const store = (await createPostgresStore({ pool, schema: `host_${process.pid}` }))._unsafeUnwrap();
    await store.close();
    expect(pool.ended).toBe(false);
  });

  it("refuses a schema migrated by a newer release as VersionTooNew", async () => {
    const schema = `future_${process.pid}`;
    await (await createPostgresStore({ pool, schema }))._unsafeUnwrap().close();
    await pool.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES ($1, 'from the future')`, [
      LATEST_VERSION + 1,
    ]);
    const error = await refused({ pool, schema });
    expect(error.type).toBe("VersionTooNew");
    expect(error.message).toContain(String(LATEST_VERSION + 1));
  });

  it("refuses a schema holding another application's tables as Foreign", async () => {
    const schema = `foreign_${process.pid}`;
    await pool.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".invoices (id int)`);
    const error = await refused({ pool, schema });
    expect(error.type).toBe("Foreign");
    expect(error.message).toContain("invoices");
  });

  it("keeps rows of different schemas apart", async () => {
    const a = (await createPostgresStore({ pool, schema: `iso_a_${process.pid}` }))._unsafeUnwrap();
    const b = (await createPostgresStore({ pool, schema: `iso_b_${process.pid}` }))._unsafeUnwrap();
    await a.saveLastRun("school-1", { sourceCount: 1, errorFingerprints: [] });
    expect((await b.getLastRun("school-1"))._unsafeUnwrap()).toBeNull();
    await Promise.all([a.close(), b.close()]);
  });
});
