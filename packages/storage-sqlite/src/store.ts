import { randomUUID } from "node:crypto";
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import {
  type AuditRecord,
  checkJournalBatch,
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
  type StoreError,
  type StoreErrorType,
  type SyncStore,
  storedStateErrors as stored,
  storeError,
  type Versioned,
  versionedDocumentOperations,
} from "@rostersync/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import { APPLICATION_ID, LATEST_VERSION, MIGRATIONS } from "./migrations.js";
import { nodeSqlite, statementCache } from "./node-sqlite.js";

/** Errors of the SQLite store: a {@link StoreError} whose `type` is one of core's `STORE_ERROR_CODES`. */
export interface SqliteStoreError extends StoreError {
  readonly type: StoreErrorType;
}

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** A file path (created when missing), or `":memory:"` for a private database that ends with `close()`. */
  readonly path: string;
  /** How long a write waits for another process's write to finish, in ms (default 5,000). */
  readonly busyTimeoutMs?: number | undefined;
  /**
   * `normal` (default): WAL with `synchronous=NORMAL`; a killed process never loses or tears a committed
   * write, a power cut may drop the last few. `full`: fsync on every commit, durable across power cuts.
   */
  readonly durability?: "normal" | "full" | undefined;
}

/** The SQLite {@link SyncStore}, with the underlying `DatabaseSync` for hosts that need it. */
export interface SqliteStore extends SyncStore<SqliteStoreError> {
  /** The open `node:sqlite` database (for backups, inspection; don't write to rostersync's tables). */
  getInstance(): DatabaseSync;
  /** The schema version of the open database. */
  readonly schemaVersion: number;
}

type Row = Record<string, unknown>;
type Outcome<T> = Result<T, SqliteStoreError>;

/**
 * Opens (and creates or migrates) a SQLite store on `node:sqlite`: no native build, no download. The
 * database runs in WAL mode; every multi-row write is one transaction; pending schema migrations run on
 * open, each in its own transaction.
 *
 * Fails with `Corrupt` (not a SQLite file, or damaged), `Foreign` (another application's database),
 * `VersionTooNew` (migrated by a newer rostersync) or `Unavailable` (cannot open the path).
 *
 * @example
 * ```ts
 * const opened = await createSqliteStore({ path: "rostersync.db" });
 * if (opened.isErr()) throw new Error(opened.error.message);
 * const store = opened.value;
 * await store.saveDecisions("school-1", EMPTY_DECISIONS, null);
 * await store.close();
 * ```
 */
export function createSqliteStore(options: SqliteStoreOptions): ResultAsync<SqliteStore, SqliteStoreError> {
  return new ResultAsync(Promise.resolve(open(options)));
}

function open(options: SqliteStoreOptions): Outcome<SqliteStore> {
  const { path } = options;
  let db: DatabaseSync;
  try {
    db = new (nodeSqlite().DatabaseSync)(path);
  } catch (cause) {
    return err(toStoreError(cause, path));
  }
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    const identified = identify(db, path);
    if (identified.isErr()) {
      db.close();
      return err(identified.error);
    }
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${options.durability === "full" ? "FULL" : "NORMAL"}`);
    const migrated = migrate(db, path);
    if (migrated.isErr()) {
      db.close();
      return err(migrated.error);
    }
    return ok(storeOn(db, path, migrated.value));
  } catch (cause) {
    if (db.isOpen) db.close();
    return err(toStoreError(cause, path));
  }
}

/** Tells our database (or an empty file) from a foreign or corrupt one, before writing anything. */
function identify(db: DatabaseSync, path: string): Outcome<void> {
  const appId = (db.prepare("PRAGMA application_id").get() as Row | undefined)?.application_id;
  const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as Row[]).map(
    (row) => row.name as string,
  );
  if (appId !== 0 && appId !== APPLICATION_ID) {
    return err(
      storeError("Foreign", `${path} belongs to another application (application_id ${String(appId)}), not rostersync`),
    );
  }
  const ours = tables.includes("schema_migrations");
  const others = tables.filter((name) => !name.startsWith("sqlite_"));
  if (!ours && others.length > 0) {
    return err(
      storeError(
        "Foreign",
        `${path} is a SQLite database of another application (tables ${others.slice(0, 5).join(", ")}); rostersync needs its own file`,
      ),
    );
  }
  return ok(undefined);
}

/** Runs pending migrations, each step with its `schema_migrations` row in one transaction. */
function migrate(db: DatabaseSync, path: string): Outcome<number> {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
  );
  for (;;) {
    db.exec("BEGIN IMMEDIATE");
    try {
      const current = Number(
        (db.prepare("SELECT max(version) AS v FROM schema_migrations").get() as Row | undefined)?.v ?? 0,
      );
      if (current > LATEST_VERSION) {
        db.exec("ROLLBACK");
        return err(
          storeError(
            "VersionTooNew",
            `${path} is at schema version ${current}, newer than this release's ${LATEST_VERSION}: upgrade @rostersync/storage-sqlite`,
          ),
        );
      }
      const next = MIGRATIONS.find((step) => step.version > current);
      if (!next) {
        db.exec("COMMIT");
        return ok(current);
      }
      db.exec(next.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        next.version,
        next.name,
        new Date().toISOString(),
      );
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
      db.exec("COMMIT");
    } catch (cause) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw cause;
    }
  }
}

