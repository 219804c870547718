import { AUDIT_KINDS, type AuditKind, type AuditRecord } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { fails, journalLines, must, type SuiteContext, sampleAudit, sampleRun } from "./context.js";

// The school every test here writes to (tenancy.ts covers many schools).
const t = "school-1";

/** Runs, their journals and the audit trail. */
export function runTests(ctx: SuiteContext): void {
  for (const concern of [runRecordTests, journalTests, auditTests]) concern(ctx);
}

/** Runs: round-trip, duplicate ids, newest-first listing, finishing, unknown runs. */
function runRecordTests(ctx: SuiteContext): void {
  describe("runs", () => {
    it("round-trips a run with its plan", async () => {
      const store = ctx.store();
      expect(await must(store.getRun(t, "run-1"))).toBeNull();
      await must(store.createRun(t, sampleRun("run-1")));
      expect(await must(store.getRun(t, "run-1"))).toEqual(sampleRun("run-1"));
    });

    it("refuses a second run with the same id (Conflict) and keeps the first", async () => {
      const store = ctx.store();
      await must(store.createRun(t, sampleRun("run-1")));
      await fails(store.createRun(t, sampleRun("run-1", { planHash: "other" })), "Conflict");
      expect((await must(store.getRun(t, "run-1")))?.planHash).toBe("plan-run-1");
    });

    it("lists runs newest first, with a limit", async () => {
      const store = ctx.store();
      await must(store.createRun(t, sampleRun("b", { startedAt: "2026-09-02T00:00:00.000Z" })));
      await must(store.createRun(t, sampleRun("c", { startedAt: "2026-09-03T00:00:00.000Z" })));
      await must(store.createRun(t, sampleRun("a", { startedAt: "2026-09-01T00:00:00.000Z" })));
      await must(store.createRun(t, sampleRun("c2", { startedAt: "2026-09-03T00:00:00.000Z" })));
      const all = await must(store.listRuns(t));
      expect(all.map((r) => r.runId)).toEqual(["c2", "c", "b", "a"]);
      expect((await must(store.listRuns(t, { limit: 2 }))).map((r) => r.runId)).toEqual(["c2", "c"]);
      expect(await must(store.listRuns(t, { limit: 0 }))).toEqual([]);
      await fails(store.listRuns(t, { limit: -1 }), "Invalid");
    });

    it("finishes a run with status and summary, keeping its plan", async () => {
      const store = ctx.store();
      await must(store.createRun(t, sampleRun("run-1")));
      await must(
        store.finishRun(t, "run-1", {
          status: "completed",
          finishedAt: "2026-09-01T08:05:00.000Z",
          summary: { add: 1, archive: 1 },
        }),
      );
      expect(await must(store.getRun(t, "run-1"))).toEqual({
        ...sampleRun("run-1"),
        status: "completed",
        finishedAt: "2026-09-01T08:05:00.000Z",
        summary: { add: 1, archive: 1 },
      });
    });

    it("says NotFound when finishing or journaling a run that does not exist", async () => {
      const store = ctx.store();
      await fails(store.finishRun(t, "nope", { status: "failed", finishedAt: "2026-09-01T08:05:00.000Z" }), "NotFound");
      await fails(store.appendJournal(t, "nope", journalLines(1, 2)), "NotFound");
      expect(await must(store.readJournal(t, "nope"))).toEqual([]);
    });
  });
}

