import { describe, expect, it } from "vitest";
import type { HoursSinkSuiteContext } from "./context.js";

/** A batch as a whole: progress, and cancellation through the error channel. */
export function batchTests(ctx: HoursSinkSuiteContext): void {
  describe("batches", () => {
    it("reports progress up to the batch's size", async () => {
      const writes = [0, 1, 2, 3].map((n) => ctx.create(n));
      const seen: [number, number][] = [];
      const result = await ctx.sink().write(writes, { onProgress: (done, total) => seen.push([done, total]) });
      expect(result.isOk()).toBe(true);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every(([done, total]) => total === 4 && done >= 0 && done <= 4)).toBe(true);
      expect(seen.at(-1)).toEqual([4, 4]);
    });

    it("fails a batch whose signal is already aborted as a whole, with a readable error", async () => {
      const controller = new AbortController();
      controller.abort();
      const result = await ctx.sink().write([ctx.create(0)], { signal: controller.signal });
      expect(result.isErr()).toBe(true);
      if (result.isErr()) expect(result.error.message.length).toBeGreaterThan(0);
    });
  });
}
