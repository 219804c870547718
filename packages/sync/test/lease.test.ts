import {
  createMemoryDirectory,
  createMemoryStore,
  type Lease,
  type StoreError,
  type SyncStore,
  type TargetDirectory,
} from "@rostersync/core";
import { ResultAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { resumeRun, startRun } from "../src/apply.js";
import { storeFailed } from "../src/errors.js";
import { duplicates, engineContext, handPlan, verified } from "./helpers/engine.js";

/** Lets the other tasks of the test run (their store calls and writes) before going on. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A hand-moved clock shared by every worker of a test. */
function manualClock(start = 1_000_000) {
  const clock = { at: start, now: () => clock.at };
  return clock;
}

/** Ids `prefix-1`, `prefix-2`, …: a second worker's ids must not collide with the first's. */
function counter(prefix: string): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

/** `store`, with `hook` run before every `acquireLock` (an interleaving point). */
function beforeAcquire(store: SyncStore, hook: () => Promise<void>): SyncStore {
  return new Proxy(store, {
    get: (target, property, receiver) =>
      property === "acquireLock"
        ? (...args: Parameters<SyncStore["acquireLock"]>) =>
            ResultAsync.fromSafePromise(hook()).andThen(() => store.acquireLock(...args))
        : Reflect.get(target, property, receiver),
  });
}

/**
 * `directory` whose account writes take `msPerWrite` of `clock` time and a few event-loop turns, counting
 * how many writes (of any worker) are under way at once. `as(who)` is the directory one worker sees.
 */
function slowDirectory(directory: TargetDirectory, clock: { at: number }, msPerWrite: number) {
  const seen = { active: 0, maxActive: 0, writes: [] as string[] };
  const as = (who: string): TargetDirectory => ({
    ...directory,
    createAccount: (account, key) =>
      new ResultAsync(
        (async () => {
          seen.active++;
          seen.maxActive = Math.max(seen.maxActive, seen.active);
          seen.writes.push(who);
          for (let i = 0; i < 3; i++) await turn();
          clock.at += msPerWrite;
          const written = await directory.createAccount(account, key);
          seen.active--;
          return written;
        })(),
      ),
  });
  return { seen, as };
}

describe("run lease (docs/applying.md)", () => {
  it("takes the lease before reading the run: a resume of a run finished meanwhile returns it as recorded", async () => {
    const store = createMemoryStore();
    const directory = createMemoryDirectory();
    const clock = manualClock();
    // Worker A applies and is held in the middle of its writes until B's resume is under way.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached!: () => void;
    const atGate = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const held: TargetDirectory = {
      ...directory,
      createAccount: (account, key) =>
        new ResultAsync(
          (async () => {
            if (key === "s2") {
              reached();
              await gate;
            }
            return directory.createAccount(account, key);
          })(),
        ),
    };
    const a = engineContext(store, held, { clock });
    const applying = startRun(a, { actor: "worker-a" }, verified(handPlan(4)));
    await atGate;
    const runId = (await store.listRuns("school-1"))._unsafeUnwrap()[0]!.runId;

    // Worker B resumes that run; between whatever it reads first and its lease, A finishes and leaves.
    let finishedByA: string | undefined;
    const b = engineContext(
      beforeAcquire(store, async () => {
        release();
        const done = (await applying)._unsafeUnwrap();
        finishedByA = done.finishedAt;
        clock.at += 5_000;
      }),
      directory,
      { clock, newId: counter("b") },
    );
    const resumed = (await resumeRun(b, runId, { actor: "worker-b" }))._unsafeUnwrap();

    expect(finishedByA).toBeDefined();
    const audit = (await store.listAudit("school-1"))._unsafeUnwrap();
    expect(audit.map((r) => r.actor)).toEqual(["worker-a"]);
    expect(audit[0]).toMatchObject({ runId, at: finishedByA });
    const run = (await store.getRun("school-1", runId))._unsafeUnwrap();
    expect(run).toMatchObject({ status: "completed", finishedAt: finishedByA });
    expect(resumed).toMatchObject({ runId, status: "completed", done: 4, finishedAt: finishedByA });
    expect(directory.snapshot()).toHaveLength(4);
  });

  it("does not put lastRun back to an older run when resuming it after a newer one finished", async () => {
    const store = createMemoryStore();
    const directory = createMemoryDirectory();
    const clock = manualClock();
    const saved: string[] = [];
    const ctx = engineContext(store, directory, {
      clock,
      onCompleted: async (envelope, result) => {
        saved.push(result.runId);
        const r = await store.saveLastRun("school-1", {
          sourceCount: 0,
          errorFingerprints: [],
          finishedAt: result.finishedAt,
          planHash: envelope.plan.planHash,
        });
        return r.mapErr(storeFailed);
      },
    });
    const older = (await startRun(ctx, {}, verified(handPlan(2))))._unsafeUnwrap();
    clock.at += 1_000;
    const newer = (await startRun(ctx, {}, verified(handPlan(0, [], "hash-2"))))._unsafeUnwrap();
    clock.at += 1_000;
    const again = (await resumeRun(ctx, older.runId, {}))._unsafeUnwrap();
    expect(again.finishedAt).toBe(older.finishedAt);
    expect((await store.getLastRun("school-1"))._unsafeUnwrap()?.finishedAt).toBe(newer.finishedAt);
    // A replay of the newest run still redoes its (idempotent) bookkeeping.
    (await resumeRun(ctx, newer.runId, {}))._unsafeUnwrap();
    expect(saved).toEqual([older.runId, newer.runId, newer.runId]);
  });

  it("stops before the next write when the lease is lost mid-batch, leaving the run for its new holder", async () => {
    const store = createMemoryStore();
    const clock = manualClock();
    let thief: ResultAsync<Lease, StoreError> | undefined;
    const directory = createMemoryDirectory({
      fault: (op, target) => {
        if (op === "createAccount" && target === "s2") {
          // Time jumps past the lease and another worker takes it, in the middle of a batch.
          clock.at += 120_000;
          thief = store.acquireLock("school-1", "thief", 60_000, clock.at);
        }
        return null;
      },
    });
    const ctx = engineContext(store, directory, { clock, journalBatchSize: 8 });
    const r = (await startRun(ctx, {}, verified(handPlan(8))))._unsafeUnwrapErr();
    expect(r.type).toBe("LockLost");
    expect(directory.snapshot().map((a) => a.sourceId)).toEqual(["s1", "s2"]);
    const runId = (r as { runId: string }).runId;
    // Nothing was recorded after the loss: no outcomes, no status, no audit.
    const journal = (await store.readJournal("school-1", runId))._unsafeUnwrap();
    expect(journal.filter((e) => e.phase === "outcome")).toEqual([]);
    expect((await store.getRun("school-1", runId))._unsafeUnwrap()?.status).toBe("running");
    expect((await store.listAudit("school-1"))._unsafeUnwrap()).toEqual([]);

    // The thief leaves; the next worker resumes the run and it completes exactly once.
    await store.releaseLock((await thief!)._unsafeUnwrap());
    const plain = createMemoryDirectory({ accounts: directory.snapshot() });
    const next = engineContext(store, plain, { clock, newId: counter("next") });
    const done = (await resumeRun(next, runId, {}))._unsafeUnwrap();
    expect(done).toMatchObject({ runId, status: "completed", done: 8, failed: 0 });
    expect(plain.snapshot()).toHaveLength(8);
    expect(duplicates(plain.snapshot())).toEqual([]);
    expect((await store.listAudit("school-1"))._unsafeUnwrap()).toHaveLength(1);
  });

  it("renews by the clock inside a slow batch: a second worker never applies alongside, the run completes once", async () => {
    const store = createMemoryStore();
    const clock = manualClock();
    const directory = createMemoryDirectory();
    // Every write takes 30 ms of a 100 ms lease, in one batch of 64 (far longer than the lease).
    const { seen, as } = slowDirectory(directory, clock, 30);
    const a = engineContext(store, as("a"), { clock, lockTtlMs: 100, journalBatchSize: 64 });
    let aDone = false;
    const applying = startRun(a, { actor: "worker-a" }, verified(handPlan(40))).finally(() => {
      aDone = true;
    });

    // Worker B keeps trying to resume the open run, the way the postgres-workers example does.
    const b = engineContext(store, as("b"), { clock, lockTtlMs: 100, journalBatchSize: 64, newId: counter("b") });
    const heard: string[] = [];
    let last: Awaited<ReturnType<typeof resumeRun>> | undefined;
    for (;;) {
      const finished = aDone;
      const open = (await store.listRuns("school-1"))._unsafeUnwrap()[0];
      if (open !== undefined) {
        last = await resumeRun(b, open.runId, { actor: "worker-b" });
        heard.push(last.isOk() ? last.value.status : last.error.type);
      }
      if (finished) break;
      await turn();
    }

    const result = await applying;
    expect(seen.maxActive).toBe(1);
    expect(seen.writes.filter((w) => w === "b")).toEqual([]);
    expect(result._unsafeUnwrap()).toMatchObject({ status: "completed", done: 40 });
    expect(heard.at(-1)).toBe("completed");
    expect(heard.slice(0, -1).every((h) => h === "Locked")).toBe(true);
    const runs = (await store.listRuns("school-1"))._unsafeUnwrap();
    expect(runs).toHaveLength(1);
    expect((await store.listAudit("school-1"))._unsafeUnwrap()).toHaveLength(1);
    expect(directory.snapshot()).toHaveLength(40);
    expect(duplicates(directory.snapshot())).toEqual([]);
  });

  it("stops with LockLost when renewals keep taking more than half the lease", async () => {
    const store = createMemoryStore();
    const clock = manualClock();
    const slowRenewals = new Proxy(store, {
      get: (target, property, receiver) =>
        property === "renewLock"
          ? (...args: Parameters<SyncStore["renewLock"]>) => {
              clock.at += 60; // of a 100 ms lease
              return store.renewLock(...args);
            }
          : Reflect.get(target, property, receiver),
    });
    const { seen, as } = slowDirectory(createMemoryDirectory(), clock, 60);
    const ctx = engineContext(slowRenewals, as("a"), { clock, lockTtlMs: 100, journalBatchSize: 8 });
    const r = (await startRun(ctx, {}, verified(handPlan(4))))._unsafeUnwrapErr();
    expect(r).toMatchObject({ type: "LockLost", message: expect.stringContaining("half of lockTtlMs") });
    expect(seen.writes).toEqual(["a"]);
    expect((await store.listRuns("school-1"))._unsafeUnwrap()[0]?.status).toBe("running");
  });

  it("creates no run when the plan check outlived the lease and another worker took the school", async () => {
    const store = createMemoryStore();
    const clock = manualClock();
    const ctx = engineContext(store, createMemoryDirectory(), { clock, lockTtlMs: 1_000 });
    const r = await startRun(ctx, {}, async () => {
      clock.at += 5_000; // a slow roster read
      (await store.acquireLock("school-1", "other", 1_000, clock.at))._unsafeUnwrap();
      return verified(handPlan(3))();
    });
    expect(r._unsafeUnwrapErr().type).toBe("Locked");
    expect((await store.listRuns("school-1"))._unsafeUnwrap()).toEqual([]);
  });
});
