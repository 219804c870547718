import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/memory/sync-store.js";
import {
  checkJournalBatch,
  checkLimit,
  checkStoreId,
  STORE_ERROR_CODES,
  storeError,
} from "../../src/ports/sync-store.js";
import { EMPTY_DECISIONS } from "../../src/types.js";

// The full contract is checked by @rostersync/testing (packages/testing/test/memory.test.ts);
// these are the shared helpers every store uses, and what is particular to the memory store.

describe("store ids", () => {
  it("accepts any non-empty, well-formed string, however it looks", () => {
    for (const id of ["a", "a:b", "%", "'; DROP TABLE runs; --", " ", "学校", "🏫", "e\u0301"]) {
      expect(checkStoreId("tenantId", id)).toBeNull();
    }
  });

  it("refuses ids a backend cannot store faithfully, naming the argument", () => {
    expect(checkStoreId("tenantId", "")).toMatchObject({ type: "Invalid", message: "tenantId must not be empty" });
    expect(checkStoreId("runId", "a\u0000b")?.message).toContain("NUL");
    expect(checkStoreId("runId", "\ud800")?.message).toContain("surrogate");
    expect(checkStoreId("runId", 7)?.type).toBe("Invalid");
  });
});

describe("journal batches", () => {
  const line = (seq: number) => ({ seq, actionId: "a", phase: "intent" as const, at: "t" });

  it("accepts strictly increasing seqs after the last stored one", () => {
    expect(checkJournalBatch([line(0), line(1), line(5)], null)).toBeNull();
    expect(checkJournalBatch([line(6)], 5)).toBeNull();
    expect(checkJournalBatch([], 5)).toBeNull();
  });

  it("calls a repeated or backwards seq a Conflict and a malformed one Invalid", () => {
    expect(checkJournalBatch([line(5)], 5)?.type).toBe("Conflict");
    expect(checkJournalBatch([line(7), line(7)], null)?.type).toBe("Conflict");
    expect(checkJournalBatch([line(-1)], null)?.type).toBe("Invalid");
    expect(checkJournalBatch([line(1.5)], null)?.type).toBe("Invalid");
  });
});

describe("store errors", () => {
  it("marks lost locks fatal and unavailable backends retryable", () => {
    expect(storeError("LockLost", "gone")).toEqual({ type: "LockLost", message: "gone", fatal: true });
    expect(storeError("Unavailable", "down")).toEqual({ type: "Unavailable", message: "down", retryable: true });
    expect(storeError("Conflict", "stale")).toEqual({ type: "Conflict", message: "stale" });
    expect(Object.values(STORE_ERROR_CODES)).toContain("VersionTooNew");
  });

  it("accepts absent or non-negative integer limits", () => {
    expect(checkLimit(undefined)).toBeNull();
    expect(checkLimit(0)).toBeNull();
    expect(checkLimit(-1)?.type).toBe("Invalid");
    expect(checkLimit(2.5)?.type).toBe("Invalid");
  });
});

describe("memory store", () => {
  it("takes effect at call time, in call order, before the result is awaited", async () => {
    const store = createMemoryStore();
    const first = store.saveDecisions("school-1", EMPTY_DECISIONS, null);
    const second = store.saveDecisions("school-1", EMPTY_DECISIONS, null);
    expect((await first).isOk()).toBe(true);
    expect((await second).isErr()).toBe(true);
  });

  it("exposes its state through getInstance and forgets everything on close", async () => {
    const store = createMemoryStore();
    await store.saveLastRun("school-1", { sourceCount: 1, errorFingerprints: [] });
    expect([...store.getInstance().keys()]).toEqual(["school-1"]);
    await store.close();
    expect(store.getInstance().size).toBe(0);
  });
});
