import { createMemoryDirectory, createMemoryStore } from "@rostersync/core";
import { err, ok } from "neverthrow";
import { describe, expect, it } from "vitest";
import { checkInStep, outcomesOf, resumeRun, startRun, tallyRun } from "../../src/apply.js";
import { engineContext, handPlan } from "../helpers/engine.js";

describe("the apply engine's lease is released whatever a step answers", () => {
  it("releases the lock when the check under it refuses (an early error inside the run's steps)", async () => {
    const store = createMemoryStore();
    const ctx = engineContext(store);
    const refused = await startRun(ctx, {}, async () =>
      err({ type: "StalePlan", message: "m", planHash: "a", currentHash: "b" }),
    );
    expect(refused._unsafeUnwrapErr().type).toBe("StalePlan");
    const missing = await resumeRun(ctx, "no-such-run", {});
    expect(missing._unsafeUnwrapErr().type).toBe("RunNotFound");
    // Both released the lock: a third caller takes it at once.
    expect((await store.acquireLock("school-1", "someone", 60_000, Date.now())).isOk()).toBe(true);
  });

  it("applies a verified plan and answers what it did", async () => {
    const directory = createMemoryDirectory();
    const ctx = engineContext(createMemoryStore(), directory);
    const plan = handPlan(3);
    const run = await startRun(ctx, {}, async () =>
      ok({ plan, reviewedIds: [], selections: {}, errorFingerprints: [], acknowledged: false }),
    );
    expect(run._unsafeUnwrap()).toMatchObject({ status: "completed", done: 3, failed: 0, counts: { add: 3 } });
    expect((await directory.listAccounts())._unsafeUnwrap()).toHaveLength(3);
  });
});

describe("the engine's pure steps", () => {
  const plan = handPlan(2);

  it("reads outcomes back from the journal, the last outcome of an action winning", () => {
    const outcomes = outcomesOf([
      { seq: 1, actionId: "add:s1", phase: "intent", at: "t" },
      { seq: 2, actionId: "add:s1", phase: "outcome", at: "t", outcome: "done", result: { accountId: "a1" } },
      { seq: 3, actionId: "add:s2", phase: "outcome", at: "t", outcome: "failed" },
    ]);
    expect(outcomes.get("add:s1")).toEqual({ status: "done", result: { accountId: "a1" } });
    expect(outcomes.get("add:s2")).toEqual({ status: "failed", error: { type: "Unknown", message: "failed" } });
    expect(tallyRun(plan, outcomes)).toMatchObject({
      done: 1,
      counts: { add: 1 },
      createdAccountIds: ["a1"],
      outcomes: { "add:s1": "done", "add:s2": "failed: failed" },
    });
  });

  it("finds the journal out of step with a directory that lost a journalled account", () => {
    const outcomes = outcomesOf([
      { seq: 1, actionId: "add:s1", phase: "outcome", at: "t", outcome: "done", result: { accountId: "a1" } },
    ]);
    const account = { accountId: "a1", email: "p1@example.org", sourceId: "s1", archived: false, managed: true };
    expect(checkInStep(plan, outcomes, [account as never], "r1").isOk()).toBe(true);
    expect(checkInStep(plan, outcomes, [], "r1")._unsafeUnwrapErr()).toMatchObject({
      type: "OutOfStep",
      runId: "r1",
      actionId: "add:s1",
    });
  });
});
