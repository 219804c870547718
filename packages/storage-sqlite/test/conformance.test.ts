import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SyncStore } from "@rostersync/core";
import { createSqliteStore, type SqliteStore } from "@rostersync/storage-sqlite";
import { runStoreConformance } from "@rostersync/testing/store";
import { afterAll } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "rs-sqlite-conformance-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const openAt = async (path: string): Promise<SqliteStore> => {
  const opened = await createSqliteStore({ path });
  if (opened.isErr()) throw new Error(opened.error.message);
  return opened.value;
};

runStoreConformance("sqlite file", () => openAt(join(dir, `store-${++files}.db`)), {
  reopen: (store: SyncStore) => openAt((store as SqliteStore).getInstance().location() ?? ":memory:"),
});
runStoreConformance("sqlite :memory:", () => openAt(":memory:"));
