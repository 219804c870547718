// The fleet end to end: real PostgreSQL, real worker processes, real HTTP. Every school's FACTS is a
// simulator behind one gateway that enforces one subscription key's limit (FACTS's two windows, scaled
// down), as FACTS would for a vendor's key. RS_FLEET_SCHOOLS sets the number of schools (default 40 to keep CI short; RS_FLEET_SCHOOLS=200 is the full night).
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFactsClient, createFactsSource } from "@rostersync/facts";
import { createFactsSimulator, generateSchool } from "@rostersync/facts/testing";
import { createPostgresStore, type PostgresStore } from "@rostersync/storage-postgres";
import { createSqliteDirectory } from "@rostersync/storage-sqlite";
import { createSync } from "@rostersync/sync";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createPostgresFleet, type Fleet, type SchoolStatus } from "../src/index.ts";
import { startGateway } from "./helpers/gateway.ts";
import {
  apiKeyOf,
  FLEET_SCHEMA,
  PROFILE,
  STORE_SCHEMA,
  SUBSCRIPTION_KEY,
  schoolIds,
  TEST_WINDOWS,
  type WorkerEvent,
} from "./helpers/world.ts";

const pgUrl = inject("pgUrl");
const COUNT = Math.max(4, Number(process.env.RS_FLEET_SCHOOLS ?? 40));
const WORKER = join(import.meta.dirname, "helpers", "fleet-worker.ts");
const ids = schoolIds(COUNT);
const CRASHED = ids[0] as string;
const HELD = ids[1] as string;
const PAUSED = ids[2] as string;

/** The value of a result, or a throw that names the error. */
function must<T>(r: { isOk(): boolean; value?: T; error?: unknown }): T {
  if (r.isOk()) return r.value as T;
  throw new Error(`unexpected error: ${JSON.stringify(r.error)}`);
}

const simOf = (tenantId: string, seed: number, people: number) =>
  createFactsSimulator({
    // Without data errors, so that an unattended run has no new error to stop for.
    school: generateSchool({
      seed,
      people,
      schools: ["MAIN"],
      sharedEmailRate: 0,
      missingEmailRate: 0,
      invalidEmailRate: 0,
    }),
    keys: { subscriptionKey: SUBSCRIPTION_KEY, apiKey: apiKeyOf(tenantId) },
    rateLimit: false,
  });

