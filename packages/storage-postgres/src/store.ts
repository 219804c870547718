import { randomUUID } from "node:crypto";
import {
  type AuditRecord,
  checkStoreId,
  type DocumentOperations,
  defineSyncStore,
  type ExportLedgerEntry,
  exportFromRow,
  finishedRun,
  type HoursLedgerEntry,
  type JournalEntry,
  type LastRun,
  type Lease,
  type LedgerOperations,
  type LockOperations,
  parseStored as parse,
  type RunOperations,
  runFromRow,
  type SyncStore,
  storedStateErrors as stored,
  storeError,
  type Versioned,
  versionedDocumentOperations,
} from "@rostersync/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import pg from "pg";
import {
  describeEndpoint,
  type Endpoint,
  type PostgresStoreError,
  parseConnectionString,
  toStoreError,
} from "./errors.js";
import { LATEST_VERSION, MIGRATIONS } from "./migrations.js";

/** Where the store connects: a pool the host owns, or a connection string the store makes a pool from. */
export type PostgresConnection =
  | {
      /** A `pg` pool the host owns: `close()` leaves it open. */
      readonly pool: pg.Pool;
    }
  | {
      /** `postgres://user:password@host:port/database`; the store owns the pool and ends it on `close()`. */
      readonly connectionString: string;
      /** Largest number of connections of the store's pool (default 10). */
      readonly maxConnections?: number | undefined;
      /** How long to wait for a connection, in ms (default 5,000). */
      readonly connectTimeoutMs?: number | undefined;
    };

/** Options of {@link createPostgresStore}. */
export type PostgresStoreOptions = PostgresConnection & {
  /** The schema that holds rostersync's tables (default `rostersync`); created when missing. */
  readonly schema?: string | undefined;
};

/** The PostgreSQL {@link SyncStore}, with the underlying pool for hosts that need it. */
export interface PostgresStore extends SyncStore<PostgresStoreError> {
  /** The `pg` pool the store queries through. */
  getInstance(): pg.Pool;
  /** The schema the store's tables live in. */
  readonly schema: string;
  /** The schema version of the database. */
  readonly schemaVersion: number;
}

type Row = Record<string, unknown>;
type Outcome<T> = Result<T, PostgresStoreError>;
type Query = (text: string, params?: readonly unknown[]) => Promise<pg.QueryResult<Row>>;

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** The first key of the advisory lock that serialises migrators ("RS"). */
const MIGRATION_LOCK_CLASS = 0x5253;

/**
 * Opens a PostgreSQL store, creating its schema and running pending migrations (under an advisory lock, so
 * that many workers starting at once migrate exactly once). Each school's rows carry its `tenant_id` in
 * their key and every statement filters on it. The run lock is a lease row taken with one conditional
 * `INSERT … ON CONFLICT … DO UPDATE … WHERE expires_at <= now`, so concurrent workers never share it.
 *
 * Fails with `Invalid` (a connection string that is not a postgres URL), `Unavailable` (host unreachable),
 * `AuthFailed` (wrong user or password), `NotFound` (no such database) or `VersionTooNew`. Messages name the
 * host, port, user and database, never the password.
 *
 * @example
 * ```ts
 * const opened = await createPostgresStore({ connectionString: process.env.DATABASE_URL! });
 * if (opened.isErr()) throw new Error(opened.error.message);
 * const store = opened.value;
 * const lease = await store.acquireLock("school-1", "worker-7", 60_000, Date.now());
 * ```
 */
export function createPostgresStore(options: PostgresStoreOptions): ResultAsync<PostgresStore, PostgresStoreError> {
  return new ResultAsync(openStore(options));
}

