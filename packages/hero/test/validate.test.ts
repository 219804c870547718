import fc from "fast-check";
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

  it("reports each selected school and code at its place in the selection, unknown ones between known ones", () => {
    const problems = validateExport(
      config({ schoolIds: ["nowhere", "hs", "elsewhere"], behaviorCodeIds: ["gone", "late-bus", "tardy", "lost"] }),
      context,
    );
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      [problemCodes.UnknownSchool, ["schoolIds", 0]],
      [problemCodes.UnknownSchool, ["schoolIds", 2]],
      [problemCodes.UnknownBehaviorCode, ["behaviorCodeIds", 0]],
      [problemCodes.EmptyExternalReferenceCode, ["behaviorCodeIds", 1]],
      [problemCodes.UnknownBehaviorCode, ["behaviorCodeIds", 3]],
    ]);
  });

  it("names every unknown school and code once, at its position, whatever the selection (property)", () => {
    const knownSchools = new Set(schools.map((s) => s.schoolId));
    const knownCodes = new Set(behaviorCodes.map((c) => c.codeId));
    const unknownAt = (ids: readonly string[], known: ReadonlySet<string>) =>
      ids.flatMap((id, i) => (known.has(id) ? [] : [i]));
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("hs", "ms", "x", " hs", ""), { maxLength: 6 }),
        fc.array(fc.constantFrom("tardy", "late-bus", "tardy-typo", "TARDY", "nope"), { maxLength: 6 }),
        (schoolIds, behaviorCodeIds) => {
          const problems = validateExport(config({ schoolIds, behaviorCodeIds }), context);
          const positions = (code: string) => problems.filter((p) => p.code === code).map((p) => p.path[1]);
          expect(positions(problemCodes.UnknownSchool)).toEqual(unknownAt(schoolIds, knownSchools));
          expect(positions(problemCodes.UnknownBehaviorCode)).toEqual(unknownAt(behaviorCodeIds, knownCodes));
          // A code Hero knows is checked at its own place: an empty External Reference Code where late-bus is.
          expect(positions(problemCodes.EmptyExternalReferenceCode)).toEqual(
            behaviorCodeIds.flatMap((id, i) => (id === "late-bus" ? [i] : [])),
          );
        },
      ),
    );
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
