import type { BehaviorCode, BellSchedule, TardySchool } from "@rostersync/core";
import { sentence } from "@rostersync/core";
import type { z } from "zod";
import { type ExportConfig, exportConfigSchema, PRESET_REGISTRY } from "./config.js";
import { type ExportProblem, problemCodes } from "./errors.js";
import { FIELD_REGISTRY, isFieldId } from "./fields.js";
import { parseTimeOfDay } from "./schedule.js";
import { isValidTimeZone } from "./zoned-time.js";

/** What an export is checked against: the school's Hero setup and, when known, the SIS's codes. */
export interface ValidationContext {
  readonly schools: readonly TardySchool[];
  readonly behaviorCodes: readonly BehaviorCode[];
  readonly bellSchedules: readonly BellSchedule[];
  /** The SIS's attendance codes; when given, every External Reference Code must be one of them. */
  readonly sisCodes?: readonly string[] | undefined;
  /** The sink names the host offers; when given, the config's sink must be one of them. */
  readonly sinkNames?: readonly string[] | undefined;
}

const quote = (s: string) => `"${s}"`;

/**
 * Every problem with an export's settings, at once, in words an administrator can act on: an empty field
 * list, a field that is not configured (Period needs a bell schedule mapped for every selected school), a
 * behaviour code whose External Reference Code is empty, shared with another selected code or not one of
 * the SIS's codes, an unknown school, code, field, time zone or sink. An empty list means the export can run.
 *
 * @example
 * ```ts
 * for (const p of validateExport(config, { schools, behaviorCodes, bellSchedules, sisCodes: ["T", "TU"] })) {
 *   console.log(p.message); // "Period" needs a bell schedule, but North Middle has none mapped…
 * }
 * ```
 */
