import { err, ok, type ResultAsync } from "neverthrow";
import { describe, expect, it, vi } from "vitest";
import {
  type AuditRecord,
  type HoursLedgerEntry,
  type JournalEntry,
  type Lease,
  type RunRecord,
  type StoreError,
  type SyncStore,
  storeError,
} from "../../src/ports/sync-store.js";
import { checkLeaseTime, defineSyncStore, type SyncStoreOperations } from "../../src/ports/sync-store-factory.js";
import { EMPTY_DECISIONS, type SyncProfile } from "../../src/types.js";

// defineSyncStore owns every check a store used to write itself: these tests pin each one down, with raw
// operations that only record that they ran. The stores' behaviour against real data is the conformance
// suite's (@rostersync/storage-testing).

type Calls = { readonly [K in keyof SyncStoreOperations]: ReturnType<typeof vi.fn> };

/** Raw operations that each answer `ok(answer)` and record their calls. */
function recordingOperations(answer: unknown = null): { operations: SyncStoreOperations; calls: Calls } {
  const names: (keyof SyncStoreOperations)[] = [
    "getProfile",
    "saveProfile",
    "getDecisions",
    "saveDecisions",
    "getLastRun",
    "saveLastRun",
    "createRun",
    "getRun",
    "listRuns",
    "finishRun",
    "appendJournal",
    "readJournal",
    "appendAudit",
    "listAudit",
    "getHoursLedger",
    "putHoursLedger",
    "getWatermark",
    "setWatermark",
    "listExports",
    "getExport",
    "saveExport",
    "deleteExport",
    "getExportLedger",
    "putExportLedger",
    "acquireLock",
    "renewLock",
    "releaseLock",
  ];
  const calls = Object.fromEntries(names.map((name) => [name, vi.fn(() => ok(answer))])) as unknown as Calls;
  return { operations: calls as unknown as SyncStoreOperations, calls };
}

const profile = { roles: {} } as unknown as SyncProfile;
const run = { runId: "run-1", startedAt: "2026-01-01T00:00:00Z" } as unknown as RunRecord;
const audit = { auditId: "audit-1", at: "2026-01-01T00:00:00Z" } as unknown as AuditRecord;
const line = (seq: number): JournalEntry => ({ seq, actionId: "a", phase: "intent", at: "t" });
const hour = (hourId: string) => ({ hourId }) as unknown as HoursLedgerEntry;
const lease = (tenantId: string): Lease => ({ tenantId, owner: "worker", token: "t", expiresAt: 10 });

/** One call of every method, with `tenantId` as the school and good other arguments. */
const everyMethod = (tenantId: string): [keyof SyncStoreOperations, (store: SyncStore) => unknown][] => [
  ["getProfile", (s) => s.getProfile(tenantId)],
  ["saveProfile", (s) => s.saveProfile(tenantId, profile, null)],
  ["getDecisions", (s) => s.getDecisions(tenantId)],
  ["saveDecisions", (s) => s.saveDecisions(tenantId, EMPTY_DECISIONS, 1)],
  ["getLastRun", (s) => s.getLastRun(tenantId)],
  ["saveLastRun", (s) => s.saveLastRun(tenantId, {} as never)],
  ["createRun", (s) => s.createRun(tenantId, run)],
  ["getRun", (s) => s.getRun(tenantId, "run-1")],
  ["listRuns", (s) => s.listRuns(tenantId, { limit: 3 })],
  ["finishRun", (s) => s.finishRun(tenantId, "run-1", { status: "completed", finishedAt: "t" })],
  ["appendJournal", (s) => s.appendJournal(tenantId, "run-1", [line(0), line(1)])],
  ["readJournal", (s) => s.readJournal(tenantId, "run-1")],
  ["appendAudit", (s) => s.appendAudit(tenantId, audit)],
  ["listAudit", (s) => s.listAudit(tenantId, { limit: 0, kind: "export" })],
  ["getHoursLedger", (s) => s.getHoursLedger(tenantId, ["h1"])],
  ["putHoursLedger", (s) => s.putHoursLedger(tenantId, [hour("h1")])],
  ["getWatermark", (s) => s.getWatermark(tenantId, "key")],
  ["setWatermark", (s) => s.setWatermark(tenantId, "key", "value")],
  ["listExports", (s) => s.listExports(tenantId)],
  ["getExport", (s) => s.getExport(tenantId, "export-1")],
  ["saveExport", (s) => s.saveExport(tenantId, "export-1", {}, null)],
  ["deleteExport", (s) => s.deleteExport(tenantId, "export-1")],
  ["getExportLedger", (s) => s.getExportLedger(tenantId, "export-1", ["e1"])],
  [
    "putExportLedger",
    (s) => s.putExportLedger(tenantId, "export-1", [{ eventId: "e1", fingerprint: "f", status: "sent", sentAt: "t" }]),
  ],
  ["acquireLock", (s) => s.acquireLock(tenantId, "worker", 1000, 5)],
  ["renewLock", (s) => s.renewLock(lease(tenantId), 1000, 5)],
  ["releaseLock", (s) => s.releaseLock(lease(tenantId))],
];

