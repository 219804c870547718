import type { SyncStore } from "@rostersync/core";
import { createPostgresStore, type PostgresStore } from "@rostersync/storage-postgres";
import { runStoreConformance } from "@rostersync/testing/store";
import pg from "pg";
import { afterAll, describe, inject } from "vitest";

const url = inject("pgUrl");

describe.skipIf(!url)(`postgres (${url ? "real server" : inject("pgSkipReason")})`, () => {
  const pool = new pg.Pool({ connectionString: url ?? "", max: 40 });
  afterAll(() => pool.end());
  let schemas = 0;

  const openOn = async (schema: string): Promise<PostgresStore> => {
    const opened = await createPostgresStore({ pool, schema });
    if (opened.isErr()) throw new Error(opened.error.message);
    return opened.value;
  };

  runStoreConformance("postgres", () => openOn(`conformance_${process.pid}_${++schemas}`), {
    reopen: (store: SyncStore) => openOn((store as PostgresStore).schema),
  });
});
