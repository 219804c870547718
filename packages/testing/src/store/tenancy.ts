import { EMPTY_DECISIONS } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import {
  fails,
  journalLines,
  must,
  type SuiteContext,
  sampleAudit,
  sampleDecisions,
  sampleHour,
  sampleProfile,
  sampleRun,
} from "./context.js";

/**
 * Tenant ids an attacker or a careless host might craft: separators a store could use to build keys,
 * SQL and LIKE metacharacters, look-alike Unicode, whitespace-only and very long ids.
 */
export const CRAFTED_TENANT_IDS: readonly string[] = [
  "a",
  "a:b",
  "a/b",
  "a\\b",
  "a:",
  ":a",
  "%",
  "_",
  "*",
  "'; DROP TABLE runs; --",
  '"quoted"',
  " ",
  "  ",
  "\t",
  "école",
  "e\u0301cole",
  "学校",
  "🏫",
  "A",
  "a".repeat(512),
  "null",
  "undefined",
  "0",
];

/** One school never reads or overwrites another's state, whatever the ids look like. */
export function tenancyTests(ctx: SuiteContext): void {
  describe("tenant isolation", () => {
    it("keeps every kind of record apart across crafted tenant ids", async () => {
      const store = ctx.store();
      const now = 1_800_000_000_000;
      for (const [i, tenant] of CRAFTED_TENANT_IDS.entries()) {
        await must(store.saveProfile(tenant, sampleProfile({ schools: [`S${i}`] }), null));
        await must(store.saveDecisions(tenant, sampleDecisions({ reviewed: [`p${i}`] }), null));
        await must(store.saveLastRun(tenant, { sourceCount: i, errorFingerprints: [] }));
        await must(store.createRun(tenant, sampleRun("run-1", { planHash: `plan-${i}` })));
        await must(store.appendJournal(tenant, "run-1", journalLines(1, i + 1)));
        await must(
          store.appendAudit(tenant, sampleAudit("audit-1", `2026-09-01T08:00:${String(i % 60).padStart(2, "0")}.000Z`)),
        );
        await must(store.putHoursLedger(tenant, [sampleHour("h1", { personId: `person-${i}` })]));
        await must(store.setWatermark(tenant, "w", `mark-${i}`));
        await must(store.saveExport(tenant, "e1", { tenantIndex: i }, null));
        await must(
          store.putExportLedger(tenant, "e1", [
            { eventId: "ev1", fingerprint: `f${i}`, status: "sent", sentAt: "2026-09-01T08:00:00.000Z" },
          ]),
        );
        await must(store.acquireLock(tenant, `worker-${i}`, 60_000, now));
      }
      for (const [i, tenant] of CRAFTED_TENANT_IDS.entries()) {
        expect((await must(store.getProfile(tenant)))?.value.schools).toEqual([`S${i}`]);
        expect((await must(store.getDecisions(tenant)))?.value.reviewed).toEqual([`p${i}`]);
        expect((await must(store.getLastRun(tenant)))?.sourceCount).toBe(i);
        expect((await must(store.getRun(tenant, "run-1")))?.planHash).toBe(`plan-${i}`);
        expect(await must(store.listRuns(tenant))).toHaveLength(1);
        expect(await must(store.readJournal(tenant, "run-1"))).toEqual(journalLines(1, i + 1));
        expect(await must(store.listAudit(tenant))).toHaveLength(1);
        expect((await must(store.getHoursLedger(tenant))).map((h) => h.personId)).toEqual([`person-${i}`]);
        expect(await must(store.getWatermark(tenant, "w"))).toBe(`mark-${i}`);
        expect(await must(store.listExports(tenant))).toEqual([
          { exportId: "e1", config: { tenantIndex: i }, version: 1 },
        ]);
        expect((await must(store.getExportLedger(tenant, "e1"))).map((e) => e.fingerprint)).toEqual([`f${i}`]);
      }
    });

    it("does not let one school's versions, runs or ids collide with another's", async () => {
      const store = ctx.store();
      await must(store.saveDecisions("a:b", EMPTY_DECISIONS, null));
      expect(await must(store.saveDecisions("a", EMPTY_DECISIONS, null))).toBe(1);
      await must(store.createRun("a", sampleRun("b:run")));
      await must(store.createRun("a:b", sampleRun("run")));
      expect(await must(store.getRun("a:b", "b:run"))).toBeNull();
      expect(await must(store.getRun("a", "b:run"))).not.toBeNull();
      await fails(store.appendJournal("a:b", "b:run", journalLines(1, 1)), "NotFound");
      await must(store.deleteExport("a", "e1"));
      await must(store.saveExport("a:b", "e1", {}, null));
      await must(store.deleteExport("a", "e1"));
      expect(await must(store.getExport("a:b", "e1"))).not.toBeNull();
    });

    it("cannot renew or release another school's lease with a forged lease", async () => {
      const store = ctx.store();
      const now = 1_800_000_000_000;
      const lease = await must(store.acquireLock("school-1", "worker-a", 60_000, now));
      const forged = { ...lease, tenantId: "school-2" };
      await fails(store.renewLock(forged, 60_000, now), "LockLost");
      await must(store.releaseLock(forged));
      await fails(store.acquireLock("school-1", "worker-b", 60_000, now + 1), "Locked");
    });

    it("refuses ids that cannot be stored faithfully as Invalid", async () => {
      const store = ctx.store();
      for (const bad of ["", "a\u0000b", "\ud800", "x\udc00y"]) {
        await fails(store.saveDecisions(bad, EMPTY_DECISIONS, null), "Invalid");
        await fails(store.getProfile(bad), "Invalid");
        await fails(store.createRun("school-1", sampleRun(bad)), "Invalid");
        await fails(store.setWatermark("school-1", bad, "v"), "Invalid");
        await fails(store.acquireLock(bad, "worker", 1000, 0), "Invalid");
      }
      expect(await must(store.listRuns("school-1"))).toEqual([]);
    });
  });
}