async function openStore(options: PostgresStoreOptions): Promise<Outcome<PostgresStore>> {
  const schemaName = options.schema ?? "rostersync";
  const invalidSchema = checkStoreId("schema", schemaName);
  if (invalidSchema) return err(invalidSchema as PostgresStoreError);
  if (Buffer.byteLength(schemaName) > 63) return err(storeError("Invalid", "schema must be at most 63 bytes"));

  let pool: pg.Pool;
  let endpoint: Endpoint;
  const owned = !("pool" in options);
  if ("pool" in options) {
    pool = options.pool;
    endpoint = poolEndpoint(pool);
  } else {
    const parsed = parseConnectionString(options.connectionString);
    if ("type" in parsed) return err(parsed);
    endpoint = parsed;
    pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    });
    // An idle connection that dies must not crash the host; the next query reports it.
    pool.on("error", () => {});
  }
  const schema = quoteIdentifier(schemaName);
  try {
    const migrated = await migrate(pool, schemaName, schema, endpoint);
    if (migrated.isErr()) {
      if (owned) await pool.end();
      return err(migrated.error);
    }
    return ok(storeOn(pool, owned, schemaName, schema, endpoint, migrated.value));
  } catch (cause) {
    if (owned) await pool.end().catch(() => {});
    return err(toStoreError(cause, endpoint));
  }
}

function poolEndpoint(pool: pg.Pool): Endpoint {
  const config = (pool as unknown as { options?: Record<string, unknown> }).options ?? {};
  const fromString =
    typeof config.connectionString === "string" ? parseConnectionString(config.connectionString) : undefined;
  if (fromString && !("type" in fromString)) return fromString;
  const password = typeof config.password === "string" ? [config.password] : [];
  return {
    host: String(config.host ?? "localhost"),
    port: String(config.port ?? "5432"),
    user: String(config.user ?? ""),
    database: String(config.database ?? ""),
    secrets: password,
  };
}

/** Creates the schema and applies pending migrations in one transaction, under an advisory lock. */
async function migrate(
  pool: pg.Pool,
  schemaName: string,
  schema: string,
  endpoint: Endpoint,
): Promise<Outcome<number>> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [MIGRATION_LOCK_CLASS, schemaName]);
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
      [schemaName],
    );
    const names = tables.rows.map((row) => row.table_name);
    if (names.length > 0 && !names.includes("schema_migrations")) {
      await client.query("ROLLBACK");
      return err(
        storeError(
          "Foreign",
          `schema ${schemaName} at ${describeEndpoint(endpoint)} holds another application's tables (${names.slice(0, 5).join(", ")}); give rostersync its own schema`,
        ),
      );
    }
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const current = Number(
      (await client.query(`SELECT coalesce(max(version), 0) AS v FROM ${schema}.schema_migrations`)).rows[0]?.v ?? 0,
    );
    if (current > LATEST_VERSION) {
      await client.query("ROLLBACK");
      return err(
        storeError(
          "VersionTooNew",
          `schema ${schemaName} at ${describeEndpoint(endpoint)} is at version ${current}, newer than this release's ${LATEST_VERSION}: upgrade @rostersync/storage-postgres`,
        ),
      );
    }
    for (const step of MIGRATIONS.filter((m) => m.version > current)) {
      await client.query(step.sql(schema));
      await client.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [
        step.version,
        step.name,
      ]);
    }
    await client.query("COMMIT");
    return ok(Math.max(current, LATEST_VERSION));
  } catch (cause) {
    await client.query("ROLLBACK").catch(() => {});
    throw cause;
  } finally {
    client.release();
  }
}

/** Keeps the last entry of each id, so that one upsert statement never touches a row twice. */
function lastById<T>(entries: readonly T[], id: (entry: T) => string): T[] {
  return [...new Map(entries.map((entry) => [id(entry), entry] as const)).values()];
}

function storeOn(
  pool: pg.Pool,
  owned: boolean,
  schemaName: string,
  s: string,
  endpoint: Endpoint,
  schemaVersion: number,
): PostgresStore {
  const queries = queriesOn(pool, s);
  const store = defineSyncStore({
    name: "postgres",
    operations: {
      ...documentOperations(queries),
      ...runOperations(queries),
      ...ledgerOperations(queries),
      ...lockOperations(queries),
    },
    close: async () => {
      if (owned) await pool.end();
    },
    toStoreError: (cause) => toStoreError(cause, endpoint),
    closedError: () => storeError("Unavailable", `the store on ${describeEndpoint(endpoint)} is closed`),
  });
  return { ...store, schema: schemaName, schemaVersion, getInstance: () => pool };
}

