// One worker of the benchmark: a PostgreSQL fleet whose schools read FACTS through the benchmark's gateway
// under the shared budget, with an in-memory account directory per job (the host's writes are not what is
// measured here). Reports each finished job to the parent over IPC.
import { createMemoryDirectory } from "@rostersync/core";
import { createFactsClient, createFactsSource, type RequestBudget } from "@rostersync/facts";
import { createPostgresStore } from "@rostersync/storage-postgres";
import { createSync } from "@rostersync/sync";
import { createPostgresFleet } from "../dist/index.js";

const setup = JSON.parse(process.argv[2] ?? "{}") as {
  url: string;
  gateway: string;
  windows: { requests: number; windowMs: number }[];
  name: string;
};
const jobs = new Map<string, { openedAt: number; waitMs: number; factsMs: number }>();
const store = (await createPostgresStore({ connectionString: setup.url, schema: "fleet_bench_store" }))._unsafeUnwrap();
const fleet = (
  await createPostgresFleet({
    connectionString: setup.url,
    schema: "fleet_bench",
    windows: setup.windows,
    concurrency: Number(process.env.RS_BENCH_CONCURRENCY ?? 8),
    pollingIntervalSeconds: 0.5,
    open(school, ctx) {
      process.send?.({ school: school.tenantId, opened: true, at: Date.now() });
      // Where a job's time goes: waiting for the budget, in FACTS (granted to released), or elsewhere.
      const shared = ctx.budget("bench-subscription");
      const spent = { openedAt: Date.now(), waitMs: 0, factsMs: 0 };
      jobs.set(school.tenantId, spent);
      const budget: RequestBudget = {
        async take(signal) {
          const asked = Date.now();
          const release = await shared.take(signal);
          const granted = Date.now();
          spent.waitMs += granted - asked;
          return () => {
            spent.factsMs += Date.now() - granted;
            release();
          };
        },
        pause: (ms) => shared.pause(ms),
        estimate: (n) => shared.estimate(n),
        get spent() {
          return shared.spent;
        },
      };
      const client = createFactsClient({
        subscriptionKey: "bench-subscription",
        apiKey: `api-${school.tenantId}`,
        baseUrl: setup.gateway,
        budget,
      });
      const sync = createSync({
        tenantId: school.tenantId,
        source: createFactsSource({ client }),
        directory: createMemoryDirectory(),
        store,
      });
      return { sync, store };
    },
    onJob(job, outcome) {
      const spent = jobs.get(job.tenantId);
      process.send?.({
        school: job.tenantId,
        kind: job.kind,
        did: outcome.did,
        at: Date.now(),
        worker: setup.name,
        jobMs: spent === undefined ? 0 : Date.now() - spent.openedAt,
        waitMs: spent?.waitMs ?? 0,
        factsMs: spent?.factsMs ?? 0,
      });
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
