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
  const add: Report = (code, path, message) => {
    problems.push({ code, path, message });
  };
  if (config.name.trim() === "") add(problemCodes.EmptyName, ["name"], "Give the export a name.");
  const selectedSchools = checkSchools(config, context, add);
  checkBehaviorCodes(config, context, add);
  checkFields(config, context, selectedSchools, add);
  checkSchedule(config, add);
  if (context.sinkNames !== undefined && !context.sinkNames.includes(config.sink)) {
    add(
      problemCodes.UnknownSink,
      ["sink"],
      `The destination ${quote(config.sink)} is not set up; choose one of: ${context.sinkNames.join(", ") || "none"}.`,
    );
  }
  return problems;
}

/** Records one problem; {@link validateExport} keeps them in the order they are found. */
type Report = (code: ExportProblem["code"], path: (string | number)[], message: string) => void;

/**
 * Walks the ids an export selects, in order: `missing` for an id `byId` does not hold, `found` with the
 * entry of every other, so that the problems of each position come out in the position's order.
 */
function eachSelected<T>(
  ids: readonly string[],
  byId: ReadonlyMap<string, T>,
  missing: (id: string, index: number) => void,
  found: (entry: T, index: number) => void,
): void {
  ids.forEach((id, index) => {
    const entry = byId.get(id);
    if (entry === undefined) missing(id, index);
    else found(entry, index);
  });
}

/** The selected schools Hero knows; reports an empty selection and every unknown school. */
function checkSchools(config: ExportConfig, context: ValidationContext, add: Report): TardySchool[] {
  const selected: TardySchool[] = [];
  if (config.schoolIds.length === 0) add(problemCodes.NoSchools, ["schoolIds"], "Choose at least one school.");
  eachSelected(
    config.schoolIds,
    new Map(context.schools.map((s) => [s.schoolId, s])),
    (id, i) =>
      add(
        problemCodes.UnknownSchool,
        ["schoolIds", i],
        `School ${quote(id)} is not one of the schools in Hero; remove it from the export.`,
      ),
    (school) => selected.push(school),
  );
  return selected;
}

/** Behaviour codes and their External Reference Codes: unknown, empty, not the SIS's, or shared. */
function checkBehaviorCodes(config: ExportConfig, context: ValidationContext, add: Report): void {
  const sisCodes = context.sisCodes === undefined ? null : new Set(context.sisCodes.map((c) => c.trim()));
  const byReference = new Map<string, string[]>();
  if (config.behaviorCodeIds.length === 0) {
    add(problemCodes.NoBehaviorCodes, ["behaviorCodeIds"], "Choose at least one behaviour code to export.");
  }
  eachSelected(
    config.behaviorCodeIds,
    new Map(context.behaviorCodes.map((c) => [c.codeId, c])),
    (id, i) =>
      add(
        problemCodes.UnknownBehaviorCode,
        ["behaviorCodeIds", i],
        `Behaviour code ${quote(id)} does not exist in Hero; remove it from the export.`,
      ),
    (code, i) => {
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
    },
  );
  for (const [reference, names] of byReference) {
    if (names.length > 1) {
      add(
        problemCodes.DuplicateExternalReferenceCode,
        ["behaviorCodeIds"],
        `Behaviour codes ${names.map(quote).join(" and ")} share the External Reference Code ${quote(reference)}, so the SIS cannot tell them apart. Give each its own code, or export only one of them.`,
      );
    }
  }
}

/**
 * The columns: none, unknown or repeated fields, repeated headers, a field that needs a bell schedule some
 * selected school has not mapped, and a field the preset needs but the export leaves out.
 */
function checkFields(
  config: ExportConfig,
  context: ValidationContext,
  selectedSchools: readonly TardySchool[],
  add: Report,
): void {
  const schedules = new Set(context.bellSchedules.filter((b) => b.periods.length > 0).map((b) => b.schoolId));
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
}

/** The schedule: an unknown time zone, a time of day that is not HH:MM, a weekly export without days. */
function checkSchedule(config: ExportConfig, add: Report): void {
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
