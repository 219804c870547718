// One worker process of the fleet test: a fleet on the test's PostgreSQL that builds each school's sync from
// the shared store, the school's FACTS (the test's gateway, over HTTP) and the school's SQLite accounts.
// Directory writes are reported to the test as they happen. With CRASH_SCHOOL set it kills itself (SIGKILL)
// after CRASH_AFTER accounts of that school were written: a death in the middle of an apply.
import { join } from "node:path";
import type { CreateResult, DirectoryError, TargetDirectory } from "@rostersync/core";
import { createFactsClient, createFactsSource } from "@rostersync/facts";
import { createPostgresStore } from "@rostersync/storage-postgres";
import { createSqliteDirectory } from "@rostersync/storage-sqlite";
import { createSync } from "@rostersync/sync";
import { ResultAsync } from "neverthrow";
import { createPostgresFleet } from "../../dist/index.js";
import { apiKeyOf, FLEET_SCHEMA, STORE_SCHEMA, SUBSCRIPTION_KEY, TEST_WINDOWS, type WorkerEvent } from "./world.ts";

const name = process.env.WORKER_NAME ?? "worker";
const url = process.env.PG_URL as string;
const gateway = process.env.GATEWAY_URL as string;
const dataDir = process.env.DATA_DIR as string;
const crashSchool = process.env.CRASH_SCHOOL;
const crashAfter = Number(process.env.CRASH_AFTER ?? "0");
const report = (event: WorkerEvent) => process.send?.(event);

const opened = await createPostgresStore({ connectionString: url, schema: STORE_SCHEMA });
if (opened.isErr()) throw new Error(opened.error.message);
const store = opened.value;

function counted(directory: TargetDirectory, school: string): TargetDirectory {
  let created = 0;
  const count = <T>(r: ResultAsync<T, DirectoryError>, isCreate = false) =>
    r.map((v) => {
      const made = isCreate && (v as CreateResult).created === true;
      report({ type: "write", worker: name, school, created: made });
      return v;
    });
  return {
    ...directory,
    createField: (f) => count(directory.createField(f)),
    createAccount(account, key) {
      if (school === crashSchool && ++created >= crashAfter) {
        // The write lands, the journal never hears of it, and the lease is never given back.
        return count(directory.createAccount(account, key), true).andThen((r) => {
          report({ type: "crashing", worker: name, school, created });
          setTimeout(() => process.kill(process.pid, "SIGKILL"), 100);
          return new ResultAsync<CreateResult, DirectoryError>(new Promise(() => undefined)).map(() => r);
        });
      }
      return count(directory.createAccount(account, key), true);
    },
    linkAccount: (id, sourceId, patch) => count(directory.linkAccount(id, sourceId, patch)),
    updateAccount: (id, patch) => count(directory.updateAccount(id, patch)),
    restoreAccount: (id, patch) => count(directory.restoreAccount(id, patch)),
    archiveAccount: (id) => count(directory.archiveAccount(id)),
  };
}

const fleet = await createPostgresFleet({
  connectionString: url,
  schema: FLEET_SCHEMA,
  windows: TEST_WINDOWS,
  concurrency: Number(process.env.CONCURRENCY ?? "3"),
  heartbeatSeconds: 10,
  pollingIntervalSeconds: 0.5,
  retry: { limit: 10, delaySeconds: 1, maxDelaySeconds: 4 },
  boss: { monitorIntervalSeconds: 1, superviseIntervalSeconds: 1 },
  async open(school, ctx) {
    const client = createFactsClient({
      subscriptionKey: SUBSCRIPTION_KEY,
      apiKey: apiKeyOf(school.tenantId),
      baseUrl: gateway,
      budget: ctx.budget(SUBSCRIPTION_KEY),
    });
    const directory = (await createSqliteDirectory({ path: join(dataDir, `${school.tenantId}.db`) }))._unsafeUnwrap();
    const sync = createSync({
      tenantId: school.tenantId,
      source: createFactsSource({ client }),
      directory: counted(directory, school.tenantId),
      store,
      lockTtlMs: 3000,
    });
    return { sync, store, close: () => directory.close() };
  },
  onJob(job, outcome) {
    report({
      type: "job",
      worker: name,
      school: job.tenantId,
      kind: job.kind,
      did: outcome.did,
      runId: outcome.runId ?? null,
      error: outcome.error === undefined ? null : `${outcome.error.type}: ${outcome.error.message}`,
      retry: outcome.retry,
    });
  },
});
if (fleet.isErr()) throw new Error(fleet.error.message);
const started = await fleet.value.start();
if (started.isErr()) throw new Error(started.error.message);
report({ type: "ready", worker: name });
process.on("message", async (m: { stop?: boolean }) => {
  if (m.stop) {
    await fleet.value.close();
    await store.close();
    process.exit(0);
  }
});
