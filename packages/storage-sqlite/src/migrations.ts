/** One schema step. Applied in its own transaction together with its `schema_migrations` row. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** `PRAGMA application_id` of a rostersync database: "RSYC" in ASCII, so that `file(1)` and we can tell it. */
export const APPLICATION_ID = 0x52535943;

/**
 * The schema, oldest first. Never edit a shipped step: add a new one. Every table is keyed by `tenant_id`
 * first, so every read and write names its school and one school's rows can never answer for another's.
 *
 * `runs.last_seq` (version 1) is no longer written or read: a run's last journal `seq` is `max(seq)` of its
 * journal rows, one seek in the journal's primary key, so that an append never rewrites the run row and the
 * plan stored in it. The column stays (dropping it would rewrite every stored plan on open); it is ignored.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
      CREATE TABLE documents (
        tenant_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (tenant_id, kind)
      ) WITHOUT ROWID;
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        started_at TEXT NOT NULL,
        record TEXT NOT NULL,
        plan TEXT NOT NULL,
        last_seq INTEGER,
        UNIQUE (tenant_id, run_id)
      );
      CREATE INDEX runs_newest_first ON runs (tenant_id, started_at DESC, id DESC);
      CREATE TABLE journal (
        tenant_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        entry TEXT NOT NULL,
        PRIMARY KEY (tenant_id, run_id, seq)
      ) WITHOUT ROWID;
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant_id TEXT NOT NULL,
        audit_id TEXT NOT NULL,
        at TEXT NOT NULL,
        record TEXT NOT NULL,
        UNIQUE (tenant_id, audit_id)
      );
      CREATE INDEX audit_newest_first ON audit (tenant_id, at DESC, id DESC);
      CREATE TABLE hours_ledger (
        tenant_id TEXT NOT NULL,
        hour_id TEXT NOT NULL,
        entry TEXT NOT NULL,
        PRIMARY KEY (tenant_id, hour_id)
      ) WITHOUT ROWID;
      CREATE TABLE watermarks (
        tenant_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (tenant_id, key)
      ) WITHOUT ROWID;
      CREATE TABLE exports (
        tenant_id TEXT NOT NULL,
        export_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        config TEXT NOT NULL,
        PRIMARY KEY (tenant_id, export_id)
      ) WITHOUT ROWID;
      CREATE TABLE export_ledger (
        tenant_id TEXT NOT NULL,
        export_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        entry TEXT NOT NULL,
        PRIMARY KEY (tenant_id, export_id, event_id)
      ) WITHOUT ROWID;
      CREATE TABLE locks (
        tenant_id TEXT NOT NULL PRIMARY KEY,
        owner TEXT NOT NULL,
        token TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

/** The schema version this release writes. A database above it is refused with `VersionTooNew`. */
export const LATEST_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;
