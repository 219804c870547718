import { describe, expect, it } from "vitest";
import { must } from "../results.js";
import type { TardySinkSuiteContext } from "./context.js";

/** Deliveries: receipts, retries of a run, corrections and voids, cancellation. */
export function deliveryTests(ctx: TardySinkSuiteContext): void {
  describe("deliveries", () => {
    it("accepts a delivery and reports how many records it delivered", async () => {
      const records = [0, 1, 2].map((n) => ctx.tardy(n));
      const receipt = await must(ctx.sink().deliver(ctx.delivery("run-1", records)));
      expect(receipt.delivered).toBe(3);
    });

    it("names in externalIds only events of the delivery", async () => {
      const records = [0, 1].map((n) => ctx.tardy(n));
      const receipt = await must(ctx.sink().deliver(ctx.delivery("run-1", records)));
      for (const [eventId, externalId] of Object.entries(receipt.externalIds ?? {})) {
        expect(records.map((r) => r.eventId)).toContain(eventId);
        expect(typeof externalId).toBe("string");
        expect(externalId.length).toBeGreaterThan(0);
      }
    });

    it("accepts the same delivery again (a run retried after a crash) without failing", async () => {
      const delivery = ctx.delivery("run-1", [ctx.tardy(0), ctx.tardy(1)]);
      const first = await must(ctx.sink().deliver(delivery));
      const again = await must(ctx.sink().deliver(delivery));
      expect(again.delivered).toBe(first.delivered);
    });

    it("accepts corrections and voids of tardies it delivered before", async () => {
      const records = [ctx.tardy(0), ctx.tardy(1)];
      const first = await must(ctx.sink().deliver(ctx.delivery("run-1", records)));
      const externalId = (eventId: string) => first.externalIds?.[eventId];
      const later = records.map((r, i) => {
        const id = externalId(r.eventId);
        return { ...r, kind: i === 0 ? ("correction" as const) : ("void" as const), ...(id ? { externalId: id } : {}) };
      });
      const receipt = await must(ctx.sink().deliver(ctx.delivery("run-2", later)));
      expect(receipt.delivered).toBe(2);
    });

    it("accepts a delivery with no records", async () => {
      expect((await must(ctx.sink().deliver(ctx.delivery("run-1", [])))).delivered).toBe(0);
    });

    it("fails a delivery whose signal is already aborted, with a readable error", async () => {
      const controller = new AbortController();
      controller.abort();
      const result = await ctx.sink().deliver(ctx.delivery("run-1", [ctx.tardy(0)]), { signal: controller.signal });
      expect(result.isErr()).toBe(true);
      if (result.isErr()) expect(result.error.message.length).toBeGreaterThan(0);
    });
  });
}