/** The queries of one pool on one schema (`s`, quoted), shared by the raw operations. */
type Queries = ReturnType<typeof queriesOn>;

function queriesOn(pool: pg.Pool, s: string) {
  const query: Query = (text, params) => pool.query<Row>(text, params as unknown[]);

  /** One transaction on one connection: committed when `body` is ok, rolled back otherwise. */
  const transaction = async <T>(body: (q: Query) => Promise<Outcome<T>>): Promise<Outcome<T>> => {
    const client = await pool.connect();
    let done = false;
    try {
      await client.query("BEGIN");
      const outcome = await body((text, params) => client.query<Row>(text, params as unknown[]));
      if (outcome.isOk()) {
        await client.query("COMMIT");
        done = true;
      }
      return outcome;
    } finally {
      if (!done) await client.query("ROLLBACK").catch(() => {});
      client.release();
    }
  };

  const readDoc = async <T>(tenantId: string, kind: string): Promise<Outcome<Versioned<T> | null>> => {
    const { rows } = await query(`SELECT version, body FROM ${s}.documents WHERE tenant_id = $1 AND kind = $2`, [
      tenantId,
      kind,
    ]);
    const row = rows[0];
    return ok(row ? { value: parse<T>(row.body), version: Number(row.version) } : null);
  };

  /** Optimistic write in one statement: the row's version is checked by the same statement that writes. */
  const saveDoc = async (
    table: "documents" | "exports",
    key: readonly [string, string],
    expectedVersion: number | null,
    what: string,
    value: unknown,
  ): Promise<Outcome<number>> => {
    const [keyColumn, valueColumn] = table === "documents" ? ["kind", "body"] : ["export_id", "config"];
    const json = JSON.stringify(value);
    const written =
      expectedVersion === null
        ? await query(
            `INSERT INTO ${s}.${table} (tenant_id, ${keyColumn}, version, ${valueColumn}) VALUES ($1, $2, 1, $3)
             ON CONFLICT DO NOTHING RETURNING version`,
            [...key, json],
          )
        : await query(
            `UPDATE ${s}.${table} SET version = version + 1, ${valueColumn} = $4
             WHERE tenant_id = $1 AND ${keyColumn} = $2 AND version = $3 RETURNING version`,
            [...key, expectedVersion, json],
          );
    const row = written.rows[0];
    if (row) return ok(Number(row.version));
    const current = await query(`SELECT version FROM ${s}.${table} WHERE tenant_id = $1 AND ${keyColumn} = $2`, [
      ...key,
    ]);
    const have = current.rows[0] ? Number(current.rows[0].version) : null;
    return err(stored.versionConflict(what, have, expectedVersion));
  };

  return { s, query, transaction, readDoc, saveDoc };
}

/** The raw operations on the profile, the decisions and the last run. */
function documentOperations(db: Queries): DocumentOperations<PostgresStoreError> {
  const { s, query, readDoc, saveDoc } = db;
  return {
    ...versionedDocumentOperations({
      read: readDoc,
      save: (tenantId, kind, expectedVersion, what, value) =>
        saveDoc("documents", [tenantId, kind], expectedVersion, what, value),
    }),
    getLastRun: async (tenantId) => (await readDoc<LastRun>(tenantId, "last-run")).map((doc) => doc?.value ?? null),
    saveLastRun: async (tenantId, lastRun) => {
      await query(
        `INSERT INTO ${s}.documents (tenant_id, kind, version, body) VALUES ($1, 'last-run', 1, $2)
         ON CONFLICT (tenant_id, kind) DO UPDATE SET version = documents.version + 1, body = excluded.body`,
        [tenantId, JSON.stringify(lastRun)],
      );
      return ok(undefined);
    },
  };
}

