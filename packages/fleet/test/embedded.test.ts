// The embedded fleet: one process, SQLite only, the FACTS simulator over HTTP.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TargetDirectory } from "@rostersync/core";
import { createFactsClient, createFactsSource } from "@rostersync/facts";
import { createFactsSimulator, type FactsServer, generateSchool, startFactsServer } from "@rostersync/facts/testing";
import { createSqliteDirectory, createSqliteStore, type SqliteStore } from "@rostersync/storage-sqlite";
import { createSync } from "@rostersync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddedFleet, type Fleet, type JobOutcome, type OpenSchool } from "../src/index.ts";
import { studentProfile } from "./helpers/world.ts";

const KEYS = { subscriptionKey: "embedded-sub", apiKey: "embedded-api" };
const PROFILE = studentProfile();

describe("the embedded fleet (SQLite, one process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "rs-fleet-embedded-"));
  const servers = new Map<string, FactsServer>();
  let store: SqliteStore;
  const writes = new Map<string, number>();
  let onCreate: ((school: string, n: number) => void) | null = null;

  const open: OpenSchool = async (school, ctx) => {
    const server = servers.get(school.tenantId) as FactsServer;
    const client = createFactsClient({ ...KEYS, baseUrl: server.url, budget: ctx.budget(KEYS.subscriptionKey) });
    const directory = (await createSqliteDirectory({ path: join(dir, `${school.tenantId}.db`) }))._unsafeUnwrap();
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
      source: createFactsSource({ client }),
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
      // Schools without data errors, so that an unattended run has no new error to stop for.
      const sim = createFactsSimulator({
        school: generateSchool({
          seed: 500 + i,
          people: id === "held" ? 40 : 20,
          schools: ["MAIN"],
          sharedEmailRate: 0,
          missingEmailRate: 0,
          invalidEmailRate: 0,
        }),
        keys: KEYS,
        rateLimit: false,
      });
      servers.set(id, await startFactsServer(sim));
      const client = createFactsClient({ ...KEYS, baseUrl: servers.get(id)?.url });
      const directory = (await createSqliteDirectory({ path: join(dir, `${id}.db`) }))._unsafeUnwrap();
      const sync = createSync({ tenantId: id, source: createFactsSource({ client }), directory, store });
      // A school's first sync is attended (an unattended run never applies it): the admin syncs the
      // kindergarten first; then the setup takes every grade, which the fleet's unattended runs apply.
      const firstGrades = id === "held" ? PROFILE : { ...PROFILE, gradeLevels: ["K"] };
      (await sync.setup(firstGrades))._unsafeUnwrap();
      (await sync.refresh())._unsafeUnwrap();
      const first = (await sync.plan())._unsafeUnwrap();
      (await sync.apply(first.planHash, { acknowledge: first.planHash }))._unsafeUnwrap();
      if (id !== "held") (await sync.setup(PROFILE))._unsafeUnwrap();
      if (id === "held") {
        await servers.get(id)?.close();
        const other = createFactsSimulator({
          school: generateSchool({ seed: 599, people: 12, schools: ["MAIN"] }),
          keys: KEYS,
          rateLimit: false,
        });
        servers.set(id, await startFactsServer(other));
      }
      await directory.close();
    }
  }, 300_000);

  afterAll(async () => {
    for (const s of servers.values()) await s.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("syncs each school, one job at a time, stops a held one and reports it in one digest, reads a paused one", async () => {
    const outcomes: { school: string; outcome: JobOutcome }[] = [];
    const since = new Date(Date.now() - 1000);
    const hour = 3_600_000;
    const fleet: Fleet = (
      await createEmbeddedFleet({
        path: join(dir, "fleet.db"),
        open,
        tickMs: 50,
        onJob: (job, outcome) => outcomes.push({ school: job.tenantId, outcome }),
      })
    )._unsafeUnwrap();
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
    // The admin's attended first sync, then the fleet's two.
    const runs = (await store.listRuns("b"))._unsafeUnwrap();
    expect(runs.map((r) => r.status)).toEqual(["completed", "completed", "completed"]);
    expect(runs.map((r) => r.totalActions).sort((x, y) => x - y)[0]).toBe(0);
    const first = (await fleet.digest({ since }))._unsafeUnwrap();
    const second = (await fleet.digest({ since }))._unsafeUnwrap();
    expect(first.held.map((s) => s.tenantId)).toEqual(["held"]);
    expect(second.held).toEqual([]);
    expect(second.stillHeld).toBe(1);
    await fleet.close();
  }, 300_000);

  it("a job in hand when the fleet stopped resumes its run at the next start, never a second run", async () => {
    const path = join(dir, "fleet-stop.db");
    let first: Fleet | null = null;
    let stopping: Promise<void> | null = null;
    onCreate = (school, n) => {
      if (school === "a" && n === 5 && first !== null) stopping ??= first.close();
    };
    first = (await createEmbeddedFleet({ path, open, tickMs: 50 }))._unsafeUnwrap();
    (await first.addSchool({ tenantId: "a", timeZone: "Asia/Tokyo" }))._unsafeUnwrap();
    (await first.start())._unsafeUnwrap();
    (await first.runNow("a", "sync"))._unsafeUnwrap();
    await until(() => stopping !== null);
    await stopping;
    onCreate = null;
    // Besides the admin's attended first sync, one run: the fleet's, interrupted.
    const before = (await store.listRuns("a"))._unsafeUnwrap();
    expect(before).toHaveLength(2);
    const interrupted = before.filter((r) => r.status !== "completed");
    expect(interrupted).toHaveLength(1);

    const outcomes: JobOutcome[] = [];
    const second = (
      await createEmbeddedFleet({ path, open, tickMs: 50, onJob: (_j, o) => outcomes.push(o) })
    )._unsafeUnwrap();
    (await second.start())._unsafeUnwrap();
    await until(() => outcomes.length >= 1);
    await second.close();
    expect(outcomes[0]).toMatchObject({ did: "resumed", runId: interrupted[0]?.runId });
    // The same run finished; no second one was started.
    const runs = (await store.listRuns("a"))._unsafeUnwrap();
    expect(runs).toHaveLength(2);
    expect(runs.find((r) => r.runId === interrupted[0]?.runId)?.status).toBe("completed");
    expect(runs.every((r) => r.status === "completed")).toBe(true);
  }, 300_000);

  it("opening answers FleetStoreFailed as a value when the file cannot be opened, instead of throwing", async () => {
    const opened = await createEmbeddedFleet({ path: join(dir, "no-such-folder", "fleet.db"), open });
    expect(opened.isErr()).toBe(true);
    expect(opened._unsafeUnwrapErr().type).toBe("FleetStoreFailed");
  });

  it("the shared front: InvalidSchool lists every problem, UnknownSchool names the school, close() is idempotent", async () => {
    const warned: { message: string; data?: Record<string, unknown> }[] = [];
    const fleet = (
      await createEmbeddedFleet({
        path: join(dir, "fleet-front.db"),
        open,
        tickMs: 50,
        // core's Logger: a message and a record.
        logger: { warn: (message, data) => warned.push({ message, ...(data === undefined ? {} : { data }) }) },
      })
    )._unsafeUnwrap();
    const invalid = await fleet.addSchool({ tenantId: " ", timeZone: "Mars/Olympus", nightly: "every night" });
    expect(invalid._unsafeUnwrapErr()).toMatchObject({ type: "InvalidSchool" });
    const problems = invalid.isErr() && invalid.error.type === "InvalidSchool" ? invalid.error.problems : [];
    expect(problems).toHaveLength(3);
    const unknown = await fleet.runNow("nobody", "sync");
    expect(unknown._unsafeUnwrapErr()).toEqual({
      type: "UnknownSchool",
      message: "No school nobody in the fleet.",
      tenantId: "nobody",
    });
    expect((await fleet.status())._unsafeUnwrap()).toEqual([]);
    await fleet.close();
    await fleet.close();
    // `stop()` is the deprecated name of `close()`: a third call is as harmless.
    await fleet.stop();
    expect(warned).toEqual([]);
  });
});