const define = (operations: SyncStoreOperations, extra: Partial<Parameters<typeof defineSyncStore>[0]> = {}) =>
  defineSyncStore({ name: "test", operations, close: async () => {}, ...extra });

async function refusal(result: ResultAsync<unknown, StoreError>): Promise<StoreError> {
  const settled = await result;
  if (settled.isOk()) throw new Error("expected a refusal");
  return settled.error;
}

describe("defineSyncStore: ids", () => {
  it("passes good calls of every method through to the raw operation, with the same arguments", async () => {
    const { operations, calls } = recordingOperations("answer");
    const store = define(operations);
    for (const [name, callIt] of everyMethod("school-1")) {
      const result = await (callIt(store) as ResultAsync<unknown, StoreError>);
      expect(result.isOk() && result.value, name).toBe("answer");
      expect(calls[name], name).toHaveBeenCalledTimes(1);
    }
    expect(calls.saveProfile).toHaveBeenCalledWith("school-1", profile, null);
    expect(calls.acquireLock).toHaveBeenCalledWith("school-1", "worker", 1000, 5);
  });

  it("refuses a bad tenant id with Invalid in every method, without running the operation", async () => {
    for (const tenantId of ["", "a\u0000b", "\ud800", 7 as unknown as string]) {
      const { operations, calls } = recordingOperations();
      const store = define(operations);
      for (const [name, callIt] of everyMethod(tenantId)) {
        const error = await refusal(callIt(store) as ResultAsync<unknown, StoreError>);
        expect(error.type, name).toBe("Invalid");
        expect(error.message, name).toMatch(/^tenantId /);
        expect(calls[name], name).not.toHaveBeenCalled();
      }
    }
  });

  it("refuses every other id that keys a row, naming it", async () => {
    const { operations, calls } = recordingOperations();
    const store = define(operations);
    const refusals: [string, ResultAsync<unknown, StoreError>][] = [
      ["runId", store.createRun("s", { ...run, runId: "" })],
      ["runId", store.getRun("s", "")],
      ["runId", store.finishRun("s", "", { status: "failed", finishedAt: "t" })],
      ["runId", store.appendJournal("s", "", [])],
      ["runId", store.readJournal("s", "\u0000")],
      ["auditId", store.appendAudit("s", { ...audit, auditId: "" })],
      ["key", store.getWatermark("s", "")],
      ["key", store.setWatermark("s", "", "v")],
      ["exportId", store.getExport("s", "")],
      ["exportId", store.saveExport("s", "", {}, null)],
      ["exportId", store.deleteExport("s", "")],
      ["exportId", store.getExportLedger("s", "")],
      ["exportId", store.putExportLedger("s", "", [])],
      ["owner", store.acquireLock("s", "", 1000, 5)],
      ["hourId", store.putHoursLedger("s", [hour("ok"), hour("")])],
      [
        "eventId",
        store.putExportLedger("s", "x", [{ eventId: "\ud800", fingerprint: "f", status: "sent", sentAt: "t" }]),
      ],
    ];
    for (const [label, result] of refusals) {
      const error = await refusal(result);
      expect(error).toMatchObject({ type: "Invalid" });
      expect(error.message.startsWith(`${label} `), `${label}: ${error.message}`).toBe(true);
    }
    for (const spy of Object.values(calls)) expect(spy).not.toHaveBeenCalled();
  });

  it("names the first bad id when several are bad", async () => {
    const store = define(recordingOperations().operations);
    expect((await refusal(store.getRun("", ""))).message).toMatch(/^tenantId /);
  });
});