/** A run's journal: batches in `seq` order, atomic duplicate rejection, resume, racing appenders. */
function journalTests(ctx: SuiteContext): void {
  describe("journal", () => {
    it("appends in batches and reads back in seq order", async () => {
      const store = ctx.store();
      await must(store.createRun(t, sampleRun("run-1")));
      expect(await must(store.readJournal(t, "run-1"))).toEqual([]);
      await must(store.appendJournal(t, "run-1", journalLines(1, 1)));
      await must(store.appendJournal(t, "run-1", journalLines(2, 40)));
      await must(store.appendJournal(t, "run-1", []));
      await must(store.appendJournal(t, "run-1", journalLines(41, 42)));
      expect(await must(store.readJournal(t, "run-1"))).toEqual(journalLines(1, 42));
    });

    it("accepts gaps and reads back in numeric (not text) order", async () => {
      const store = ctx.store();
      await must(store.createRun(t, sampleRun("run-1")));
      const lines = [2, 9, 10, 100, 1000].map((seq) => ({ ...journalLines(seq, seq)[0]! }));
      for (const line of lines) await must(store.appendJournal(t, "run-1", [line]));
      expect((await must(store.readJournal(t, "run-1"))).map((e) => e.seq)).toEqual([2, 9, 10, 100, 1000]);
    });

    it("rejects a duplicate seq atomically: Conflict and nothing of the batch written", async () => {
      const store = ctx.store();
      await must(store.createRun(t, sampleRun("run-1")));
      await must(store.appendJournal(t, "run-1", journalLines(1, 4)));
      await fails(store.appendJournal(t, "run-1", journalLines(4, 6)), "Conflict");
      await fails(store.appendJournal(t, "run-1", journalLines(3, 3)), "Conflict");
      await fails(store.appendJournal(t, "run-1", [...journalLines(5, 6), ...journalLines(6, 7)]), "Conflict");
      await fails(store.appendJournal(t, "run-1", [...journalLines(8, 8), ...journalLines(7, 7)]), "Conflict");
      expect(await must(store.readJournal(t, "run-1"))).toEqual(journalLines(1, 4));
      await must(store.appendJournal(t, "run-1", journalLines(5, 6)));
      expect(await must(store.readJournal(t, "run-1"))).toEqual(journalLines(1, 6));
    });

    it("rejects a seq that is not a non-negative integer as Invalid, writing nothing", async () => {
      const store = ctx.store();
      await must(store.createRun(t, sampleRun("run-1")));
      const [line] = journalLines(1, 1);
      for (const seq of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await fails(store.appendJournal(t, "run-1", [{ ...line!, seq }]), "Invalid");
      }
      expect(await must(store.readJournal(t, "run-1"))).toEqual([]);
    });

    it("keeps each run's journal apart", async () => {
      const store = ctx.store();
      await must(store.createRun(t, sampleRun("run-1")));
      await must(store.createRun(t, sampleRun("run-2")));
      await must(store.appendJournal(t, "run-1", journalLines(1, 3)));
      await must(store.appendJournal(t, "run-2", journalLines(1, 5)));
      expect(await must(store.readJournal(t, "run-1"))).toEqual(journalLines(1, 3));
      expect(await must(store.readJournal(t, "run-2"))).toEqual(journalLines(1, 5));
    });

    it("resumes where it stopped: a reader sees every acknowledged append, in order", async () => {
      const store = ctx.store();
      await must(store.createRun(t, sampleRun("run-1")));
      await must(store.appendJournal(t, "run-1", journalLines(1, 7)));
      const other = await ctx.open();
      const seen = await must(other.readJournal(t, "run-1"));
      const last = seen.at(-1)?.seq ?? 0;
      expect(last).toBe(7);
      await must(other.appendJournal(t, "run-1", journalLines(last + 1, 10)));
      expect(await must(store.readJournal(t, "run-1"))).toEqual(journalLines(1, 10));
    });

    it("lets only one of many racing appenders of the same seq win", async () => {
      const store = ctx.store();
      await must(store.createRun(t, sampleRun("run-1")));
      await must(store.appendJournal(t, "run-1", journalLines(1, 2)));
      const results = await Promise.all(
        Array.from({ length: ctx.options.writers }, () => store.appendJournal(t, "run-1", journalLines(3, 4))),
      );
      expect(results.filter((r) => r.isOk())).toHaveLength(1);
      for (const r of results) if (r.isErr()) expect(r.error.type).toBe("Conflict");
      expect(await must(store.readJournal(t, "run-1"))).toEqual(journalLines(1, 4));
    });

    it("round-trips failed outcomes with their error", async () => {
      const store = ctx.store();
      await must(store.createRun(t, sampleRun("run-1")));
      const failed = {
        seq: 1,
        actionId: "archive:a2",
        phase: "outcome" as const,
        at: "2026-09-01T08:00:03.000Z",
        outcome: "failed" as const,
        error: { type: "NotFound", message: "account a2 is gone" },
      };
      await must(store.appendJournal(t, "run-1", [failed]));
      expect(await must(store.readJournal(t, "run-1"))).toEqual([failed]);
    });
  });
}