/** The raw operations on runs, their journals and the audit. */
function runOperations(db: Queries): RunOperations<PostgresStoreError> {
  const { s, query, transaction } = db;
  return {
    createRun: async (tenantId, record) => {
      const { plan, ...rest } = record;
      const inserted = await query(
        `INSERT INTO ${s}.runs (tenant_id, run_id, started_at, record, plan) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING`,
        [tenantId, record.runId, record.startedAt, JSON.stringify(rest), JSON.stringify(plan)],
      );
      return inserted.rowCount === 1 ? ok(undefined) : err(stored.runExists(record.runId));
    },
    getRun: async (tenantId, runId) => {
      const { rows } = await query(`SELECT record, plan FROM ${s}.runs WHERE tenant_id = $1 AND run_id = $2`, [
        tenantId,
        runId,
      ]);
      return ok(rows[0] ? runFromRow(rows[0]) : null);
    },
    listRuns: async (tenantId, options) => {
      const { rows } = await query(
        `SELECT record, plan FROM ${s}.runs WHERE tenant_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2`,
        [tenantId, options?.limit ?? null],
      );
      return ok(rows.map(runFromRow));
    },
    finishRun: (tenantId, runId, update) =>
      transaction(async (q) => {
        const { rows } = await q(`SELECT record FROM ${s}.runs WHERE tenant_id = $1 AND run_id = $2 FOR UPDATE`, [
          tenantId,
          runId,
        ]);
        const row = rows[0];
        if (!row) return err(stored.runMissing(runId));
        await q(`UPDATE ${s}.runs SET record = $3 WHERE tenant_id = $1 AND run_id = $2`, [
          tenantId,
          runId,
          JSON.stringify(finishedRun(row.record, update)),
        ]);
        return ok(undefined);
      }),
    appendJournal: async (tenantId, runId, entries) => {
      // The batch's own order is checked by the factory; how it follows the stored journal, by the statement.
      const first = entries[0];
      const last = entries.at(-1);
      // One statement, so one round trip per append (the apply's hot path). It moves the run's journal
      // head, a small row of its own, only when the batch follows it: `ON CONFLICT … DO UPDATE … WHERE`
      // locks that row, so a racing appender of the same run waits and then re-checks against the
      // winner's committed head. The run row (and the plan stored in it) is only looked up, never written
      // or locked. The journal's primary key is the last line of defence: a duplicate `seq` fails the whole
      // statement.
      const { rows } = await query(
        `WITH run AS (
           SELECT 1 FROM ${s}.runs WHERE tenant_id = $1 AND run_id = $2
         ), head AS (
           INSERT INTO ${s}.journal_heads AS h (tenant_id, run_id, last_seq)
           SELECT $1, $2, $6::bigint FROM run WHERE $5::bigint IS NOT NULL
           ON CONFLICT (tenant_id, run_id) DO UPDATE SET last_seq = excluded.last_seq
           WHERE h.last_seq < $5::bigint
           RETURNING 1
         ), lines AS (
           INSERT INTO ${s}.journal (tenant_id, run_id, seq, entry)
           SELECT $1, $2, seq, entry FROM unnest($3::bigint[], $4::text[]) AS batch (seq, entry)
           WHERE EXISTS (SELECT 1 FROM head)
         )
         SELECT (SELECT count(*) FROM run)::int AS found, (SELECT count(*) FROM head)::int AS accepted`,
        [
          tenantId,
          runId,
          entries.map((e) => e.seq),
          entries.map((e) => JSON.stringify(e)),
          first?.seq ?? null,
          last?.seq ?? null,
        ],
      );
      const row = rows[0];
      if (!row || row.found === 0) return err(stored.runMissing(runId));
      if (!first || row.accepted === 1) return ok(undefined);
      // Refused: read the head now (a fresh statement sees a racing winner's commit) to say what it is.
      const head = await query(`SELECT last_seq FROM ${s}.journal_heads WHERE tenant_id = $1 AND run_id = $2`, [
        tenantId,
        runId,
      ]);
      return err(
        storeError("Conflict", `journal seq ${first.seq} does not follow ${String(head.rows[0]?.last_seq ?? null)}`),
      );
    },
    readJournal: async (tenantId, runId) => {
      const { rows } = await query(
        `SELECT '[' || string_agg(entry, ',' ORDER BY seq) || ']' AS lines FROM ${s}.journal
         WHERE tenant_id = $1 AND run_id = $2`,
        [tenantId, runId],
      );
      const lines = rows[0]?.lines;
      return ok(lines == null ? [] : parse<JournalEntry[]>(lines));
    },
    appendAudit: async (tenantId, record) => {
      const inserted = await query(
        `INSERT INTO ${s}.audit (tenant_id, audit_id, at, record) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [tenantId, record.auditId, record.at, JSON.stringify(record)],
      );
      return inserted.rowCount === 1 ? ok(undefined) : err(stored.auditExists(record.auditId));
    },
    listAudit: async (tenantId, options) => {
      // Records written before kinds existed have none: they are apply runs.
      const { rows } =
        options?.kind === undefined
          ? await query(`SELECT record FROM ${s}.audit WHERE tenant_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, [
              tenantId,
              options?.limit ?? null,
            ])
          : await query(
              `SELECT record FROM ${s}.audit
               WHERE tenant_id = $1 AND coalesce(record::jsonb ->> 'kind', 'apply') = $3
               ORDER BY at DESC, id DESC LIMIT $2`,
              [tenantId, options?.limit ?? null, options.kind],
            );
      return ok(rows.map((row) => parse<AuditRecord>(row.record)));
    },
  };
}

