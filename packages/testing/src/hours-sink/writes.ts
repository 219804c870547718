import { describe, expect, it } from "vitest";
import { must } from "../results.js";
import { type HoursSinkSuiteContext, written } from "./context.js";

/** Creates, updates and deletes: one outcome per write, and what `listAll` then shows. */
export function writeTests(ctx: HoursSinkSuiteContext): void {
  describe("writes", () => {
    it("creates each write and answers one outcome per write, in order, each with its own SIS id", async () => {
      const writes = [ctx.create(0), ctx.create(1), ctx.create(2, "parent")];
      const outcomes = await written(ctx.sink(), writes);
      expect(outcomes.map((o) => o.status)).toEqual(["created", "created", "created"]);
      const ids = outcomes.map((o) => o.serviceHoursId);
      expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
      expect(new Set(ids).size).toBe(3);
    });

    it("lists what it wrote under the host's hour id, with the person, role, date, hours and description", async () => {
      const writes = [ctx.create(0), ctx.create(1, "parent")];
      const outcomes = await written(ctx.sink(), writes);
      const listed = await must(ctx.sink().listAll());
      for (const [i, w] of writes.entries()) {
        const record = listed.find((r) => r.hostHourId === w.hourId);
        expect(record).toMatchObject({
          serviceHoursId: outcomes[i]?.serviceHoursId,
          personId: w.hour.personId,
          role: w.hour.role,
          date: w.hour.date,
          hours: w.hour.hours,
          description: w.hour.description,
        });
      }
    });

    it("updates a record by its SIS id", async () => {
      const create = ctx.create(0);
      const [made] = await written(ctx.sink(), [create]);
      const [updated] = await written(ctx.sink(), [
        { ...create, op: "update", serviceHoursId: made?.serviceHoursId, hour: { ...create.hour, hours: 7 } },
      ]);
      expect(updated).toMatchObject({ status: "updated", serviceHoursId: made?.serviceHoursId });
      const records = (await must(ctx.sink().listAll())).filter((r) => r.hostHourId === create.hourId);
      expect(records.map((r) => r.hours)).toEqual([7]);
    });

    it("deletes a record, or withdraws it (emptied, still listed) when the SIS cannot delete", async () => {
      const create = ctx.create(0);
      const [made] = await written(ctx.sink(), [create, ctx.create(1)]);
      const [gone] = await written(ctx.sink(), [{ ...create, op: "delete", serviceHoursId: made?.serviceHoursId }]);
      expect(["deleted", "withdrawn"]).toContain(gone?.status);
      const left = (await must(ctx.sink().listAll())).filter((r) => r.hostHourId === create.hourId);
      if (gone?.status === "deleted") expect(left).toEqual([]);
      else {
        expect(gone?.serviceHoursId).toBe(made?.serviceHoursId);
        expect(left.map((r) => r.hours)).toEqual([0]);
      }
      const others = (await must(ctx.sink().listAll())).filter((r) => r.hostHourId === ctx.create(1).hourId);
      expect(others.map((r) => r.hours)).toEqual([ctx.create(1).hour.hours]);
    });

    it("fails an update of a record the SIS does not have in its outcome alone; the batch goes on", async () => {
      const update = { ...ctx.create(0), op: "update" as const, serviceHoursId: "987654321" };
      const outcomes = await written(ctx.sink(), [update, ctx.create(1)]);
      expect(outcomes.map((o) => o.status)).toEqual(["failed", "created"]);
      expect(outcomes[0]?.error?.message.length).toBeGreaterThan(0);
    });

    it("answers an empty batch with no outcomes", async () => {
      expect(await written(ctx.sink(), [])).toEqual([]);
    });
  });
}