export function validateExport(config: ExportConfig, context: ValidationContext): ExportProblem[] {
  const problems: ExportProblem[] = [];
  const add = (code: ExportProblem["code"], path: (string | number)[], message: string) =>
    problems.push({ code, path, message });

  if (config.name.trim() === "") add(problemCodes.EmptyName, ["name"], "Give the export a name.");

  // Schools.
  const schoolsById = new Map(context.schools.map((s) => [s.schoolId, s]));
  const schedules = new Set(context.bellSchedules.filter((b) => b.periods.length > 0).map((b) => b.schoolId));
  const selectedSchools: TardySchool[] = [];
  if (config.schoolIds.length === 0) add(problemCodes.NoSchools, ["schoolIds"], "Choose at least one school.");
  config.schoolIds.forEach((id, i) => {
    const school = schoolsById.get(id);
    if (school === undefined) {
      add(
        problemCodes.UnknownSchool,
        ["schoolIds", i],
        `School ${quote(id)} is not one of the schools in Hero; remove it from the export.`,
      );
    } else selectedSchools.push(school);
  });

  // Behaviour codes and their External Reference Codes.
  const codesById = new Map(context.behaviorCodes.map((c) => [c.codeId, c]));
  const sisCodes = context.sisCodes === undefined ? null : new Set(context.sisCodes.map((c) => c.trim()));
  const byReference = new Map<string, string[]>();
  if (config.behaviorCodeIds.length === 0) {
    add(problemCodes.NoBehaviorCodes, ["behaviorCodeIds"], "Choose at least one behaviour code to export.");
  }
  config.behaviorCodeIds.forEach((id, i) => {
    const code = codesById.get(id);
    if (code === undefined) {
      add(
        problemCodes.UnknownBehaviorCode,
        ["behaviorCodeIds", i],
        `Behaviour code ${quote(id)} does not exist in Hero; remove it from the export.`,
      );
      return;
    }
    const reference = code.externalReferenceCode?.trim() ?? "";
    if (reference === "") {
      add(
        problemCodes.EmptyExternalReferenceCode,
        ["behaviorCodeIds", i],
        `Behaviour code ${quote(code.name)} has no External Reference Code. Enter the SIS's code for it under Config > Behavior Codes (pencil icon).`,
      );
      return;
    }
    byReference.set(reference, [...(byReference.get(reference) ?? []), code.name]);
    if (sisCodes !== null && !sisCodes.has(reference)) {
      add(
        problemCodes.ExternalReferenceCodeNotInSis,
        ["behaviorCodeIds", i],
        `Behaviour code ${quote(code.name)} has External Reference Code ${quote(reference)}, which is not one of the SIS's codes (${[...sisCodes].sort().join(", ") || "none"}). Correct it under Config > Behavior Codes.`,
      );
    }
  });
  for (const [reference, names] of byReference) {
    if (names.length > 1) {
      add(
        problemCodes.DuplicateExternalReferenceCode,
        ["behaviorCodeIds"],
        `Behaviour codes ${names.map(quote).join(" and ")} share the External Reference Code ${quote(reference)}, so the SIS cannot tell them apart. Give each its own code, or export only one of them.`,
      );
    }
  }

  // Fields.
  const preset = PRESET_REGISTRY[config.preset];
  if (config.fields.length === 0) {
    add(problemCodes.EmptyFieldList, ["fields"], "Add at least one field to the export (the + next to a field).");
  }
  const seenFields = new Set<string>();
  const seenHeaders = new Map<string, number>();
  config.fields.forEach((f, i) => {
    if (!isFieldId(f.field)) {
      add(problemCodes.UnknownField, ["fields", i, "field"], `${quote(f.field)} is not a field Hero can export.`);
      return;
    }
    const definition = FIELD_REGISTRY[f.field];
    if (seenFields.has(f.field)) {
      add(problemCodes.DuplicateField, ["fields", i, "field"], `${quote(definition.label)} is in the export twice.`);
    }
    seenFields.add(f.field);
    const header = headerOf(config, i);
    const before = seenHeaders.get(header);
    if (before !== undefined) {
      add(
        problemCodes.DuplicateHeader,
        ["fields", i, "header"],
        `Columns ${before + 1} and ${i + 1} are both headed ${quote(header)}; give each column its own header.`,
      );
    } else seenHeaders.set(header, i);
    if (definition.requires.includes("bellSchedule")) {
      const without = selectedSchools.filter((s) => !schedules.has(s.schoolId));
      for (const school of without) {
        add(
          problemCodes.SchoolWithoutSchedule,
          ["fields", i, "field"],
          `${quote(definition.label)} needs a bell schedule, but ${school.name} has none mapped. Map its schedule (Mapping Schedules for Import) or remove ${quote(definition.label)} from the export.`,
        );
      }
    }
  });
  for (const required of preset.requiredFields) {
    if (!seenFields.has(required) && isFieldId(required)) {
      add(
        problemCodes.PresetNeedsField,
        ["fields"],
        `The ${preset.label} preset needs the ${quote(FIELD_REGISTRY[required].label)} field; add it to the export.`,
      );
    }
  }

  // Schedule.
  const { frequency, timeOfDay, timezone } = config.schedule;
  if (!isValidTimeZone(timezone)) {
    add(
      problemCodes.UnknownTimezone,
      ["schedule", "timezone"],
      `${quote(timezone)} is not a time zone; use a name like "America/New_York" or "Europe/London".`,
    );
  }
  if (parseTimeOfDay(timeOfDay) === null) {
    add(
      problemCodes.InvalidTimeOfDay,
      ["schedule", "timeOfDay"],
      `${quote(timeOfDay)} is not a time of day; use 24-hour HH:MM such as "07:30" or "16:05".`,
    );
  }
  if (frequency.type === "weekly" && frequency.days.length === 0) {
    add(problemCodes.NoWeekdays, ["schedule", "frequency", "days"], "Choose the days a weekly export runs on.");
  }
  if (context.sinkNames !== undefined && !context.sinkNames.includes(config.sink)) {
    add(
      problemCodes.UnknownSink,
      ["sink"],
      `The destination ${quote(config.sink)} is not set up; choose one of: ${context.sinkNames.join(", ") || "none"}.`,
    );
  }
  return problems;
}

/** The header of the config's `index`-th column: its own, else the preset's, else the field's label. */
export function headerOf(config: Pick<ExportConfig, "fields" | "preset">, index: number): string {
  const f = config.fields[index];
  if (f === undefined) return "";
  const own = f.header?.trim();
  if (own) return own;
  const preset = PRESET_REGISTRY[config.preset].headers[f.field];
  if (preset !== undefined) return preset;
  return isFieldId(f.field) ? FIELD_REGISTRY[f.field].label : f.field;
}

/**
 * Parses an export config and turns schema failures into problems an administrator can read (the same
 * shape {@link validateExport} returns), every one at once.
 *
 * @example
 * ```ts
 * const parsed = parseExportConfig(JSON.parse(body));
 * if (!parsed.ok) return show(parsed.problems);
 * ```
 */
export function parseExportConfig(
  input: unknown,
): { readonly ok: true; readonly config: ExportConfig } | { readonly ok: false; readonly problems: ExportProblem[] } {
  const parsed = exportConfigSchema.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, problems: parsed.error.issues.map(issueToProblem) };
}

function issueToProblem(issue: z.core.$ZodIssue): ExportProblem {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  const where = path.length === 0 ? "The export" : `Setting ${path.join(".")}`;
  return { code: problemCodes.InvalidSetting, path, message: sentence(`${where}: ${issue.message}`) };
}