describe.skipIf(pgUrl === null)(`the fleet: ${COUNT} schools, 4 worker processes, one FACTS key`, () => {
  const url = pgUrl as string;
  const gateway = startGateway(TEST_WINDOWS);
  const dataDir = mkdtempSync(join(tmpdir(), "rs-fleet-test-"));
  let store: PostgresStore;
  let control: Fleet;
  const events: WorkerEvent[] = [];
  const workers: ChildProcess[] = [];
  let gatewayUrl = "";
  let crashedRunId: string | null = null;
  let heldReportedBefore: SchoolStatus | undefined;
  let firstDigest: Awaited<ReturnType<Fleet["digest"]>> | null = null;
  let secondDigest: Awaited<ReturnType<Fleet["digest"]>> | null = null;
  let statuses: readonly SchoolStatus[] = [];
  /** Accounts the admin's attended first sync made, per school (before the fleet's night). */
  const firstAccounts = new Map<string, number>();
  const since = new Date(Date.now() - 1000);

  const spawnWorker = (name: string, env: Record<string, string> = {}) => {
    const child = fork(WORKER, [], {
      env: { ...process.env, WORKER_NAME: name, PG_URL: url, GATEWAY_URL: gatewayUrl, DATA_DIR: dataDir, ...env },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.on("message", (e: WorkerEvent) => events.push(e));
    workers.push(child);
    const ready = new Promise<void>((resolve) =>
      child.on("message", (e: WorkerEvent) => e.type === "ready" && resolve()),
    );
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.once("exit", (code, signal) => resolve(signal ?? code)),
    );
    return { child, ready, exited };
  };
  const terminal = (school: string) =>
    events.some((e) => e.type === "job" && e.school === school && e.kind === "sync" && !e.retry);

  beforeAll(async () => {
    const admin = new pg.Pool({ connectionString: url, max: 2 });
    for (const s of [STORE_SCHEMA, FLEET_SCHEMA, `${FLEET_SCHEMA}_boss`])
      await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await admin.end();
    gatewayUrl = await gateway.listen();
    store = must(await createPostgresStore({ connectionString: url, schema: STORE_SCHEMA }));

    // The admin's part for every school: setup, a first review, decisions (outside the limit).
    ids.forEach((id, i) => {
      gateway.routes.set(apiKeyOf(id), id === HELD ? simOf(id, 9000, 40) : simOf(id, 1000 + i, 16));
    });
    for (const id of ids) {
      const client = createFactsClient({
        subscriptionKey: SUBSCRIPTION_KEY,
        apiKey: apiKeyOf(id),
        baseUrl: gatewayUrl,
        budget: { windows: [{ requests: 10_000, windowMs: 1000 }] },
      });
      const directory = (await createSqliteDirectory({ path: join(dataDir, `${id}.db`) }))._unsafeUnwrap();
      const sync = createSync({ tenantId: id, source: createFactsSource({ client }), directory, store });
      if (id !== HELD) {
        // A school's first sync is attended (an unattended run never applies it): the admin syncs the
        // kindergarten; the setup then takes every grade, which tonight's unattended runs apply.
        must(await sync.setup({ ...PROFILE, gradeLevels: ["K"] }));
        must(await sync.refresh());
        const first = must(await sync.plan());
        must(await sync.apply(first.planHash, { acknowledge: first.planHash }));
        firstAccounts.set(id, must(await directory.listAccounts()).length);
      }
      must(await sync.setup(PROFILE));
      const review = must(await sync.refresh());
      must(
        await sync.decide((d) => {
          let draft = d;
          for (const g of review.duplicateGroups)
            draft = draft.resolveDuplicate(g.email, [...g.members].sort()[0] ?? "");
          return draft.recordDefaults().markReviewed();
        }),
      );
      if (id === HELD) {
        // Synced once with 40 people; tonight FACTS lists other people: archiving all of them is held (R10).
        const plan = must(await sync.plan());
        must(await sync.apply(plan));
        gateway.routes.set(apiKeyOf(id), simOf(id, 9001, 16));
      }
      await directory.close();
    }
    gateway.limiter.reset();
    gateway.perKey.clear();
    gateway.state.limiting = true;

    // The fleet as the host's admin process sees it: it adds schools and reads status; it works no jobs.
    control = must(
      await createPostgresFleet({
        connectionString: url,
        schema: FLEET_SCHEMA,
        windows: TEST_WINDOWS,
        open: () => {
          throw new Error("the control process works no jobs");
        },
      }),
    );
    const hour = 3_600_000;
    for (const id of ids) {
      const pauses =
        id === PAUSED
          ? [
              {
                from: new Date(Date.now() - hour).toISOString(),
                to: new Date(Date.now() + hour).toISOString(),
                reason: "summer rollover",
              },
            ]
          : [];
      must(await control.addSchool({ tenantId: id, timeZone: "America/Chicago", pauses }));
    }

    // A worker dies in the middle of applying the first school.
    const crasher = spawnWorker("worker-0", { CRASH_SCHOOL: CRASHED, CRASH_AFTER: "5", CONCURRENCY: "1" });
    await crasher.ready;
    must(await control.runNow(CRASHED, "sync"));
    expect(await crasher.exited).toBe("SIGKILL");
    const runs = must(await store.listRuns(CRASHED));
    crashedRunId = runs.find((r) => r.status === "running")?.runId ?? null;

    // Four workers, and the night's sync of every other school.
    const four = ["worker-1", "worker-2", "worker-3", "worker-4"].map((n) => spawnWorker(n));
    await Promise.all(four.map((w) => w.ready));
    for (const id of ids.slice(1)) must(await control.runNow(id, "sync"));
    const deadline = Date.now() + 240_000;
    while (!ids.every(terminal) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));

    statuses = must(await control.status());
    heldReportedBefore = statuses.find((s) => s.tenantId === HELD);
    firstDigest = await control.digest({ since });
    secondDigest = await control.digest({ since });
  }, 400_000);

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.send({ stop: true });
    await Promise.all(
      workers.map((w) =>
        w.exitCode === null && w.signalCode === null
          ? new Promise((resolve) => {
              const t = setTimeout(() => w.kill("SIGKILL"), 15_000);
              w.once("exit", () => resolve(clearTimeout(t)));
            })
          : undefined,
      ),
    );
    await control?.close();
    await store?.close();
    await gateway.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 300_000);

  it("every school's night ended (no job left failing)", () => {
    const unfinished = ids.filter((id) => !terminal(id));
    expect(unfinished).toEqual([]);
    const failedJobs = events.filter((e) => e.type === "job" && e.did === "failed");
    expect(failedJobs).toEqual([]);
  });

  it("no 429 reached FACTS and no window ever held more than the key's limit", () => {
    expect(gateway.state.refused).toBe(0);
    const [long, short] = gateway.limiter.maxPerWindow();
    expect(long).toBeLessThanOrEqual(TEST_WINDOWS[0]?.requests as number);
    expect(short).toBeLessThanOrEqual(TEST_WINDOWS[1]?.requests as number);
  });

  it("each school was synced exactly once: one completed run, every account written once", async () => {
    for (const id of ids) {
      if (id === HELD || id === PAUSED) continue;
      const runs = (await store.listRuns(id))._unsafeUnwrap();
      // Tonight's run, and the admin's attended first sync before it.
      expect(
        runs.map((r) => r.status),
        id,
      ).toEqual(["completed", "completed"]);
      const directory = (await createSqliteDirectory({ path: join(dataDir, `${id}.db`) }))._unsafeUnwrap();
      const accounts = (await directory.listAccounts())._unsafeUnwrap();
      await directory.close();
      const created = events.filter((e) => e.type === "write" && e.school === id && e.created).length;
      expect(created, id).toBe(accounts.length - (firstAccounts.get(id) ?? 0));
      expect(new Set(accounts.map((a) => a.sourceId)).size, id).toBe(accounts.length);
    }
  });

  it("a worker SIGKILLed mid-apply: its school finishes on another worker, the same run, once, one audit record", async () => {
    expect(crashedRunId).not.toBeNull();
    const runs = (await store.listRuns(CRASHED))._unsafeUnwrap();
    // The same run finished (besides the admin's first sync); no second one was started tonight.
    expect(runs).toHaveLength(2);
    expect(runs.find((r) => r.runId === crashedRunId)?.status).toBe("completed");
    expect(runs.every((r) => r.status === "completed")).toBe(true);
    // The sync job only: an hours cron (every 15 minutes) may tick for the school meanwhile.
    const finished = events.filter((e) => e.type === "job" && e.school === CRASHED && e.kind === "sync" && !e.retry);
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ did: "resumed", runId: crashedRunId });
    expect((finished[0] as { worker: string }).worker).not.toBe("worker-0");
    const byWorker = new Set(events.filter((e) => e.type === "write" && e.school === CRASHED).map((e) => e.worker));
    expect(byWorker.has("worker-0")).toBe(true);
    expect(byWorker.size).toBe(2);
    const audit = (await store.listAudit(CRASHED))._unsafeUnwrap();
    expect(audit.filter((a) => a.runId === crashedRunId)).toHaveLength(1);
  });

  it("a held school is in status() and in one digest, and is not applied", async () => {
    expect(heldReportedBefore?.state).toBe("held");
    expect(heldReportedBefore?.held?.holds.length).toBeGreaterThan(0);
    expect(heldReportedBefore?.held?.planHash).toMatch(/\S/);
    expect(firstDigest?.isOk()).toBe(true);
    expect(firstDigest?._unsafeUnwrap().held.map((s) => s.tenantId)).toEqual([HELD]);
    expect(secondDigest?._unsafeUnwrap().held).toEqual([]);
    expect(secondDigest?._unsafeUnwrap().stillHeld).toBe(1);
    // Only the run of the admin's first sync; tonight wrote nothing.
    expect((await store.listRuns(HELD))._unsafeUnwrap()).toHaveLength(1);
    expect(events.filter((e) => e.type === "write" && e.school === HELD)).toEqual([]);
  });

  it("a pause window holds the apply and lets the read run", async () => {
    const status = statuses.find((s) => s.tenantId === PAUSED);
    expect(status?.paused?.reason).toBe("summer rollover");
    expect(status?.pendingWrites).toBeGreaterThan(0);
    expect(gateway.perKey.get(apiKeyOf(PAUSED)) ?? 0).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === "write" && e.school === PAUSED)).toEqual([]);
    // Only the admin's first sync: the night applied nothing.
    expect((await store.listRuns(PAUSED))._unsafeUnwrap()).toHaveLength(1);
    expect(events.find((e) => e.type === "job" && e.school === PAUSED && e.kind === "sync")).toMatchObject({
      did: "read-only",
    });
  });

  it("status() shows the last success and the next runs in the school's time zone", () => {
    const ok = statuses.find((s) => s.tenantId === ids[3]);
    expect(ok?.state).toBe("ok");
    expect(ok?.lastSuccess?.runId).toMatch(/\S/);
    expect(ok?.nextRuns.sync).not.toBeNull();
    // 02:00 in Chicago is 07:00 or 08:00 UTC.
    expect(new Date(ok?.nextRuns.sync as string).getUTCHours()).toBeOneOf([7, 8]);
  });
});
