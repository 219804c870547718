// The fleet's tables on PostgreSQL (schema.ts creates them): schools, their status, jobs' first attempts.
import type pg from "pg";
import type { FleetTables } from "./jobs.js";
import { quoteIdent } from "./schema.js";
import { EMPTY_STATUS, type StoredStatus } from "./status.js";
import type { FleetSchool, JobKind } from "./types.js";

/** The fleet's tables in `schema` over `pool`. */
export function postgresTables(pool: pg.Pool, schemaName: string): FleetTables {
  const s = quoteIdent(schemaName);
  return {
    async saveSchool(school) {
      await pool.query(
        `INSERT INTO ${s}.schools (tenant_id, settings) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET settings = EXCLUDED.settings`,
        [school.tenantId, JSON.stringify(school)],
      );
    },
    async removeSchool(tenantId) {
      await pool.query(`DELETE FROM ${s}.schools WHERE tenant_id = $1`, [tenantId]);
    },
    async school(tenantId) {
      const r = await pool.query<{ settings: FleetSchool }>(`SELECT settings FROM ${s}.schools WHERE tenant_id = $1`, [
        tenantId,
      ]);
      return r.rows[0]?.settings ?? null;
    },
    async schools() {
      const r = await pool.query<{ settings: FleetSchool }>(`SELECT settings FROM ${s}.schools ORDER BY tenant_id`);
      return r.rows.map((row) => row.settings);
    },
    async statuses() {
      const r = await pool.query<{ tenant_id: string; state: StoredStatus }>(
        `SELECT tenant_id, state FROM ${s}.status`,
      );
      return new Map(r.rows.map((row) => [row.tenant_id, { ...EMPTY_STATUS, ...row.state }]));
    },
    async updateStatus(tenantId, change) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query(
          `INSERT INTO ${s}.status (tenant_id, state) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING`,
          [tenantId, JSON.stringify(EMPTY_STATUS)],
        );
        const r = await client.query<{ state: StoredStatus }>(
          `SELECT state FROM ${s}.status WHERE tenant_id = $1 FOR UPDATE`,
          [tenantId],
        );
        const next = change({ ...EMPTY_STATUS, ...r.rows[0]?.state });
        await client.query(`UPDATE ${s}.status SET state = $2, updated_at = now() WHERE tenant_id = $1`, [
          tenantId,
          JSON.stringify(next),
        ]);
        await client.query("COMMIT");
        return next;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async jobStarted(jobId: string, tenantId: string, kind: JobKind, knownRuns: readonly string[]) {
      await pool.query(
        `INSERT INTO ${s}.jobs (job_id, tenant_id, kind, known_runs) VALUES ($1, $2, $3, $4)
         ON CONFLICT (job_id) DO NOTHING`,
        [jobId, tenantId, kind, JSON.stringify(knownRuns)],
      );
      const r = await pool.query<{ known_runs: string[] }>(`SELECT known_runs FROM ${s}.jobs WHERE job_id = $1`, [
        jobId,
      ]);
      return r.rows[0]?.known_runs ?? [];
    },
    async close() {},
  };
}