function storeOn(db: DatabaseSync, path: string, schemaVersion: number): SqliteStore {
  const statements = statementsOn(db);
  const store = defineSyncStore({
    name: "sqlite",
    operations: {
      ...documentOperations(statements),
      ...runOperations(statements),
      ...ledgerOperations(statements),
      ...lockOperations(statements),
    },
    close: async () => {
      if (db.isOpen) db.close();
    },
    toStoreError: (cause) => toStoreError(cause, path),
    closedError: () => storeError("Unavailable", `the store on ${path} is closed`),
  });
  return { ...store, schemaVersion, getInstance: () => db };
}

/** Cached statements and the write transaction of one open database, shared by the raw operations. */
type Statements = ReturnType<typeof statementsOn>;

function statementsOn(db: DatabaseSync) {
  const { sql } = statementCache(db);
  const get = (text: string, ...params: SQLInputValue[]) => sql(text).get(...params) as Row | undefined;
  const all = (text: string, ...params: SQLInputValue[]) => sql(text).all(...params) as Row[];
  const run = (text: string, ...params: SQLInputValue[]) => Number(sql(text).run(...params).changes);

  /** One write transaction: committed when `body` is ok, rolled back when it fails or throws. */
  const write = <T>(body: () => Outcome<T>): Outcome<T> => {
    db.exec("BEGIN IMMEDIATE");
    let done = false;
    try {
      const outcome = body();
      if (outcome.isOk()) {
        db.exec("COMMIT");
        done = true;
      }
      return outcome;
    } finally {
      if (!done && db.isTransaction) db.exec("ROLLBACK");
    }
  };

  const readDoc = <T>(tenantId: string, kind: string): Outcome<Versioned<T> | null> => {
    const row = get("SELECT version, body FROM documents WHERE tenant_id = ? AND kind = ?", tenantId, kind);
    return ok(row ? { value: parse<T>(row.body), version: Number(row.version) } : null);
  };

  const saveDoc = (
    table: "documents" | "exports",
    key: readonly [string, string],
    expectedVersion: number | null,
    what: string,
    value: unknown,
  ): Outcome<number> =>
    write(() => {
      const [keyColumn, valueColumn] = table === "documents" ? ["kind", "body"] : ["export_id", "config"];
      const row = get(`SELECT version FROM ${table} WHERE tenant_id = ? AND ${keyColumn} = ?`, ...key);
      const have = row ? Number(row.version) : null;
      if (have !== expectedVersion) return err(stored.versionConflict(what, have, expectedVersion)) as Outcome<number>;
      const json = JSON.stringify(value);
      if (have === null) {
        run(
          `INSERT INTO ${table} (tenant_id, ${keyColumn}, version, ${valueColumn}) VALUES (?, ?, 1, ?)`,
          ...key,
          json,
        );
        return ok(1);
      }
      run(
        `UPDATE ${table} SET version = ?, ${valueColumn} = ? WHERE tenant_id = ? AND ${keyColumn} = ?`,
        have + 1,
        json,
        ...key,
      );
      return ok(have + 1);
    });

  return { sql, get, all, run, write, readDoc, saveDoc };
}

