import { EMPTY_DECISIONS } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { fails, must, type SuiteContext, sampleDecisions, sampleProfile } from "./context.js";

// The school every test here writes to (tenancy.ts covers many schools).
const t = "school-1";

/** Profiles, decisions and the last-run summary: round-trips and optimistic concurrency. */
export function documentTests(ctx: SuiteContext): void {
  for (const concern of [profileTests, malformedVersionTests, decisionTests, lastRunTests]) concern(ctx);
}

/** Profiles: round-trip, versions, stale writes, no shared objects. */
function profileTests(ctx: SuiteContext): void {
  describe("profiles", () => {
    it("starts empty and round-trips a profile with version 1", async () => {
      const store = ctx.store();
      expect(await must(store.getProfile(t))).toBeNull();
      expect(await must(store.saveProfile(t, sampleProfile(), null))).toBe(1);
      expect(await must(store.getProfile(t))).toEqual({ value: sampleProfile(), version: 1 });
    });

    it("grows the version by one per write", async () => {
      const store = ctx.store();
      await must(store.saveProfile(t, sampleProfile(), null));
      expect(await must(store.saveProfile(t, sampleProfile({ gradeLevels: ["09"] }), 1))).toBe(2);
      expect(await must(store.saveProfile(t, sampleProfile({ gradeLevels: ["10"] }), 2))).toBe(3);
      expect(await must(store.getProfile(t))).toEqual({ value: sampleProfile({ gradeLevels: ["10"] }), version: 3 });
    });

    it("refuses a stale write with Conflict and keeps the stored profile", async () => {
      const store = ctx.store();
      await must(store.saveProfile(t, sampleProfile(), null));
      await must(store.saveProfile(t, sampleProfile({ schools: ["B"] }), 1));
      await fails(store.saveProfile(t, sampleProfile({ schools: ["STALE"] }), 1), "Conflict");
      await fails(store.saveProfile(t, sampleProfile({ schools: ["NEW"] }), null), "Conflict");
      await fails(store.saveProfile(t, sampleProfile({ schools: ["FUTURE"] }), 7), "Conflict");
      expect(await must(store.getProfile(t))).toEqual({ value: sampleProfile({ schools: ["B"] }), version: 2 });
    });

    it("refuses to update a profile that does not exist", async () => {
      const store = ctx.store();
      await fails(store.saveProfile(t, sampleProfile(), 1), "Conflict");
      expect(await must(store.getProfile(t))).toBeNull();
    });

    it("does not share objects with the caller", async () => {
      const store = ctx.store();
      const profile = { ...sampleProfile(), schools: ["A"] };
      await must(store.saveProfile(t, profile, null));
      (profile.schools as string[]).push("MUTATED");
      const read = await must(store.getProfile(t));
      expect(read?.value.schools).toEqual(["A"]);
    });
  });
}

/** A malformed `expectedVersion` is `Invalid` on every versioned document. */
function malformedVersionTests(ctx: SuiteContext): void {
  describe("malformed expectedVersion", () => {
    const bad: readonly unknown[] = [
      "1",
      "",
      1.0000001,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      0,
      -1,
      2 ** 53,
      true,
      {},
    ];

    it("is Invalid on every store, never Conflict or Unavailable, and writes nothing", async () => {
      const store = ctx.store();
      await must(store.saveProfile(t, sampleProfile(), null));
      await must(store.saveDecisions(t, EMPTY_DECISIONS, null));
      await must(store.saveExport(t, "e1", { a: 1 }, null));
      for (const version of bad) {
        const v = version as number;
        await fails(store.saveProfile(t, sampleProfile({ schools: ["X"] }), v), "Invalid");
        await fails(store.saveDecisions(t, sampleDecisions(), v), "Invalid");
        await fails(store.saveExport(t, "e1", { a: 2 }, v), "Invalid");
        // Nothing stored yet: still Invalid, not a Conflict with "none".
        await fails(store.saveProfile("school-empty", sampleProfile(), v), "Invalid");
      }
      expect(await must(store.getProfile(t))).toEqual({ value: sampleProfile(), version: 1 });
      expect(await must(store.getDecisions(t))).toEqual({ value: EMPTY_DECISIONS, version: 1 });
      expect(await must(store.getProfile("school-empty"))).toBeNull();
    });
  });
}

