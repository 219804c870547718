import { fileURLToPath } from "node:url";
import { createPostgresStore } from "@rostersync/storage-postgres";
import { checkLeaseWorkload, prepareLeaseWorkload } from "@rostersync/testing/store";
import { describe, expect, inject, it } from "vitest";
import { forkWorkers } from "../../testing/support/fork-workers.ts";

const url = inject("pgUrl");
const workload = { schools: 50, lines: 40 };
const WORKERS = 4;
const worker = fileURLToPath(new URL("./fixtures/lease-worker.ts", import.meta.url));

describe.skipIf(!url)(`postgres leases across processes (${url ? "real server" : inject("pgSkipReason")})`, () => {
  it(`${WORKERS} worker processes share ${workload.schools} schools: complete journals, no overlap, no row lost`, async () => {
    const schema = `workers_${process.pid}`;
    const store = (await createPostgresStore({ connectionString: url ?? "", schema }))._unsafeUnwrap();
    try {
      await prepareLeaseWorkload(store, workload);
      const reports = await forkWorkers(worker, WORKERS, (i) => [
        url ?? "",
        schema,
        `worker-${i}`,
        String(workload.schools),
        String(workload.lines),
      ]);
      await checkLeaseWorkload(store, reports, workload);
      const { rows } = await store.getInstance().query(`SELECT count(*)::int AS n FROM "${schema}".locks`);
      expect(rows[0]?.n).toBe(0);
    } finally {
      await store.close();
    }
  }, 300_000);
});