/** The raw operations on the hours ledger, watermarks, tardy exports and their ledgers. */
function ledgerOperations(db: Queries): LedgerOperations<PostgresStoreError> {
  const { s, query, transaction, saveDoc } = db;
  return {
    getHoursLedger: async (tenantId, hourIds) => {
      const { rows } = hourIds
        ? await query(`SELECT entry FROM ${s}.hours_ledger WHERE tenant_id = $1 AND hour_id = ANY($2::text[])`, [
            tenantId,
            hourIds,
          ])
        : await query(`SELECT entry FROM ${s}.hours_ledger WHERE tenant_id = $1`, [tenantId]);
      return ok(rows.map((row) => parse<HoursLedgerEntry>(row.entry)));
    },
    putHoursLedger: async (tenantId, entries) => {
      const unique = lastById(entries, (entry) => entry.hourId);
      if (unique.length === 0) return ok(undefined);
      // One statement: atomic without an explicit transaction.
      await query(
        `INSERT INTO ${s}.hours_ledger (tenant_id, hour_id, entry)
         SELECT $1, hour_id, entry FROM unnest($2::text[], $3::text[]) AS rows (hour_id, entry)
         ON CONFLICT (tenant_id, hour_id) DO UPDATE SET entry = excluded.entry`,
        [tenantId, unique.map((e) => e.hourId), unique.map((e) => JSON.stringify(e))],
      );
      return ok(undefined);
    },
    getWatermark: async (tenantId, key) => {
      const { rows } = await query(`SELECT value FROM ${s}.watermarks WHERE tenant_id = $1 AND key = $2`, [
        tenantId,
        key,
      ]);
      return ok(rows[0] ? parse<string>(rows[0].value) : null);
    },
    setWatermark: async (tenantId, key, value) => {
      // JSON-encoded, so that NUL (which text columns refuse) and lone surrogates survive.
      await query(
        `INSERT INTO ${s}.watermarks (tenant_id, key, value) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value`,
        [tenantId, key, JSON.stringify(value)],
      );
      return ok(undefined);
    },

    listExports: async (tenantId) => {
      const { rows } = await query(`SELECT export_id, version, config FROM ${s}.exports WHERE tenant_id = $1`, [
        tenantId,
      ]);
      return ok(rows.map((row) => exportFromRow(row.export_id as string, row)));
    },
    getExport: async (tenantId, exportId) => {
      const { rows } = await query(`SELECT version, config FROM ${s}.exports WHERE tenant_id = $1 AND export_id = $2`, [
        tenantId,
        exportId,
      ]);
      const row = rows[0];
      return ok(row ? exportFromRow(exportId, row) : null);
    },
    saveExport: (tenantId, exportId, config, expectedVersion) =>
      saveDoc("exports", [tenantId, exportId], expectedVersion, `export ${exportId}`, config),
    deleteExport: (tenantId, exportId) =>
      transaction(async (q) => {
        await q(`DELETE FROM ${s}.exports WHERE tenant_id = $1 AND export_id = $2`, [tenantId, exportId]);
        await q(`DELETE FROM ${s}.export_ledger WHERE tenant_id = $1 AND export_id = $2`, [tenantId, exportId]);
        return ok(undefined);
      }),
    getExportLedger: async (tenantId, exportId, eventIds) => {
      const { rows } = eventIds
        ? await query(
            `SELECT entry FROM ${s}.export_ledger WHERE tenant_id = $1 AND export_id = $2 AND event_id = ANY($3::text[])`,
            [tenantId, exportId, eventIds],
          )
        : await query(`SELECT entry FROM ${s}.export_ledger WHERE tenant_id = $1 AND export_id = $2`, [
            tenantId,
            exportId,
          ]);
      return ok(rows.map((row) => parse<ExportLedgerEntry>(row.entry)));
    },
    putExportLedger: async (tenantId, exportId, entries) => {
      const unique = lastById(entries, (entry) => entry.eventId);
      if (unique.length === 0) return ok(undefined);
      await query(
        `INSERT INTO ${s}.export_ledger (tenant_id, export_id, event_id, entry)
         SELECT $1, $2, event_id, entry FROM unnest($3::text[], $4::text[]) AS rows (event_id, entry)
         ON CONFLICT (tenant_id, export_id, event_id) DO UPDATE SET entry = excluded.entry`,
        [tenantId, exportId, unique.map((e) => e.eventId), unique.map((e) => JSON.stringify(e))],
      );
      return ok(undefined);
    },
  };
}