describe("defineSyncStore: arguments", () => {
  it("refuses a malformed expectedVersion with Invalid (never Conflict) in every optimistic save", async () => {
    const { operations, calls } = recordingOperations();
    const store = define(operations);
    for (const bad of [0, -1, 1.5, Number.NaN, "1" as unknown as number, undefined as unknown as number]) {
      expect((await refusal(store.saveProfile("s", profile, bad))).type).toBe("Invalid");
      expect((await refusal(store.saveDecisions("s", EMPTY_DECISIONS, bad))).type).toBe("Invalid");
      expect((await refusal(store.saveExport("s", "x", {}, bad))).type).toBe("Invalid");
    }
    expect(calls.saveProfile).not.toHaveBeenCalled();
    expect(calls.saveDecisions).not.toHaveBeenCalled();
    expect(calls.saveExport).not.toHaveBeenCalled();
  });

  it("refuses a bad limit in listRuns and listAudit, and an unknown audit kind", async () => {
    const { operations, calls } = recordingOperations();
    const store = define(operations);
    for (const limit of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect((await refusal(store.listRuns("s", { limit }))).message).toMatch(/^limit /);
      expect((await refusal(store.listAudit("s", { limit }))).message).toMatch(/^limit /);
    }
    expect((await refusal(store.listAudit("s", { kind: "nope" as never }))).message).toMatch(/^kind /);
    expect(calls.listRuns).not.toHaveBeenCalled();
    expect(calls.listAudit).not.toHaveBeenCalled();
  });

  it("refuses a journal batch whose own seqs are malformed (Invalid) or do not grow (Conflict)", async () => {
    const { operations, calls } = recordingOperations();
    const store = define(operations);
    expect((await refusal(store.appendJournal("s", "r", [line(-1)]))).type).toBe("Invalid");
    expect((await refusal(store.appendJournal("s", "r", [line(0.5)]))).type).toBe("Invalid");
    expect((await refusal(store.appendJournal("s", "r", [line(2), line(2)]))).type).toBe("Conflict");
    expect((await refusal(store.appendJournal("s", "r", [line(3), line(1)]))).type).toBe("Conflict");
    expect(calls.appendJournal).not.toHaveBeenCalled();
    // How the batch follows the stored journal is the store's to check: the factory lets it through.
    expect((await store.appendJournal("s", "r", [])).isOk()).toBe(true);
  });

  it("refuses a lease time that is not a positive ttl from an epoch-millisecond now", async () => {
    const { operations, calls } = recordingOperations();
    const store = define(operations);
    for (const [ttlMs, now] of [
      [0, 5],
      [-1, 5],
      [Number.NaN, 5],
      [Number.POSITIVE_INFINITY, 5],
      [1000, Number.NaN],
      [1000, 1e300],
    ] as const) {
      expect((await refusal(store.acquireLock("s", "w", ttlMs, now))).type).toBe("Invalid");
      expect((await refusal(store.renewLock(lease("s"), ttlMs, now))).type).toBe("Invalid");
    }
    expect(calls.acquireLock).not.toHaveBeenCalled();
    expect(calls.renewLock).not.toHaveBeenCalled();
    expect(checkLeaseTime(1, 1.4)).toBeNull();
  });
});

