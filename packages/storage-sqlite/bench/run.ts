// Storage benchmark on SQLite: a WAL file in a temporary folder (durability "normal", the default) and
// ":memory:". Run: pnpm --filter @rostersync/storage-sqlite build, then node --expose-gc bench/run.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createSqliteStore } from "@rostersync/storage-sqlite";
import { benchStore, printTable, saveResults } from "../../testing/bench/workload.ts";

const dir = mkdtempSync(join(tmpdir(), "rs-sqlite-bench-"));
try {
  const file = (await createSqliteStore({ path: join(dir, "bench.sqlite") }))._unsafeUnwrap();
  const rows = await benchStore("sqlite file (WAL)", file);
  const memory = (await createSqliteStore({ path: ":memory:" }))._unsafeUnwrap();
  rows.push(...(await benchStore("sqlite :memory:", memory)));
  printTable(rows);
  console.log(`\nwrote ${saveResults(fileURLToPath(new URL("./results", import.meta.url)), "sqlite", rows)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
