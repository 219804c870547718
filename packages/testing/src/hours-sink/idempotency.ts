import { describe, expect, it } from "vitest";
import { must } from "../results.js";
import { type HoursSinkSuiteContext, written } from "./context.js";

/** No write ever makes a duplicate: a replay after a lost answer finds the record made the first time. */
export function idempotencyTests(ctx: HoursSinkSuiteContext): void {
  describe("idempotency", () => {
    it("finds the record a create already made when the create is replayed with reconcile: no duplicate", async () => {
      const create = ctx.create(0);
      const [first] = await written(ctx.sink(), [create]);
      const [again] = await written(ctx.sink(), [{ ...create, reconcile: true }]);
      expect(["created", "updated"]).toContain(again?.status);
      expect(again?.serviceHoursId).toBe(first?.serviceHoursId);
      const records = (await must(ctx.sink().listAll())).filter((r) => r.hostHourId === create.hourId);
      expect(records).toHaveLength(1);
    });

    it("creates with reconcile when nothing was made before", async () => {
      const create = { ...ctx.create(0), reconcile: true };
      const [made] = await written(ctx.sink(), [create]);
      expect(made?.status).toBe("created");
      expect((await must(ctx.sink().listAll())).filter((r) => r.hostHourId === create.hourId)).toHaveLength(1);
    });

    it("answers a repeated delete without failing it", async () => {
      const create = ctx.create(0);
      const [made] = await written(ctx.sink(), [create]);
      const remove = { ...create, op: "delete" as const, serviceHoursId: made?.serviceHoursId };
      await written(ctx.sink(), [remove]);
      const [again] = await written(ctx.sink(), [remove]);
      expect(["deleted", "withdrawn"]).toContain(again?.status);
    });
  });
}
