// The school every hero test and the benchmark share: its schools, behaviour codes, bell schedule, SIS codes,
// export configs and tardies. No relative imports: the benchmark loads it with Node's type stripping (the
// tests resolve `@rostersync/hero` to the sources, the benchmark to the build).
import type { BehaviorCode, BellSchedule, TardyEvent, TardySchool } from "@rostersync/core";
import { type ExportConfig, type ExportConfigInput, exportConfigSchema } from "@rostersync/hero";

export const schools: TardySchool[] = [
  { schoolId: "hs", name: "Lincoln High", sisSchoolCode: "LHS" },
  { schoolId: "ms", name: "North Middle", sisSchoolCode: "NMS" },
];

export const behaviorCodes: BehaviorCode[] = [
  { codeId: "tardy", name: "Tardy", externalReferenceCode: "T" },
  { codeId: "tardy-unexcused", name: "Unexcused Tardy", externalReferenceCode: "TU" },
  { codeId: "late-bus", name: "Late Bus", externalReferenceCode: "  " },
  { codeId: "tardy-copy", name: "Tardy (old)", externalReferenceCode: "T" },
  { codeId: "tardy-typo", name: "Tardy Excused", externalReferenceCode: "TE " },
];

export const bellSchedules: BellSchedule[] = [
  {
    scheduleId: "hs-regular",
    schoolId: "hs",
    periods: [
      { periodId: "p1", name: "1", start: "08:00", end: "08:50" },
      { periodId: "p2", name: "2", start: "08:55", end: "09:45" },
      { periodId: "p3", name: "3", start: "09:50", end: "10:40" },
    ],
  },
];

export const sisCodes = ["T", "TU", "A", "P"];

export function config(overrides: Partial<ExportConfigInput> = {}): ExportConfig {
  return exportConfigSchema.parse({
    exportId: "tardies-to-sis",
    name: "Tardies to SIS",
    schoolIds: ["hs"],
    behaviorCodeIds: ["tardy", "tardy-unexcused"],
    fields: [
      { field: "studentSisId" },
      { field: "studentName" },
      { field: "date" },
      { field: "period" },
      { field: "externalReferenceCode", header: "Code" },
      { field: "comment" },
    ],
    format: "csv",
    preset: "generic",
    sink: "drop",
    schedule: { frequency: { type: "weekdays" }, timeOfDay: "16:30", timezone: "America/New_York" },
    ...overrides,
  } satisfies ExportConfigInput);
}

let clock = Date.parse("2026-09-14T12:00:00Z");

/** A tardy with a fresh, increasing `updatedAt`. */
export function tardy(eventId: string, overrides: Partial<TardyEvent> = {}): TardyEvent {
  clock += 1000;
  return {
    eventId,
    schoolId: "hs",
    studentSisId: `10${eventId.replace(/\D/g, "").padStart(2, "0")}`,
    studentFirstName: "Ada",
    studentLastName: "Lovelace",
    date: "2026-09-14",
    checkInTime: "08:07",
    minutesLate: 7,
    periodId: "p1",
    behaviorCodeId: "tardy",
    staff: "Mr. Babbage",
    comment: null,
    status: "active",
    updatedAt: new Date(clock).toISOString(),
    ...overrides,
  };
}

/** The same tardy changed later (a new `updatedAt`). */
export function edit(event: TardyEvent, changes: Partial<TardyEvent>): TardyEvent {
  clock += 1000;
  return { ...event, ...changes, updatedAt: new Date(clock).toISOString() };
}

/** The columns of an export to FACTS attendance: what the FACTS attendance sink reads from each tardy. */
export const factsFields: ExportConfigInput["fields"] = [
  { field: "studentSisId" },
  { field: "schoolCode" },
  { field: "date" },
  { field: "period" },
  { field: "externalReferenceCode" },
  { field: "comment" },
];

/** An export to FACTS attendance with the FACTS preset: the config the FACTS sink tests share. */
export function factsExportConfig(): ExportConfig {
  return config({
    exportId: "tardies-to-facts",
    name: "Tardies to FACTS",
    preset: "facts",
    sink: "facts",
    fields: factsFields,
  });
}
