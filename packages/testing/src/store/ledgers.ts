import type { ExportLedgerEntry } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { byKey, fails, must, type SuiteContext, sampleHour } from "./context.js";

const sent = (eventId: string, overrides: Partial<ExportLedgerEntry> = {}): ExportLedgerEntry => ({
  eventId,
  fingerprint: `fp-${eventId}`,
  status: "sent",
  sentAt: "2026-09-03T07:00:00.000Z",
  externalId: `ext-${eventId}`,
  ...overrides,
});

/** The hours ledger, watermarks, tardy export configs and their ledgers. */
export function ledgerTests(ctx: SuiteContext): void {
  const t = "school-1";
  const hourIds = (rows: readonly { hourId: string }[]) => rows.map((r) => r.hourId).sort();

  describe("hours ledger", () => {
    it("upserts by hour id and reads all or some", async () => {
      const store = ctx.store();
      expect(await must(store.getHoursLedger(t))).toEqual([]);
      await must(
        store.putHoursLedger(t, [sampleHour("h1"), sampleHour("h2", { serviceHoursId: null, state: "pending" })]),
      );
      await must(store.putHoursLedger(t, [sampleHour("h2", { fingerprint: "edited" }), sampleHour("h3")]));
      const all = await must(store.getHoursLedger(t));
      expect(byKey(all, (r) => r.hourId)).toEqual([
        sampleHour("h1"),
        sampleHour("h2", { fingerprint: "edited" }),
        sampleHour("h3"),
      ]);
      expect(hourIds(await must(store.getHoursLedger(t, ["h3", "h1", "missing", "h1"])))).toEqual(["h1", "h3"]);
      expect(await must(store.getHoursLedger(t, []))).toEqual([]);
    });

    it("writes a batch atomically: one invalid id and nothing is written", async () => {
      const store = ctx.store();
      await fails(store.putHoursLedger(t, [sampleHour("h1"), sampleHour("")]), "Invalid");
      expect(await must(store.getHoursLedger(t))).toEqual([]);
    });

    it("reads thousands of ids at once", async () => {
      const store = ctx.store();
      const entries = Array.from({ length: 5000 }, (_, i) => sampleHour(`h${i}`, { origin: i % 2 ? "sis" : "host" }));
      await must(store.putHoursLedger(t, entries));
      const wanted = entries.filter((_, i) => i % 3 === 0).map((e) => e.hourId);
      expect(hourIds(await must(store.getHoursLedger(t, wanted)))).toEqual([...wanted].sort());
    });
  });

  describe("watermarks", () => {
    it("sets, reads and overwrites a watermark per key", async () => {
      const store = ctx.store();
      expect(await must(store.getWatermark(t, "tardies:export-1"))).toBeNull();
      await must(store.setWatermark(t, "tardies:export-1", "2026-09-01T00:00:00Z"));
      await must(store.setWatermark(t, "tardies:export-2", "other"));
      await must(store.setWatermark(t, "tardies:export-1", "2026-09-02T00:00:00Z"));
      expect(await must(store.getWatermark(t, "tardies:export-1"))).toBe("2026-09-02T00:00:00Z");
      expect(await must(store.getWatermark(t, "tardies:export-2"))).toBe("other");
    });

    it("keeps an empty string value", async () => {
      const store = ctx.store();
      await must(store.setWatermark(t, "k", ""));
      expect(await must(store.getWatermark(t, "k"))).toBe("");
    });
  });

  describe("tardy exports", () => {
    const config = { name: "Nightly tardies", schools: ["MAIN"], format: "csv", fields: ["date", "studentId"] };

    it("round-trips configs with versions and lists them", async () => {
      const store = ctx.store();
      expect(await must(store.listExports(t))).toEqual([]);
      expect(await must(store.getExport(t, "e1"))).toBeNull();
      expect(await must(store.saveExport(t, "e1", config, null))).toBe(1);
      expect(await must(store.saveExport(t, "e2", { ...config, name: "Weekly" }, null))).toBe(1);
      expect(await must(store.saveExport(t, "e1", { ...config, format: "tsv" }, 1))).toBe(2);
      expect(await must(store.getExport(t, "e1"))).toEqual({
        exportId: "e1",
        config: { ...config, format: "tsv" },
        version: 2,
      });
      expect(byKey(await must(store.listExports(t)), (e) => e.exportId)).toEqual([
        { exportId: "e1", config: { ...config, format: "tsv" }, version: 2 },
        { exportId: "e2", config: { ...config, name: "Weekly" }, version: 1 },
      ]);
    });

    it("refuses stale export writes with Conflict", async () => {
      const store = ctx.store();
      await must(store.saveExport(t, "e1", config, null));
      await must(store.saveExport(t, "e1", { ...config, name: "v2" }, 1));
      await fails(store.saveExport(t, "e1", { ...config, name: "stale" }, 1), "Conflict");
      await fails(store.saveExport(t, "e1", config, null), "Conflict");
      await fails(store.saveExport(t, "e9", config, 1), "Conflict");
      const results = await Promise.all(
        Array.from({ length: ctx.options.writers }, (_, i) => store.saveExport(t, "e1", { n: i }, 2)),
      );
      expect(results.filter((r) => r.isOk())).toHaveLength(1);
      expect((await must(store.getExport(t, "e1")))?.version).toBe(3);
    });

    it("deletes a config and its ledger; deleting twice is fine", async () => {
      const store = ctx.store();
      await must(store.saveExport(t, "e1", config, null));
      await must(store.putExportLedger(t, "e1", [sent("ev1")]));
      await must(store.deleteExport(t, "e1"));
      await must(store.deleteExport(t, "e1"));
      expect(await must(store.getExport(t, "e1"))).toBeNull();
      expect(await must(store.getExportLedger(t, "e1"))).toEqual([]);
      expect(await must(store.saveExport(t, "e1", config, null))).toBe(1);
    });

    it("upserts the export ledger by event id, per export", async () => {
      const store = ctx.store();
      await must(store.saveExport(t, "e1", config, null));
      await must(store.saveExport(t, "e2", config, null));
      const { externalId: _, ...withoutExternal } = sent("ev2");
      await must(store.putExportLedger(t, "e1", [sent("ev1"), withoutExternal]));
      await must(store.putExportLedger(t, "e1", [sent("ev1", { status: "voided", fingerprint: "v2" })]));
      await must(store.putExportLedger(t, "e2", [sent("ev1")]));
      expect(byKey(await must(store.getExportLedger(t, "e1")), (e) => e.eventId)).toEqual([
        sent("ev1", { status: "voided", fingerprint: "v2" }),
        withoutExternal,
      ]);
      expect(await must(store.getExportLedger(t, "e1", ["ev2", "nope"]))).toEqual([withoutExternal]);
      expect(await must(store.getExportLedger(t, "e2"))).toEqual([sent("ev1")]);
      await fails(store.putExportLedger(t, "e1", [sent("ev3"), sent("")]), "Invalid");
      expect(await must(store.getExportLedger(t, "e1", ["ev3"]))).toEqual([]);
    });
  });
}
