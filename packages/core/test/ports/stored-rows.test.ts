import fc from "fast-check";
import { ok } from "neverthrow";
import { describe, expect, it } from "vitest";
import * as rows from "../../src/ports/stored-rows.js";
import type { Versioned } from "../../src/ports/sync-store.js";

describe("what the SQL stores share beside their SQL", () => {
  it("words the stored-state errors as every store does, typed and flagged like storeError's", () => {
    expect(rows.storedStateErrors.versionConflict("the profile", null, 3)).toEqual({
      type: "Conflict",
      message: "the profile is at version none, not 3",
    });
    expect(rows.storedStateErrors.versionConflict("export e", 2, null).message).toBe(
      "export e is at version 2, not none",
    );
    expect(rows.storedStateErrors.runExists("r1")).toEqual({ type: "Conflict", message: "run r1 exists already" });
    expect(rows.storedStateErrors.runMissing("r1")).toEqual({ type: "NotFound", message: "run r1 does not exist" });
    expect(rows.storedStateErrors.auditExists("a1")).toEqual({ type: "Conflict", message: "audit a1 exists already" });
    // A lock row that vanished between the refused take and the look answers `undefined`, as the stores did.
    expect(rows.storedStateErrors.locked("s1", undefined, undefined)).toEqual({
      type: "Locked",
      message: "school s1 is locked by undefined until undefined",
      retryable: true,
    });
    expect(rows.storedStateErrors.lockLost("s1")).toEqual({
      type: "LockLost",
      message: "the run lock of school s1 was released or taken over",
      fatal: true,
    });
  });

  it("finishes a stored run record with the update's fields after the stored ones, summary only when given", () => {
    const stored = JSON.stringify({ runId: "r1", status: "running", startedAt: "2026-01-01T00:00:00Z", summary: 1 });
    const done = rows.finishedRun(stored, { status: "completed", finishedAt: "2026-01-01T01:00:00Z" });
    // Byte-identical to what the stores wrote before: the stored fields first, then status and finishedAt.
    expect(JSON.stringify(done)).toBe(
      '{"runId":"r1","status":"completed","startedAt":"2026-01-01T00:00:00Z","summary":1,"finishedAt":"2026-01-01T01:00:00Z"}',
    );
    const withSummary = rows.finishedRun(stored, { status: "failed", finishedAt: "x", summary: { n: 2 } });
    expect(withSummary).toMatchObject({ status: "failed", summary: { n: 2 } });
  });

  it("reads any JSON record, plan and export config back as they were written (awkward Unicode included)", () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), json, json, (runId, plan, config) => {
        const row = { record: JSON.stringify({ runId }), plan: JSON.stringify(plan) };
        expect(rows.runFromRow(row)).toEqual({ runId, plan: JSON.parse(JSON.stringify(plan)) });
        const exported = rows.exportFromRow(runId, { version: "7", config: JSON.stringify(config) });
        expect(exported).toEqual({ exportId: runId, config: JSON.parse(JSON.stringify(config)), version: 7 });
      }),
    );
  });

  it("maps the profile and the decisions onto the store's versioned documents, naming each in its Conflict", async () => {
    const saved: unknown[][] = [];
    const docs = new Map<string, Versioned<unknown>>([["t\u0000|profile", { value: { role: "student" }, version: 4 }]]);
    const operations = rows.versionedDocumentOperations({
      read: <T>(tenantId: string, kind: string) => ok((docs.get(`${tenantId}|${kind}`) as Versioned<T>) ?? null),
      save: (...args) => {
        saved.push(args);
        return ok(1);
      },
    });
    expect((await operations.getProfile("t\u0000"))._unsafeUnwrap()).toEqual({
      value: { role: "student" },
      version: 4,
    });
    expect((await operations.getDecisions("t\u0000"))._unsafeUnwrap()).toBeNull();
    await operations.saveProfile("t", { role: "parent" } as never, 4);
    await operations.saveDecisions("t", { selections: {} } as never, null);
    expect(saved).toEqual([
      ["t", "profile", 4, "the profile", { role: "parent" }],
      ["t", "decisions", null, "the decisions", { selections: {} }],
    ]);
  });
});
