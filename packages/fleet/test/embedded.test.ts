// The embedded fleet: one process, SQLite only, the FACTS simulator over HTTP.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TargetDirectory } from "@rostersync/core";
import { createFactsClient, createFactsSource } from "@rostersync/facts";
import {
  createFactsSimulator,
  FACTS_GRADE_CODES,
  type FactsServer,
  generateSchool,
  startFactsServer,
} from "@rostersync/facts/testing";
import { createSqliteStore, type SqliteStore } from "@rostersync/storage-sqlite";
import { createSqliteDirectory, createSync } from "@rostersync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddedFleet, type Fleet, type JobOutcome, type OpenSchool } from "../src/index.ts";

const KEYS = { subscriptionKey: "embedded-sub", apiKey: "embedded-api" };
const PROFILE = {
  role: "student" as const,
  schools: ["MAIN"],
  gradeLevels: [...FACTS_GRADE_CODES],
  fieldMap: [],
  defaultSelection: true,
  hoursSync: { enabled: false, historicImportDone: false },
};

describe("the embedded fleet (SQLite, one process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "rs-fleet-embedded-"));
  const servers = new Map<string, FactsServer>();
  let store: SqliteStore;
  const writes = new Map<string, number>();
  let onCreate: ((school: string, n: number) => void) | null = null;

  const open: OpenSchool = (school, ctx) => {
    const server = servers.get(school.tenantId) as FactsServer;
    const client = createFactsClient({ ...KEYS, baseUrl: server.url, budget: ctx.budget(KEYS.subscriptionKey) });
    const directory = createSqliteDirectory({ path: join(dir, `${school.tenantId}.db`) });
    const counted: TargetDirectory = {
      ...directory,
      createAccount(account, key) {
        const n = (writes.get(school.tenantId) ?? 0) + 1;
        writes.set(school.tenantId, n);
        onCreate?.(school.tenantId, n);
        return directory.createAccount(account, key);
      },
    };
    const sync = createSync({
      tenantId: school.tenantId,
      source: createFactsSource(client),
      directory: counted,
      store,
    });
    return { sync, store, close: () => directory.close() };
  };

  const until = async (done: () => boolean) => {
    for (let i = 0; i < 600 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
  };

  beforeAll(async () => {
    store = (await createSqliteStore({ path: join(dir, "store.db") }))._unsafeUnwrap();
    for (const [i, id] of ["a", "b", "held", "paused"].entries()) {
      const sim = createFactsSimulator({
        school: generateSchool({ seed: 500 + i, people: id === "held" ? 40 : 20, schools: ["MAIN"] }),
        keys: KEYS,
        rateLimit: false,
      });
      servers.set(id, await startFactsServer(sim));
      const client = createFactsClient({ ...KEYS, baseUrl: servers.get(id)?.url });
      const directory = createSqliteDirectory({ path: join(dir, `${id}.db`) });
      const sync = createSync({ tenantId: id, source: createFactsSource(client), directory, store });
      (await sync.setup(PROFILE))._unsafeUnwrap();
      const review = (await sync.refresh())._unsafeUnwrap();
      (
        await sync.decide((d) => {
          let draft = d;
          for (const g of review.duplicateGroups)
            draft = draft.resolveDuplicate(g.email, [...g.members].sort()[0] ?? "");
          return draft.recordDefaults().markReviewed();
        })
      )._unsafeUnwrap();
      if (id === "held") {
        (await sync.apply((await sync.plan())._unsafeUnwrap()))._unsafeUnwrap();
        await servers.get(id)?.close();
        const other = createFactsSimulator({
          school: generateSchool({ seed: 599, people: 12, schools: ["MAIN"] }),
          keys: KEYS,
          rateLimit: false,
        });
        servers.set(id, await startFactsServer(other));
      }
      directory.close();
    }
  }, 60_000);

  afterAll(async () => {
    for (const s of servers.values()) await s.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("syncs each school, one job at a time, stops a held one and reports it in one digest, reads a paused one", async () => {
    const outcomes: { school: string; outcome: JobOutcome }[] = [];
    const since = new Date(Date.now() - 1000);
    const hour = 3_600_000;
    const fleet: Fleet = createEmbeddedFleet({
      path: join(dir, "fleet.db"),
      open,
      tickMs: 50,
      onJob: (job, outcome) => outcomes.push({ school: job.tenantId, outcome }),
    });
    for (const id of ["b", "held"])
      (await fleet.addSchool({ tenantId: id, timeZone: "Europe/Dublin" }))._unsafeUnwrap();
    (
      await fleet.addSchool({
        tenantId: "paused",
        timeZone: "Europe/Dublin",
        pauses: [{ from: new Date(Date.now() - hour).toISOString(), to: new Date(Date.now() + hour).toISOString() }],
      })
    )._unsafeUnwrap();
    (await fleet.start())._unsafeUnwrap();
    for (const id of ["b", "held", "paused", "b"]) (await fleet.runNow(id, "sync"))._unsafeUnwrap();
    await until(() => outcomes.length >= 4);
    expect(outcomes.map((o) => `${o.school}:${o.outcome.did}`).sort()).toEqual([
      "b:applied",
      "b:applied",
      "held:held",
      "paused:read-only",
    ]);
    const status = (await fleet.status())._unsafeUnwrap();
    expect(status.find((s) => s.tenantId === "held")?.state).toBe("held");
    expect(status.find((s) => s.tenantId === "paused")?.paused).toBeDefined();
    expect(writes.get("paused") ?? 0).toBe(0);
    // The second job of b waited for the first (one job per school at a time): its plan wrote nothing.
    const runs = (await store.listRuns("b"))._unsafeUnwrap();
    expect(runs.map((r) => r.status)).toEqual(["completed", "completed"]);
    expect(runs.map((r) => r.totalActions).sort((x, y) => x - y)[0]).toBe(0);
    const first = (await fleet.digest({ since }))._unsafeUnwrap();
    const second = (await fleet.digest({ since }))._unsafeUnwrap();
    expect(first.held.map((s) => s.tenantId)).toEqual(["held"]);
    expect(second.held).toEqual([]);
    expect(second.stillHeld).toBe(1);
    await fleet.stop();
  }, 60_000);

  it("a job in hand when the fleet stopped resumes its run at the next start, never a second run", async () => {
    const path = join(dir, "fleet-stop.db");
    let first: Fleet | null = null;
    let stopping: Promise<void> | null = null;
    onCreate = (school, n) => {
      if (school === "a" && n === 5 && first !== null) stopping ??= first.stop();
    };
    first = createEmbeddedFleet({ path, open, tickMs: 50 });
    (await first.addSchool({ tenantId: "a", timeZone: "Asia/Tokyo" }))._unsafeUnwrap();
    (await first.start())._unsafeUnwrap();
    (await first.runNow("a", "sync"))._unsafeUnwrap();
    await until(() => stopping !== null);
    await stopping;
    onCreate = null;
    const interrupted = (await store.listRuns("a"))._unsafeUnwrap();
    expect(interrupted).toHaveLength(1);
    expect(interrupted[0]?.status).not.toBe("completed");

    const outcomes: JobOutcome[] = [];
    const second = createEmbeddedFleet({ path, open, tickMs: 50, onJob: (_j, o) => outcomes.push(o) });
    (await second.start())._unsafeUnwrap();
    await until(() => outcomes.length >= 1);
    await second.stop();
    expect(outcomes[0]).toMatchObject({ did: "resumed", runId: interrupted[0]?.runId });
    const runs = (await store.listRuns("a"))._unsafeUnwrap();
    expect(runs.map((r) => [r.runId, r.status])).toEqual([[interrupted[0]?.runId, "completed"]]);
  }, 60_000);
});
