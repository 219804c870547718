// One worker of the benchmark: a PostgreSQL fleet whose schools read FACTS through the benchmark's gateway
// under the shared budget, with an in-memory account directory per job (the host's writes are not what is
// measured here). Reports each finished job to the parent over IPC.
import { createMemoryDirectory } from "@rostersync/core";
import { createFactsClient, createFactsSource } from "@rostersync/facts";
import { createPostgresStore } from "@rostersync/storage-postgres";
import { createSync } from "@rostersync/sync";
import { createPostgresFleet } from "../dist/index.js";

const setup = JSON.parse(process.argv[2] ?? "{}") as {
  url: string;
  gateway: string;
  windows: { requests: number; windowMs: number }[];
  name: string;
};
const store = (await createPostgresStore({ connectionString: setup.url, schema: "fleet_bench_store" }))._unsafeUnwrap();
const fleet = (
  await createPostgresFleet({
    connectionString: setup.url,
    schema: "fleet_bench",
    windows: setup.windows,
    concurrency: 4,
    pollingIntervalSeconds: 0.5,
    open(school, ctx) {
      process.send?.({ school: school.tenantId, opened: true, at: Date.now() });
      const client = createFactsClient({
        subscriptionKey: "bench-subscription",
        apiKey: `api-${school.tenantId}`,
        baseUrl: setup.gateway,
        budget: ctx.budget("bench-subscription"),
      });
      const sync = createSync({
        tenantId: school.tenantId,
        source: createFactsSource(client),
        directory: createMemoryDirectory(),
        store,
      });
      return { sync, store };
    },
    onJob(job, outcome) {
      process.send?.({ school: job.tenantId, kind: job.kind, did: outcome.did, at: Date.now(), worker: setup.name });
    },
  })
)._unsafeUnwrap();
(await fleet.start())._unsafeUnwrap();
process.send?.({ ready: true });
process.on("message", async (m: { stop?: boolean }) => {
  if (m.stop) {
    await fleet.close();
    await store.close();
    process.exit(0);
  }
});
