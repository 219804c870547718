import { createMemoryDirectory, createMemoryStore, type DirectoryError, type JournalEntry } from "@rostersync/core";
import { createSqliteDirectory } from "@rostersync/storage-sqlite";
import { describe, expect, it } from "vitest";
import { resumeRun, startRun } from "../src/apply.js";
import { comparable, duplicates, engineContext, handPlan, verified } from "./helpers/engine.js";

describe("apply engine (docs/applying.md)", () => {
  it("journals an intent before and an outcome after every write, in batches", async () => {
    const ctx = engineContext();
    const plan = handPlan(10);
    const result = (await startRun(ctx, {}, verified(plan)))._unsafeUnwrap();
    expect(result).toMatchObject({ status: "completed", done: 10, failed: 0, total: 10 });
    expect(result.createdAccountIds).toHaveLength(10);
    const journal = (await ctx.store.readJournal("school-1", result.runId))._unsafeUnwrap();
    expect(journal).toHaveLength(20);
    for (const action of plan.actions) {
      const intent = journal.find((e) => e.actionId === action.actionId && e.phase === "intent");
      const outcome = journal.find((e) => e.actionId === action.actionId && e.phase === "outcome");
      expect(intent!.seq).toBeLessThan(outcome!.seq);
    }
    // 10 actions in batches of 4: 3 intent appends and 3 outcome appends.
    expect(new Set(journal.map((e) => `${e.phase}:${e.at}`)).size).toBeGreaterThan(0);
    const run = (await ctx.store.getRun("school-1", result.runId))._unsafeUnwrap();
    expect(run?.status).toBe("completed");
    const audit = (await ctx.store.listAudit("school-1"))._unsafeUnwrap();
    expect(audit[0]).toMatchObject({ runId: result.runId, status: "completed", planHash: "hash-1" });
  });

  it("writes every action's intent before its directory write and its outcome after it", async () => {
    const events: string[] = [];
    const store = createMemoryStore();
    const recordingStore = new Proxy(store, {
      get: (target, property, receiver) =>
        property === "appendJournal"
          ? (tenantId: string, runId: string, entries: readonly JournalEntry[]) => {
              for (const e of entries) events.push(`${e.phase}:${e.actionId}`);
              return store.appendJournal(tenantId, runId, entries);
            }
          : Reflect.get(target, property, receiver),
    });
    const directory = createMemoryDirectory({
      fault: (op, target) => {
        if (op === "createAccount") events.push(`write:add:${target}`);
        return null;
      },
    });
    const plan = handPlan(11);
    (
      await startRun(engineContext(recordingStore, directory, { journalBatchSize: 3 }), {}, verified(plan))
    )._unsafeUnwrap();
    for (const action of plan.actions) {
      const intent = events.indexOf(`intent:${action.actionId}`);
      const write = events.indexOf(`write:${action.actionId}`);
      const outcome = events.indexOf(`outcome:${action.actionId}`);
      expect(intent).toBeGreaterThanOrEqual(0);
      expect(intent).toBeLessThan(write);
      expect(write).toBeLessThan(outcome);
    }
  });

  it("records a per-action failure and goes on with the others", async () => {
    const directory = createMemoryDirectory({
      fault: (op, target) => (op === "createAccount" && target === "s3" ? { type: "Invalid", message: "bad" } : null),
    });
    const ctx = engineContext(createMemoryStore(), directory);
    const result = (await startRun(ctx, {}, verified(handPlan(6))))._unsafeUnwrap();
    expect(result).toMatchObject({ status: "completed", done: 5, failed: 1 });
    expect(result.failures).toEqual([{ actionId: "add:s3", type: "add", error: { type: "Invalid", message: "bad" } }]);
    expect(directory.snapshot()).toHaveLength(5);
  });

  it("stops at once on a fatal error and resume finishes the run (docs/applying.md)", async () => {
    let broken = true;
    const directory = createMemoryDirectory({
      fault: (op, target): DirectoryError | null =>
        broken && op === "createAccount" && target === "s5"
          ? { type: "Unauthorized", message: "no", fatal: true }
          : null,
    });
    const ctx = engineContext(createMemoryStore(), directory);
    const stopped = (await startRun(ctx, {}, verified(handPlan(9))))._unsafeUnwrapErr();
    expect(stopped.type).toBe("DirectoryFailed");
    expect(directory.snapshot()).toHaveLength(4);
    const runId = stopped.type === "DirectoryFailed" ? stopped.runId! : "";
    broken = false;
    const resumed = (await resumeRun(ctx, runId, {}))._unsafeUnwrap();
    expect(resumed).toMatchObject({ status: "completed", done: 9, failed: 0 });
    expect(directory.snapshot()).toHaveLength(9);
    expect(duplicates(directory.snapshot())).toEqual([]);
  });

  it("honours an AbortSignal between actions, and resume completes exactly once", async () => {
    const controller = new AbortController();
    const directory = createMemoryDirectory({
      fault: (op, target) => {
        if (op === "createAccount" && target === "s6") controller.abort();
        return null;
      },
    });
    const ctx = engineContext(createMemoryStore(), directory);
    const aborted = (await startRun(ctx, { signal: controller.signal }, verified(handPlan(12))))._unsafeUnwrapErr();
    expect(aborted.type).toBe("Aborted");
    expect(directory.snapshot()).toHaveLength(6);
    const runId = (aborted.type === "Aborted" ? aborted.runId : undefined) ?? "";
    expect((await ctx.store.getRun("school-1", runId))._unsafeUnwrap()?.status).toBe("aborted");
    const resumed = (await resumeRun(ctx, runId, {}))._unsafeUnwrap();
    expect(resumed.done).toBe(12);
    expect(directory.snapshot()).toHaveLength(12);
  });

  it("re-executes an intent without outcome idempotently after a thrown directory", async () => {
    const inner = (await createSqliteDirectory({ path: ":memory:" }))._unsafeUnwrap();
    let throwAt = 7;
    const directory = {
      ...inner,
      createAccount: (...args: Parameters<typeof inner.createAccount>) => {
        const r = inner.createAccount(...args); // the write lands…
        if (--throwAt === 0) throw new Error("process died after the write"); // …and the answer is lost
        return r;
      },
    };
    const ctx = engineContext(createMemoryStore(), directory);
    const stopped = (await startRun(ctx, {}, verified(handPlan(10))))._unsafeUnwrapErr();
    expect(stopped.type).toBe("DirectoryFailed");
    const runId = stopped.type === "DirectoryFailed" ? stopped.runId! : "";
    const resumed = (await resumeRun(ctx, runId, {}))._unsafeUnwrap();
    expect(resumed.done).toBe(10);
    const accounts = (await inner.listAccounts())._unsafeUnwrap();
    expect(accounts).toHaveLength(10);
    expect(duplicates(accounts)).toEqual([]);
    const uninterrupted = (await createSqliteDirectory({ path: ":memory:" }))._unsafeUnwrap();
    (await startRun(engineContext(createMemoryStore(), uninterrupted), {}, verified(handPlan(10))))._unsafeUnwrap();
    expect(comparable(accounts)).toEqual(comparable((await uninterrupted.listAccounts())._unsafeUnwrap()));
  });

  it("refuses to resume when the journal says an account exists that the directory lacks (OutOfStep)", async () => {
    const store = createMemoryStore();
    const ctx = engineContext(store, createMemoryDirectory());
    const done = (await startRun(ctx, {}, verified(handPlan(3))))._unsafeUnwrap();
    const emptied = engineContext(store, createMemoryDirectory());
    const out = (await resumeRun(emptied, done.runId, {}))._unsafeUnwrapErr();
    expect(out.type).toBe("OutOfStep");
  });

  it("answers a resume of a finished run with its result, writing nothing", async () => {
    const directory = createMemoryDirectory();
    const ctx = engineContext(createMemoryStore(), directory);
    const done = (await startRun(ctx, {}, verified(handPlan(3))))._unsafeUnwrap();
    const writes = directory.writes();
    const again = (await resumeRun(ctx, done.runId, {}))._unsafeUnwrap();
    expect(again).toMatchObject({ runId: done.runId, status: "completed", done: 3 });
    expect(directory.writes()).toBe(writes);
  });

  it("answers RunNotFound for a run the school does not have", async () => {
    expect((await resumeRun(engineContext(), "nope", {}))._unsafeUnwrapErr().type).toBe("RunNotFound");
  });

  it("gives Locked to a second worker while the first holds the lock", async () => {
    const store = createMemoryStore();
    const held = (await store.acquireLock("school-1", "other-worker", 60_000, Date.now()))._unsafeUnwrap();
    const directory = createMemoryDirectory();
    const r = await startRun(engineContext(store, directory), {}, verified(handPlan(3)));
    expect(r._unsafeUnwrapErr().type).toBe("Locked");
    expect(directory.snapshot()).toEqual([]);
    await store.releaseLock(held);
  });

  it("stops at once when the lock is lost (LockLost)", async () => {
    const store = createMemoryStore();
    let now = 1_000_000;
    const directory = createMemoryDirectory({
      fault: (op, target) => {
        if (op === "createAccount" && target === "s2") {
          // Time jumps past the lease and another worker takes the lock.
          now += 120_000;
          void store.acquireLock("school-1", "thief", 60_000, now);
        }
        return null;
      },
    });
    const ctx = engineContext(store, directory, { clock: { now: () => now }, journalBatchSize: 2 });
    const r = (await startRun(ctx, {}, verified(handPlan(8))))._unsafeUnwrapErr();
    expect(r.type).toBe("LockLost");
    expect(directory.snapshot().length).toBeLessThan(8);
  });

  it("reports progress with done/total, rate and ETA", async () => {
    const seen: { done: number; total: number; etaMs: number | null }[] = [];
    const ctx = engineContext(createMemoryStore(), createMemoryDirectory(), {
      onProgress: (p) => seen.push({ done: p.done, total: p.total, etaMs: p.etaMs }),
    });
    (await startRun(ctx, {}, verified(handPlan(10))))._unsafeUnwrap();
    expect(seen.at(-1)).toMatchObject({ done: 10, total: 10, etaMs: 0 });
    expect(seen.map((p) => p.done)).toEqual([0, 4, 8, 10]);
  });
});
