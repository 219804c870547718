import { createMemoryStore } from "@rostersync/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  defineExport,
  type ExportConfigInput,
  exportConfigSchema,
  parseExportConfig,
  saveExport,
} from "../src/index.js";

const TARDIES = defineExport({
  exportId: "tardies",
  name: "Tardies to the SIS",
  schoolIds: ["hs"],
  behaviorCodeIds: ["tardy"],
  fields: [{ field: "studentSisId" }, { field: "date" }],
  format: "csv",
  sink: "sis-drop",
  schedule: { frequency: { type: "daily" }, timeOfDay: "16:30", timezone: "America/New_York" },
});

describe("a typed export config across the package boundary", () => {
  it("defineExport types a config written in code; saveExport takes that type, not unknown", async () => {
    expectTypeOf(saveExport).parameter(2).toEqualTypeOf<ExportConfigInput>();
    // @ts-expect-error a misspelt key is a compile error, not a surprise at run time
    defineExport({ ...TARDIES, shedule: TARDIES.schedule });
    const saved = await saveExport(createMemoryStore(), "school-1", TARDIES, { expectedVersion: null });
    expect(saved._unsafeUnwrap().config).toMatchObject({ exportId: "tardies", preset: "generic", enabled: true });
  });

  it("parseExportConfig answers problems as values where exportConfigSchema.parse would throw a ZodError", () => {
    const hostile: unknown = { exportId: "", format: "xls", fields: "all" };
    expect(() => exportConfigSchema.parse(hostile)).toThrow();
    const parsed = parseExportConfig(hostile);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.length).toBeGreaterThan(3);
    expect(parsed.problems.every((p) => p.message.endsWith(".") && !p.message.endsWith(".."))).toBe(true);
  });
});
