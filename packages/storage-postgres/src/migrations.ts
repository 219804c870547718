/** One schema step, written for a schema name (already quoted). All pending steps run in one transaction. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: (schema: string) => string;
}

/**
 * The schema, oldest first. Never edit a shipped step: add a new one. Every table's primary key starts with
 * `tenant_id`, and every statement of the store filters on it. Key columns use the `C` collation so that
 * equality is byte-exact whatever the database's default collation is.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: (s) => `
      CREATE TABLE ${s}.documents (
        tenant_id text COLLATE "C" NOT NULL,
        kind text COLLATE "C" NOT NULL,
        version integer NOT NULL,
        body text NOT NULL,
        PRIMARY KEY (tenant_id, kind)
      );
      CREATE TABLE ${s}.runs (
        id bigserial NOT NULL,
        tenant_id text COLLATE "C" NOT NULL,
        run_id text COLLATE "C" NOT NULL,
        started_at text COLLATE "C" NOT NULL,
        record text NOT NULL,
        plan text NOT NULL,
        last_seq bigint,
        PRIMARY KEY (tenant_id, run_id)
      );
      CREATE INDEX runs_newest_first ON ${s}.runs (tenant_id, started_at DESC, id DESC);
      CREATE TABLE ${s}.journal (
        tenant_id text COLLATE "C" NOT NULL,
        run_id text COLLATE "C" NOT NULL,
        seq bigint NOT NULL,
        entry text NOT NULL,
        PRIMARY KEY (tenant_id, run_id, seq)
      );
      CREATE TABLE ${s}.audit (
        id bigserial NOT NULL,
        tenant_id text COLLATE "C" NOT NULL,
        audit_id text COLLATE "C" NOT NULL,
        at text COLLATE "C" NOT NULL,
        record text NOT NULL,
        PRIMARY KEY (tenant_id, audit_id)
      );
      CREATE INDEX audit_newest_first ON ${s}.audit (tenant_id, at DESC, id DESC);
      CREATE TABLE ${s}.hours_ledger (
        tenant_id text COLLATE "C" NOT NULL,
        hour_id text COLLATE "C" NOT NULL,
        entry text NOT NULL,
        PRIMARY KEY (tenant_id, hour_id)
      );
      CREATE TABLE ${s}.watermarks (
        tenant_id text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        value text NOT NULL,
        PRIMARY KEY (tenant_id, key)
      );
      CREATE TABLE ${s}.exports (
        tenant_id text COLLATE "C" NOT NULL,
        export_id text COLLATE "C" NOT NULL,
        version integer NOT NULL,
        config text NOT NULL,
        PRIMARY KEY (tenant_id, export_id)
      );
      CREATE TABLE ${s}.export_ledger (
        tenant_id text COLLATE "C" NOT NULL,
        export_id text COLLATE "C" NOT NULL,
        event_id text COLLATE "C" NOT NULL,
        entry text NOT NULL,
        PRIMARY KEY (tenant_id, export_id, event_id)
      );
      CREATE TABLE ${s}.locks (
        tenant_id text COLLATE "C" NOT NULL PRIMARY KEY,
        owner text NOT NULL,
        token text NOT NULL,
        expires_at bigint NOT NULL
      );
    `,
  },
  {
    // Appends used to move `runs.last_seq`, writing a new version of the run row (beside its plan) on every
    // append. The last seq now lives in a row of its own; `runs.last_seq` is left in place, unused, so that
    // a worker of the previous release that is still running fails its append safely (the journal's primary
    // key refuses a duplicate seq) instead of on a missing column.
    version: 2,
    name: "journal heads: a run's last journal seq in its own row",
    sql: (s) => `
      CREATE TABLE ${s}.journal_heads (
        tenant_id text COLLATE "C" NOT NULL,
        run_id text COLLATE "C" NOT NULL,
        last_seq bigint NOT NULL,
        PRIMARY KEY (tenant_id, run_id)
      );
      INSERT INTO ${s}.journal_heads (tenant_id, run_id, last_seq)
        SELECT tenant_id, run_id, max(seq) FROM ${s}.journal GROUP BY tenant_id, run_id;
    `,
  },
];

/** The schema version this release writes. A database above it is refused with `VersionTooNew`. */
export const LATEST_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;