describe("defineSyncStore: closing", () => {
  it("answers calls after close() with closedError, without running the operation, and closes once", async () => {
    const { operations, calls } = recordingOperations();
    const release = vi.fn(async () => {});
    const store = define(operations, { close: release, closedError: () => storeError("Unavailable", "closed") });
    await store.close();
    await store.close();
    expect(release).toHaveBeenCalledTimes(1);
    for (const [name, callIt] of everyMethod("school-1")) {
      expect(await refusal(callIt(store) as ResultAsync<unknown, StoreError>), name).toMatchObject({
        type: "Unavailable",
        message: "closed",
        retryable: true,
      });
    }
    for (const spy of Object.values(calls)) expect(spy).not.toHaveBeenCalled();
  });

  it("checks ids before the closed store, and the closed store before the other arguments", async () => {
    const store = define(recordingOperations().operations, { closedError: () => storeError("Unavailable", "closed") });
    await store.close();
    expect((await refusal(store.getProfile(""))).type).toBe("Invalid");
    expect((await refusal(store.listRuns("s", { limit: -1 }))).type).toBe("Unavailable");
  });

  it("lets calls after close() through when the store gives no closedError", async () => {
    const { operations, calls } = recordingOperations("still here");
    const store = define(operations);
    await store.close();
    expect(await store.getProfile("s")).toEqual(ok("still here"));
    expect(calls.getProfile).toHaveBeenCalledTimes(1);
  });
});

describe("defineSyncStore: errors", () => {
  it("returns the operation's own errors as they are", async () => {
    const { operations } = recordingOperations();
    const conflict = storeError("Conflict", "the profile is at version 2, not 1");
    const store = define({ ...operations, saveProfile: () => err(conflict) });
    expect(await refusal(store.saveProfile("s", profile, 1))).toBe(conflict);
  });

  it("maps what an operation throws, or its promise rejects with, through toStoreError", async () => {
    const { operations } = recordingOperations();
    const toStoreError = vi.fn((cause: unknown) => storeError("Unavailable", `mapped: ${(cause as Error).message}`));
    const store = define(
      {
        ...operations,
        getProfile: () => {
          throw new Error("disk on fire");
        },
        getDecisions: async () => {
          throw new Error("connection reset");
        },
        getLastRun: () => Promise.reject(new Error("socket closed")),
      },
      { toStoreError },
    );
    expect((await refusal(store.getProfile("s"))).message).toBe("mapped: disk on fire");
    expect((await refusal(store.getDecisions("s"))).message).toBe("mapped: connection reset");
    expect((await refusal(store.getLastRun("s"))).message).toBe("mapped: socket closed");
    expect(toStoreError).toHaveBeenCalledTimes(3);
  });

  it("lets a throw reach the caller when the store gives no toStoreError", () => {
    const { operations } = recordingOperations();
    const store = define({
      ...operations,
      saveLastRun: () => {
        throw new TypeError("Do not know how to serialize a BigInt");
      },
    });
    expect(() => store.saveLastRun("s", {} as never)).toThrow(TypeError);
  });

  it("runs each operation at once, so that calls take effect in call order", () => {
    const order: string[] = [];
    const { operations } = recordingOperations();
    const store = define({
      ...operations,
      saveLastRun: (tenantId) => {
        order.push(`save ${tenantId}`);
        return ok(undefined);
      },
      getLastRun: (tenantId) => {
        order.push(`get ${tenantId}`);
        return ok(null);
      },
    });
    void store.saveLastRun("a", {} as never);
    void store.getLastRun("b");
    expect(order).toEqual(["save a", "get b"]);
  });

  it("keeps the store's name", () => {
    expect(define(recordingOperations().operations).name).toBe("test");
  });
});
