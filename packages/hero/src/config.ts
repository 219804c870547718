import { z } from "zod";

/** Days of the week, as a weekly schedule names them. */
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
/** One day of the week. */
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * How often an export runs. `hourly` runs every hour at the minute of `timeOfDay`; `daily` once a day;
 * `weekdays` Monday to Friday; `weekly` on the chosen days.
 */
export const frequencySchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hourly") }),
  z.object({ type: z.literal("daily") }),
  z.object({ type: z.literal("weekdays") }),
  z.object({ type: z.literal("weekly"), days: z.array(z.enum(WEEKDAYS)) }),
]);
/** See {@link frequencySchema}. */
export type Frequency = z.infer<typeof frequencySchema>;

/** One column of the export: a field of the registry and the header it gets. */
export const exportFieldSchema = z.object({
  /** A field id of `FIELD_REGISTRY`; an unknown id is reported by `validateExport`. */
  field: z.string(),
  /** The column header; empty or absent takes the preset's header for the field. */
  header: z.string().optional(),
});
/** See {@link exportFieldSchema}. */
export type ExportField = z.infer<typeof exportFieldSchema>;

/** File formats. */
export const FORMATS = ["csv", "tsv", "json"] as const;
/** One of {@link FORMATS}. */
export type ExportFormat = (typeof FORMATS)[number];

/** SIS presets: `generic` (headers are the field labels) and `facts` (FACTS's column names, required fields). */
export const PRESETS = ["generic", "facts"] as const;
/** One of {@link PRESETS}. */
export type PresetId = (typeof PRESETS)[number];

/**
 * A tardy write-back export as an administrator configures it (Config > Imports/Exports > + Export).
 * The schema checks shape only; {@link validateExport} checks it against the school's Hero setup and
 * reports every problem at once.
 *
 * @example
 * ```ts
 * const parsed = parseExportConfig(JSON.parse(body)); // never throws: { ok, config } or { ok: false, problems }
 * if (!parsed.ok) return show(parsed.problems);
 * ```
 *
 * `exportConfigSchema.parse` is zod's and throws a `ZodError` on bad input: use {@link parseExportConfig}
 * (problems as values) or `safeParse`, and {@link defineExport} to write a config in code with its types.
 *
 * ```ts
 * const config = defineExport({
 *   exportId: "tardies-to-facts", name: "Tardies to FACTS", schoolIds: ["hs"], behaviorCodeIds: ["tardy"],
 *   fields: [{ field: "studentSisId" }, { field: "date" }, { field: "externalReferenceCode", header: "Code" }],
 *   format: "csv", preset: "generic", sink: "sis-drop",
 *   schedule: { frequency: { type: "weekdays" }, timeOfDay: "16:30", timezone: "America/New_York" },
 * });
 * ```
 */
export const exportConfigSchema = z.object({
  /** Stable id; several exports per school. */
  exportId: z.string().min(1),
  name: z.string(),
  /** Hero school ids. */
  schoolIds: z.array(z.string()),
  /** Hero behaviour code ids. */
  behaviorCodeIds: z.array(z.string()),
  /** Ordered columns. */
  fields: z.array(exportFieldSchema),
  format: z.enum(FORMATS),
  preset: z.enum(PRESETS).default("generic"),
  /** The name of a sink the host provides to `runExport` (`sinks[sink]`). */
  sink: z.string().min(1),
  schedule: z.object({
    frequency: frequencySchema,
    /** `HH:MM`, 24-hour, in `timezone`. For `hourly`, only the minutes count. */
    timeOfDay: z.string(),
    /** An IANA time zone (`America/New_York`). */
    timezone: z.string(),
  }),
  enabled: z.boolean().default(true),
});

/** A parsed export config. */
export type ExportConfig = z.infer<typeof exportConfigSchema>;
/** An export config as written by hand (defaults may be left out). */
export type ExportConfigInput = z.input<typeof exportConfigSchema>;

/**
 * Types an export config written in code (autocomplete, and a compile error for a misspelt key) without
 * parsing it: `saveExport`, `saveAndRunNow` and `parseExportConfig` take it as it is and report every
 * problem as a value.
 *
 * @example
 * ```ts
 * const tardies = defineExport({
 *   exportId: "tardies", name: "Tardies to the SIS", schoolIds: ["hs"], behaviorCodeIds: ["tardy"],
 *   fields: [{ field: "studentSisId" }, { field: "date" }], format: "csv", sink: "sis-drop",
 *   schedule: { frequency: { type: "daily" }, timeOfDay: "16:30", timezone: "America/New_York" },
 * });
 * const saved = await saveExport(store, "school-1", tardies, { expectedVersion: null });
 * ```
 */
export function defineExport(config: ExportConfigInput): ExportConfigInput {
  return config;
}

/** A preset: how headers are named and which fields the SIS needs. */
export interface Preset {
  readonly id: PresetId;
  readonly label: string;
  /** Header per field id when the config leaves it empty; else the field's label. */
  readonly headers: Readonly<Record<string, string>>;
  /** Fields the SIS cannot import without. */
  readonly requiredFields: readonly string[];
}

/**
 * The SIS presets. `facts` names columns after the FACTS attendance record (`studentId`, `attendanceDate`,
 * `attendanceCode`…) and needs the fields the FACTS attendance sink writes.
 */
export const PRESET_REGISTRY: Readonly<Record<PresetId, Preset>> = {
  generic: { id: "generic", label: "Generic SIS", headers: {}, requiredFields: [] },
  facts: {
    id: "facts",
    label: "FACTS SIS",
    headers: {
      studentSisId: "studentId",
      date: "attendanceDate",
      period: "period",
      externalReferenceCode: "attendanceCode",
      comment: "attendanceEventReason",
      schoolCode: "schoolCode",
    },
    requiredFields: ["studentSisId", "date", "period", "externalReferenceCode"],
  },
};
