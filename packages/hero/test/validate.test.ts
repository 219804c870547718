import { describe, expect, it } from "vitest";
import { exportConfigSchema, parseExportConfig, problemCodes, validateExport } from "../src/index.js";
import { behaviorCodes, bellSchedules, config, schools, sisCodes } from "./helpers/school.js";

const context = { schools, behaviorCodes, bellSchedules, sisCodes, sinkNames: ["drop", "facts"] };

describe("validateExport (the article's checks)", () => {
  it("accepts an export whose fields, schools and codes are all configured", () => {
    expect(validateExport(config(), context)).toEqual([]);
  });

  it("refuses Period when a selected school has no bell schedule mapped, naming the school", () => {
    const problems = validateExport(config({ schoolIds: ["hs", "ms"] }), context);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: problemCodes.SchoolWithoutSchedule, path: ["fields", 3, "field"] });
    expect(problems[0]?.message).toContain("North Middle");
    expect(problems[0]?.message).toContain('"Period" needs a bell schedule');
  });

  it("lets a school without a schedule export when Period is not in the export", () => {
    const fields = config().fields.filter((f) => f.field !== "period");
    expect(validateExport(config({ schoolIds: ["hs", "ms"], fields }), context)).toEqual([]);
  });

  it("refuses a behaviour code whose External Reference Code is empty (blank counts as empty)", () => {
    const problems = validateExport(config({ behaviorCodeIds: ["tardy", "late-bus"] }), context);
    expect(problems.map((p) => p.code)).toEqual([problemCodes.EmptyExternalReferenceCode]);
    expect(problems[0]?.message).toContain("Late Bus");
    expect(problems[0]?.message).toContain("Config > Behavior Codes");
  });

  it("refuses two selected codes sharing one External Reference Code", () => {
    const problems = validateExport(config({ behaviorCodeIds: ["tardy", "tardy-copy"] }), context);
    expect(problems.map((p) => p.code)).toEqual([problemCodes.DuplicateExternalReferenceCode]);
    expect(problems[0]?.message).toContain('"Tardy" and "Tardy (old)"');
  });

  it("refuses an External Reference Code that is not one of the SIS's codes (after trimming)", () => {
    const problems = validateExport(config({ behaviorCodeIds: ["tardy-typo"] }), context);
    expect(problems.map((p) => p.code)).toEqual([problemCodes.ExternalReferenceCodeNotInSis]);
    expect(problems[0]?.message).toContain('"TE"');
    // Without the SIS's list, the code cannot be checked and is accepted.
    expect(validateExport(config({ behaviorCodeIds: ["tardy-typo"] }), { ...context, sisCodes: undefined })).toEqual(
      [],
    );
  });

  it("refuses an empty field list, an unknown time zone and unknown schools, codes, fields and sinks", () => {
    const problems = validateExport(
      config({
        fields: [],
        schoolIds: ["atlantis"],
        behaviorCodeIds: ["nope"],
        sink: "ftp",
        schedule: { frequency: { type: "weekly", days: [] }, timeOfDay: "25:00", timezone: "America/Springfield" },
      }),
      context,
    );
    expect(problems.map((p) => p.code).sort()).toEqual(
      [
        problemCodes.EmptyFieldList,
        problemCodes.UnknownSchool,
        problemCodes.UnknownBehaviorCode,
        problemCodes.UnknownSink,
        problemCodes.UnknownTimezone,
        problemCodes.InvalidTimeOfDay,
        problemCodes.NoWeekdays,
      ].sort(),
    );
    for (const p of problems) expect(p.message.length).toBeGreaterThan(20);
  });

  it("returns every problem at once, not the first", () => {
    const problems = validateExport(
      config({
        name: " ",
        schoolIds: ["hs", "ms"],
        behaviorCodeIds: ["tardy", "late-bus", "tardy-copy", "tardy-typo"],
        fields: [
          { field: "studentSisId" },
          { field: "period" },
          { field: "shoeSize" },
          { field: "date", header: "Day" },
          { field: "date", header: "Day" },
        ],
        schedule: { frequency: { type: "daily" }, timeOfDay: "07:00", timezone: "Europe/Londn" },
      }),
      context,
    );
    expect(problems.map((p) => p.code)).toEqual([
      problemCodes.EmptyName,
      problemCodes.EmptyExternalReferenceCode,
      problemCodes.ExternalReferenceCodeNotInSis,
      problemCodes.DuplicateExternalReferenceCode,
      problemCodes.SchoolWithoutSchedule,
      problemCodes.UnknownField,
      problemCodes.DuplicateField,
      problemCodes.DuplicateHeader,
      problemCodes.UnknownTimezone,
    ]);
  });

  it("asks for the fields the FACTS preset needs", () => {
    const problems = validateExport(
      config({ preset: "facts", fields: [{ field: "studentSisId" }, { field: "date" }] }),
      context,
    );
    expect(problems.map((p) => p.message)).toEqual([
      'The FACTS SIS preset needs the "Period" field; add it to the export.',
      'The FACTS SIS preset needs the "External reference code" field; add it to the export.',
    ]);
  });

  it("turns schema failures into problems too, all at once", () => {
    const parsed = parseExportConfig({ exportId: "", name: 3, format: "xlsx" });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const paths = parsed.problems.map((p) => p.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["exportId", "name", "format", "schoolIds", "fields", "schedule"]));
    expect(parsed.problems.every((p) => p.code === problemCodes.InvalidSetting)).toBe(true);
  });

  it("defaults the preset to generic and the export to enabled", () => {
    const c = exportConfigSchema.parse({ ...config(), preset: undefined, enabled: undefined });
    expect([c.preset, c.enabled]).toEqual(["generic", true]);
  });
});