/** The raw operations on the profile, the decisions and the last run. */
function documentOperations(db: Statements): DocumentOperations<SqliteStoreError> {
  const { run, readDoc, saveDoc } = db;
  return {
    ...versionedDocumentOperations({
      read: readDoc,
      save: (tenantId, kind, expectedVersion, what, value) =>
        saveDoc("documents", [tenantId, kind], expectedVersion, what, value),
    }),
    getLastRun: (tenantId) => readDoc<LastRun>(tenantId, "last-run").map((doc) => doc?.value ?? null),
    saveLastRun: (tenantId, lastRun) => {
      run(
        `INSERT INTO documents (tenant_id, kind, version, body) VALUES (?, 'last-run', 1, ?)
         ON CONFLICT (tenant_id, kind) DO UPDATE SET version = version + 1, body = excluded.body`,
        tenantId,
        JSON.stringify(lastRun),
      );
      return ok(undefined);
    },
  };
}

/** The raw operations on runs, their journals and the audit. */
function runOperations(db: Statements): RunOperations<SqliteStoreError> {
  const { sql, get, all, run, write } = db;
  return {
    createRun: (tenantId, record) => {
      const { plan, ...rest } = record;
      const inserted = run(
        `INSERT INTO runs (tenant_id, run_id, started_at, record, plan) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, run_id) DO NOTHING`,
        tenantId,
        record.runId,
        record.startedAt,
        JSON.stringify(rest),
        JSON.stringify(plan),
      );
      return inserted === 1 ? ok(undefined) : err(stored.runExists(record.runId));
    },
    getRun: (tenantId, runId) => {
      const row = get("SELECT record, plan FROM runs WHERE tenant_id = ? AND run_id = ?", tenantId, runId);
      return ok(row ? runFromRow(row) : null);
    },
    listRuns: (tenantId, options) => {
      const rows = all(
        "SELECT record, plan FROM runs WHERE tenant_id = ? ORDER BY started_at DESC, id DESC LIMIT ?",
        tenantId,
        options?.limit ?? -1,
      );
      return ok(rows.map(runFromRow));
    },
    finishRun: (tenantId, runId, update) =>
      write(() => {
        const row = get("SELECT record FROM runs WHERE tenant_id = ? AND run_id = ?", tenantId, runId);
        if (!row) return err(stored.runMissing(runId));
        const record = JSON.stringify(finishedRun(row.record, update));
        run("UPDATE runs SET record = ? WHERE tenant_id = ? AND run_id = ?", record, tenantId, runId);
        return ok(undefined);
      }),
    // Touches only the journal: the run's existence is answered by its (tenant_id, run_id) index and the
    // last seq by the journal's primary key (one seek each), so the run row and its plan (tens of MB for a
    // large school) are neither read nor rewritten. `BEGIN IMMEDIATE` serialises appenders, so the
    // `max(seq)` read and the inserts cannot interleave with another writer's.
    appendJournal: (tenantId, runId, entries) =>
      write(() => {
        if (!get("SELECT 1 AS found FROM runs WHERE tenant_id = ? AND run_id = ?", tenantId, runId)) {
          return err(stored.runMissing(runId));
        }
        const head = get(
          "SELECT max(seq) AS last_seq FROM journal WHERE tenant_id = ? AND run_id = ?",
          tenantId,
          runId,
        );
        const lastSeq = head?.last_seq == null ? null : Number(head.last_seq);
        const invalid = checkJournalBatch(entries, lastSeq);
        if (invalid) return err(narrow(invalid));
        const insert = sql("INSERT INTO journal (tenant_id, run_id, seq, entry) VALUES (?, ?, ?, ?)");
        for (const entry of entries) insert.run(tenantId, runId, entry.seq, JSON.stringify(entry));
        return ok(undefined);
      }),
    readJournal: (tenantId, runId) => {
      const row = get(
        "SELECT '[' || group_concat(entry, ',' ORDER BY seq) || ']' AS lines FROM journal WHERE tenant_id = ? AND run_id = ?",
        tenantId,
        runId,
      );
      return ok(row?.lines == null ? [] : parse<JournalEntry[]>(row.lines));
    },
    appendAudit: (tenantId, record) => {
      const inserted = run(
        `INSERT INTO audit (tenant_id, audit_id, at, record) VALUES (?, ?, ?, ?)
         ON CONFLICT (tenant_id, audit_id) DO NOTHING`,
        tenantId,
        record.auditId,
        record.at,
        JSON.stringify(record),
      );
      return inserted === 1 ? ok(undefined) : err(stored.auditExists(record.auditId));
    },
    listAudit: (tenantId, options) => {
      // Records written before kinds existed have none: they are apply runs.
      const rows =
        options?.kind === undefined
          ? all(
              "SELECT record FROM audit WHERE tenant_id = ? ORDER BY at DESC, id DESC LIMIT ?",
              tenantId,
              options?.limit ?? -1,
            )
          : all(
              `SELECT record FROM audit WHERE tenant_id = ? AND coalesce(json_extract(record, '$.kind'), 'apply') = ?
               ORDER BY at DESC, id DESC LIMIT ?`,
              tenantId,
              options.kind,
              options?.limit ?? -1,
            );
      return ok(rows.map((row) => parse<AuditRecord>(row.record)));
    },
  };
}

