// The fleet's own tables, beside pg-boss's schema and the SyncStore's: the shared request budget and
// what the fleet knows about each school. Created idempotently under an advisory lock, so that workers
// starting together do not race.
import type pg from "pg";

/** Quotes a PostgreSQL identifier (a schema name from options). */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`Not a usable schema name: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

const statements = (s: string) => [
  `CREATE SCHEMA IF NOT EXISTS ${s}`,
  `CREATE TABLE IF NOT EXISTS ${s}.budget_keys (
     key_digest text PRIMARY KEY,
     paused_until bigint NOT NULL DEFAULT 0
   )`,
  `CREATE TABLE IF NOT EXISTS ${s}.budget_requests (
     id bigserial PRIMARY KEY,
     key_digest text NOT NULL,
     school text NOT NULL,
     granted_at bigint NOT NULL,
     responded_at bigint,
     waiter_id bigint
   )`,
  `CREATE INDEX IF NOT EXISTS budget_requests_by_key ON ${s}.budget_requests (key_digest, granted_at)`,
  `CREATE TABLE IF NOT EXISTS ${s}.budget_waiters (
     id bigserial PRIMARY KEY,
     key_digest text NOT NULL,
     school text NOT NULL,
     owner text NOT NULL,
     seen_at bigint NOT NULL,
     request_id bigint
   )`,
  `CREATE INDEX IF NOT EXISTS budget_waiters_by_key ON ${s}.budget_waiters (key_digest, request_id)`,
  `CREATE TABLE IF NOT EXISTS ${s}.schools (
     tenant_id text PRIMARY KEY,
     settings jsonb NOT NULL,
     added_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE IF NOT EXISTS ${s}.status (
     tenant_id text PRIMARY KEY,
     state jsonb NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE IF NOT EXISTS ${s}.jobs (
     job_id text PRIMARY KEY,
     tenant_id text NOT NULL,
     kind text NOT NULL,
     known_runs jsonb NOT NULL,
     started_at timestamptz NOT NULL DEFAULT now()
   )`,
];

/** Creates the fleet's tables in `schema` when they are missing. */
export async function migrateFleetSchema(pool: pg.Pool, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [`rostersync-fleet:${schema}`]);
    try {
      for (const sql of statements(s)) await client.query(sql);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [`rostersync-fleet:${schema}`]);
    }
  } finally {
    client.release();
  }
}
