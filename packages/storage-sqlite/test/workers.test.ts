import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createSqliteStore } from "@rostersync/storage-sqlite";
import { checkLeaseWorkload, prepareLeaseWorkload } from "@rostersync/testing/store";
import { afterAll, describe, expect, it } from "vitest";
import { forkWorkers } from "../../testing/support/fork-workers.ts";

const dir = mkdtempSync(join(tmpdir(), "rs-sqlite-workers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const workload = { schools: 20, lines: 30 };
const WORKERS = 4;
const worker = fileURLToPath(new URL("./fixtures/lease-worker.ts", import.meta.url));

describe("SQLite leases across processes on one file", () => {
  it(`${WORKERS} worker processes share ${workload.schools} schools: complete journals, no overlap, no row lost`, async () => {
    const path = join(dir, "shared.sqlite");
    const store = (await createSqliteStore({ path }))._unsafeUnwrap();
    try {
      await prepareLeaseWorkload(store, workload);
      const reports = await forkWorkers(worker, WORKERS, (i) => [
        path,
        `worker-${i}`,
        String(workload.schools),
        String(workload.lines),
      ]);
      await checkLeaseWorkload(store, reports, workload);
      expect(store.getInstance().prepare("SELECT count(*) AS n FROM locks").get()?.n).toBe(0);
    } finally {
      await store.close();
    }
  }, 300_000);
});