/** The raw operations on the hours ledger, watermarks, tardy exports and their ledgers. */
function ledgerOperations(db: Statements): LedgerOperations<SqliteStoreError> {
  const { sql, get, all, run, write, saveDoc } = db;
  return {
    getHoursLedger: (tenantId, hourIds) => {
      const rows = hourIds
        ? all(
            "SELECT entry FROM hours_ledger WHERE tenant_id = ? AND hour_id IN (SELECT value FROM json_each(?))",
            tenantId,
            JSON.stringify(hourIds),
          )
        : all("SELECT entry FROM hours_ledger WHERE tenant_id = ?", tenantId);
      return ok(rows.map((row) => parse<HoursLedgerEntry>(row.entry)));
    },
    putHoursLedger: (tenantId, entries) =>
      write(() => {
        const upsert = sql(
          `INSERT INTO hours_ledger (tenant_id, hour_id, entry) VALUES (?, ?, ?)
           ON CONFLICT (tenant_id, hour_id) DO UPDATE SET entry = excluded.entry`,
        );
        for (const entry of entries) upsert.run(tenantId, entry.hourId, JSON.stringify(entry));
        return ok(undefined);
      }),
    getWatermark: (tenantId, key) => {
      const row = get("SELECT value FROM watermarks WHERE tenant_id = ? AND key = ?", tenantId, key);
      return ok(row ? parse<string>(row.value) : null);
    },
    setWatermark: (tenantId, key, value) => {
      // JSON-encoded, so that NUL and lone surrogates in the value survive.
      run(
        `INSERT INTO watermarks (tenant_id, key, value) VALUES (?, ?, ?)
         ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value`,
        tenantId,
        key,
        JSON.stringify(value),
      );
      return ok(undefined);
    },

    listExports: (tenantId) =>
      ok(
        all("SELECT export_id, version, config FROM exports WHERE tenant_id = ?", tenantId).map((row) =>
          exportFromRow(row.export_id as string, row),
        ),
      ),
    getExport: (tenantId, exportId) => {
      const row = get("SELECT version, config FROM exports WHERE tenant_id = ? AND export_id = ?", tenantId, exportId);
      return ok(row ? exportFromRow(exportId, row) : null);
    },
    saveExport: (tenantId, exportId, config, expectedVersion) =>
      saveDoc("exports", [tenantId, exportId], expectedVersion, `export ${exportId}`, config),
    deleteExport: (tenantId, exportId) =>
      write(() => {
        run("DELETE FROM exports WHERE tenant_id = ? AND export_id = ?", tenantId, exportId);
        run("DELETE FROM export_ledger WHERE tenant_id = ? AND export_id = ?", tenantId, exportId);
        return ok(undefined);
      }),
    getExportLedger: (tenantId, exportId, eventIds) => {
      const rows = eventIds
        ? all(
            `SELECT entry FROM export_ledger WHERE tenant_id = ? AND export_id = ?
             AND event_id IN (SELECT value FROM json_each(?))`,
            tenantId,
            exportId,
            JSON.stringify(eventIds),
          )
        : all("SELECT entry FROM export_ledger WHERE tenant_id = ? AND export_id = ?", tenantId, exportId);
      return ok(rows.map((row) => parse<ExportLedgerEntry>(row.entry)));
    },
    putExportLedger: (tenantId, exportId, entries) =>
      write(() => {
        const upsert = sql(
          `INSERT INTO export_ledger (tenant_id, export_id, event_id, entry) VALUES (?, ?, ?, ?)
           ON CONFLICT (tenant_id, export_id, event_id) DO UPDATE SET entry = excluded.entry`,
        );
        for (const entry of entries) upsert.run(tenantId, exportId, entry.eventId, JSON.stringify(entry));
        return ok(undefined);
      }),
  };
}