/** The audit trail: newest-first listing, duplicate ids, every kind, listing by kind. */
function auditTests(ctx: SuiteContext): void {
  describe("audit", () => {
    it("appends and lists audit records newest first, with a limit", async () => {
      const store = ctx.store();
      expect(await must(store.listAudit(t))).toEqual([]);
      await must(store.appendAudit(t, sampleAudit("a1", "2026-09-01T08:00:00.000Z")));
      await must(store.appendAudit(t, sampleAudit("a3", "2026-09-03T08:00:00.000Z")));
      await must(store.appendAudit(t, sampleAudit("a2", "2026-09-02T08:00:00.000Z")));
      expect((await must(store.listAudit(t))).map((a) => a.auditId)).toEqual(["a3", "a2", "a1"]);
      expect(await must(store.listAudit(t, { limit: 1 }))).toEqual([sampleAudit("a3", "2026-09-03T08:00:00.000Z")]);
    });

    it("refuses a duplicate audit id with Conflict", async () => {
      const store = ctx.store();
      await must(store.appendAudit(t, sampleAudit("a1", "2026-09-01T08:00:00.000Z")));
      await fails(store.appendAudit(t, sampleAudit("a1", "2026-09-09T08:00:00.000Z")), "Conflict");
      expect(await must(store.listAudit(t))).toEqual([sampleAudit("a1", "2026-09-01T08:00:00.000Z")]);
    });

    it("keeps records of every kind as they were written, with their status and reason", async () => {
      const store = ctx.store();
      const records = AUDIT_KINDS.map((kind, i) =>
        kindedAudit(`k${i}`, `2026-09-0${i + 1}T08:00:00.000Z`, kind, {
          status: i % 2 === 0 ? "refused" : "stopped",
          reason: `Held: "reason" №${i}`,
          counts: { created: i, dryRun: i === 3 },
        }),
      );
      for (const r of records) await must(store.appendAudit(t, r));
      expect(await must(store.listAudit(t))).toEqual([...records].reverse());
    });

    it("lists one kind, newest first, with a limit; records without a kind are apply runs", async () => {
      const store = ctx.store();
      await must(store.appendAudit(t, sampleAudit("old-apply", "2026-09-01T08:00:00.000Z")));
      await must(store.appendAudit(t, kindedAudit("push-1", "2026-09-02T08:00:00.000Z", "hours-push")));
      await must(store.appendAudit(t, kindedAudit("apply-2", "2026-09-03T08:00:00.000Z", "apply")));
      await must(store.appendAudit(t, kindedAudit("push-2", "2026-09-04T08:00:00.000Z", "hours-push")));
      await must(store.appendAudit(t, kindedAudit("refused", "2026-09-05T08:00:00.000Z", "apply-refused")));
      // Another school's records of the same kind are never listed.
      await must(store.appendAudit(`${t}-other`, kindedAudit("push-x", "2026-09-06T08:00:00.000Z", "hours-push")));
      const ids = async (kind?: AuditKind, limit?: number) =>
        (await must(store.listAudit(t, { kind, limit }))).map((a) => a.auditId);
      expect(await ids("hours-push")).toEqual(["push-2", "push-1"]);
      expect(await ids("hours-push", 1)).toEqual(["push-2"]);
      expect(await ids("apply")).toEqual(["apply-2", "old-apply"]);
      expect(await ids("apply-refused")).toEqual(["refused"]);
      expect(await ids("export")).toEqual([]);
      expect(await ids(undefined, 2)).toEqual(["refused", "push-2"]);
    });

    it("refuses an unknown kind with Invalid", async () => {
      const store = ctx.store();
      await fails(store.listAudit(t, { kind: "hours-push'; DROP TABLE audit; --" as AuditKind }), "Invalid");
      await fails(store.listAudit(t, { kind: 7 as unknown as AuditKind }), "Invalid");
    });
  });
}

/** An audit record of `kind` (not an apply run's shape: no plan). */
function kindedAudit(auditId: string, at: string, kind: AuditKind, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    auditId,
    kind,
    runId: auditId,
    at,
    actor: "unattended",
    planHash: "",
    status: "completed",
    counts: { created: 1 },
    outcomes: {},
    ...overrides,
  };
}