/** The raw operations on the run lock. */
function lockOperations(db: Queries): LockOperations<PostgresStoreError> {
  const { s, query } = db;
  return {
    acquireLock: async (tenantId, owner, ttlMs, now) => {
      const lease: Lease = { tenantId, owner, token: randomUUID(), expiresAt: Math.round(now + ttlMs) };
      // One statement: takes a free or expired lease, leaves a live one alone. A concurrent taker waits on
      // the row and then re-checks `expires_at` against the winner's row, so two can never both succeed.
      const taken = await query(
        `INSERT INTO ${s}.locks (tenant_id, owner, token, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id) DO UPDATE SET owner = excluded.owner, token = excluded.token,
           expires_at = excluded.expires_at
         WHERE locks.expires_at <= $5`,
        [tenantId, owner, lease.token, lease.expiresAt, Math.round(now)],
      );
      if (taken.rowCount === 1) return ok(lease);
      const { rows } = await query(`SELECT owner, expires_at FROM ${s}.locks WHERE tenant_id = $1`, [tenantId]);
      return err(stored.locked(tenantId, rows[0]?.owner, rows[0]?.expires_at));
    },
    renewLock: async (lease, ttlMs, now) => {
      const expiresAt = Math.round(now + ttlMs);
      const renewed = await query(`UPDATE ${s}.locks SET expires_at = $3 WHERE tenant_id = $1 AND token = $2`, [
        lease.tenantId,
        lease.token,
        expiresAt,
      ]);
      return renewed.rowCount === 1 ? ok({ ...lease, expiresAt }) : err(stored.lockLost(lease.tenantId));
    },
    releaseLock: async (lease) => {
      await query(`DELETE FROM ${s}.locks WHERE tenant_id = $1 AND token = $2`, [lease.tenantId, lease.token]);
      return ok(undefined);
    },
  };
}