/** Decisions: round-trip, stale and racing writers, read-modify-write loops, a second handle. */
function decisionTests(ctx: SuiteContext): void {
  describe("decisions", () => {
    it("round-trips decisions, including empty ones", async () => {
      const store = ctx.store();
      expect(await must(store.getDecisions(t))).toBeNull();
      expect(await must(store.saveDecisions(t, EMPTY_DECISIONS, null))).toBe(1);
      expect(await must(store.getDecisions(t))).toEqual({ value: EMPTY_DECISIONS, version: 1 });
      expect(await must(store.saveDecisions(t, sampleDecisions(), 1))).toBe(2);
      expect(await must(store.getDecisions(t))).toEqual({ value: sampleDecisions(), version: 2 });
    });

    it("refuses a stale write with Conflict, never losing the newer decisions", async () => {
      const store = ctx.store();
      await must(store.saveDecisions(t, sampleDecisions(), null));
      await must(store.saveDecisions(t, sampleDecisions({ merges: { p9: "acct-1" } }), 1));
      await fails(store.saveDecisions(t, sampleDecisions({ merges: {} }), 1), "Conflict");
      expect((await must(store.getDecisions(t)))?.value.merges).toEqual({ p9: "acct-1" });
    });

    it("lets exactly one of many racing writers with the same expected version win", async () => {
      const store = ctx.store();
      await must(store.saveDecisions(t, EMPTY_DECISIONS, null));
      const writers = Array.from({ length: ctx.options.writers }, (_, i) =>
        store.saveDecisions(t, sampleDecisions({ reviewed: [`writer-${i}`] }), 1),
      );
      const results = await Promise.all(writers);
      const winners = results.flatMap((r, i) => (r.isOk() ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.isErr()) expect(r.error.type).toBe("Conflict");
      const stored = await must(store.getDecisions(t));
      expect(stored).toEqual({ value: sampleDecisions({ reviewed: [`writer-${winners[0]}`] }), version: 2 });
    });

    it("lets exactly one of many racing creators win", async () => {
      const store = ctx.store();
      const results = await Promise.all(
        Array.from({ length: ctx.options.writers }, (_, i) =>
          store.saveDecisions(t, sampleDecisions({ reviewed: [`creator-${i}`] }), null),
        ),
      );
      expect(results.filter((r) => r.isOk())).toHaveLength(1);
      expect((await must(store.getDecisions(t)))?.version).toBe(1);
    });

    it("loses no update when concurrent read-modify-write loops retry on Conflict", async () => {
      const store = ctx.store();
      await must(store.saveDecisions(t, EMPTY_DECISIONS, null));
      const select = async (sourceId: string) => {
        for (let attempt = 0; attempt < 200; attempt++) {
          const current = await must(store.getDecisions(t));
          if (!current) throw new Error("decisions vanished");
          const next = { ...current.value, selections: { ...current.value.selections, [sourceId]: true } };
          const saved = await store.saveDecisions(t, next, current.version);
          if (saved.isOk()) return;
          expect(saved.error.type).toBe("Conflict");
        }
        throw new Error(`gave up selecting ${sourceId}`);
      };
      const ids = Array.from({ length: ctx.options.writers }, (_, i) => `p${i}`);
      await Promise.all(ids.map(select));
      const stored = await must(store.getDecisions(t));
      expect(Object.keys(stored?.value.selections ?? {}).sort()).toEqual([...ids].sort());
      expect(stored?.version).toBe(ids.length + 1);
    });

    it("sees writes made through another store on the same backend", async () => {
      const store = ctx.store();
      const other = await ctx.open();
      await must(store.saveDecisions(t, sampleDecisions(), null));
      await fails(other.saveDecisions(t, EMPTY_DECISIONS, null), "Conflict");
      expect(await must(other.getDecisions(t))).toEqual({ value: sampleDecisions(), version: 1 });
    });
  });
}

/** The last successful run's summary. */
function lastRunTests(ctx: SuiteContext): void {
  describe("last run", () => {
    it("round-trips and overwrites the last successful run", async () => {
      const store = ctx.store();
      expect(await must(store.getLastRun(t))).toBeNull();
      const first = { sourceCount: 120, errorFingerprints: ["a", "b"], finishedAt: "2026-09-01T09:00:00.000Z" };
      await must(store.saveLastRun(t, first));
      expect(await must(store.getLastRun(t))).toEqual(first);
      const second = { sourceCount: 118, errorFingerprints: [], planHash: "h2" };
      await must(store.saveLastRun(t, second));
      expect(await must(store.getLastRun(t))).toEqual(second);
    });
  });
}