/** The raw operations on the run lock. */
function lockOperations(db: Statements): LockOperations<SqliteStoreError> {
  const { get, run } = db;
  return {
    acquireLock: (tenantId, owner, ttlMs, now) => {
      const lease: Lease = { tenantId, owner, token: randomUUID(), expiresAt: now + ttlMs };
      // One statement: takes a free or expired lock, leaves a live one alone.
      const taken = run(
        `INSERT INTO locks (tenant_id, owner, token, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (tenant_id) DO UPDATE SET owner = excluded.owner, token = excluded.token,
           expires_at = excluded.expires_at
         WHERE locks.expires_at <= ?`,
        tenantId,
        owner,
        lease.token,
        lease.expiresAt,
        now,
      );
      if (taken === 1) return ok(lease);
      const holder = get("SELECT owner, expires_at FROM locks WHERE tenant_id = ?", tenantId);
      return err(stored.locked(tenantId, holder?.owner, holder?.expires_at));
    },
    renewLock: (lease, ttlMs, now) => {
      const expiresAt = now + ttlMs;
      const renewed = run(
        "UPDATE locks SET expires_at = ? WHERE tenant_id = ? AND token = ?",
        expiresAt,
        lease.tenantId,
        lease.token,
      );
      return renewed === 1 ? ok({ ...lease, expiresAt }) : err(stored.lockLost(lease.tenantId));
    },
    releaseLock: (lease) => {
      run("DELETE FROM locks WHERE tenant_id = ? AND token = ?", lease.tenantId, lease.token);
      return ok(undefined);
    },
  };
}

function narrow(error: StoreError): SqliteStoreError {
  return error as SqliteStoreError;
}

/** Maps a thrown `node:sqlite` (or JSON) error to a typed store error naming the file. */
export function toStoreError(cause: unknown, path: string): SqliteStoreError {
  const error = cause as { code?: unknown; errcode?: unknown; message?: unknown; name?: unknown };
  const message = typeof error?.message === "string" ? error.message : String(cause);
  if (error?.name === "SyntaxError") return storeError("Corrupt", `${path} holds a record that is not valid JSON`);
  if (typeof error?.errcode === "number") {
    const primary = error.errcode & 0xff;
    if (primary === 26) return storeError("Corrupt", `${path} is not a SQLite database (${message})`);
    if (primary === 11) return storeError("Corrupt", `${path} is damaged (${message})`);
    if (primary === 5 || primary === 6) return storeError("Unavailable", `${path} is busy (${message})`);
    if (primary === 19) return storeError("Conflict", `${path}: ${message}`);
    return storeError("Unavailable", `${path}: ${message}`);
  }
  if (error?.code === "ERR_INVALID_STATE") return storeError("Unavailable", `the store on ${path} is closed`);
  return storeError("Unavailable", `${path}: ${message}`);
}
