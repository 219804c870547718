import { describe, expect, it } from "vitest";
import { must } from "../results.js";
import type { DirectorySuiteContext } from "./context.js";

/** Profile fields: created once, listed with their kind and options. */
export function fieldTests(ctx: DirectorySuiteContext): void {
  describe("fields", () => {
    it("creates a text field and a dropdown with its options in order", async () => {
      const d = ctx.directory();
      await must(d.createField({ name: "Homeroom", kind: "text" }));
      await must(d.createField({ name: "Class Year", kind: "dropdown", options: ["2031", "2029", "2030"] }));
      const fields = await must(d.listFields());
      expect(fields.find((f) => f.name === "Homeroom")).toMatchObject({ name: "Homeroom", kind: "text" });
      expect(fields.find((f) => f.name === "Class Year")).toEqual({
        name: "Class Year",
        kind: "dropdown",
        options: ["2031", "2029", "2030"],
      });
    });

    it("treats creating a field that exists as a replay: no error, listed once", async () => {
      const d = ctx.directory();
      for (let i = 0; i < 2; i++) await must(d.createField({ name: "Shirt", kind: "dropdown", options: ["M", "S"] }));
      const shirts = (await must(d.listFields())).filter((f) => f.name === "Shirt");
      expect(shirts).toEqual([{ name: "Shirt", kind: "dropdown", options: ["M", "S"] }]);
    });
  });
}
