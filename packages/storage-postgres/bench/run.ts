// Storage benchmark on PostgreSQL: RS_PG_URL if set, else a private PostgreSQL 15 started for the run
// (with fsync and synchronous_commit on, like a real server). Run: pnpm --filter
// @rostersync/storage-postgres build, then node --expose-gc bench/run.ts
import { fileURLToPath } from "node:url";
import { createPostgresStore } from "@rostersync/storage-postgres";
import { benchStore, printTable, saveResults } from "../../testing/bench/workload.ts";
import { missingPostgres, startPostgres } from "../../testing/src/postgres-server.ts";

const missing = process.env.RS_PG_URL ? null : missingPostgres();
if (missing) {
  console.error(`!! storage-postgres bench skipped: ${missing}`);
  process.exit(0);
}
const server = process.env.RS_PG_URL ? undefined : await startPostgres({ durable: true });
try {
  const url = process.env.RS_PG_URL ?? server?.url ?? "";
  const schema = `bench_${Date.now()}`;
  const store = (await createPostgresStore({ connectionString: url, schema }))._unsafeUnwrap();
  const rows = await benchStore(`postgres${server ? " (private, fsync on)" : ""}`, store);
  printTable(rows);
  console.log(`\nwrote ${saveResults(fileURLToPath(new URL("./results", import.meta.url)), "postgres", rows)}`);
} finally {
  server?.stop();
}
