// The export as a school administrator sets it up in Hero (Config > Imports/Exports > + Export), and a
// first draft of it with everything an administrator typically gets wrong.
import type { ExportConfigInput } from "@rostersync/hero";

/** Tardies of both schools, every weekday at 16:30 school time, as a CSV into the SIS's import folder. */
export const TARDIES_TO_SIS: ExportConfigInput = {
  exportId: "tardies-to-sis",
  name: "Tardies to the SIS",
  schoolIds: ["lincoln-high", "north-middle"],
  behaviorCodeIds: ["tardy", "tardy-unexcused", "late-bus"],
  fields: [
    { field: "eventId", header: "Hero ID" }, // the SIS import upserts by it
    { field: "studentSisId", header: "Student ID" },
    { field: "studentName" },
    { field: "schoolCode" },
    { field: "date" },
    { field: "period" },
    { field: "checkInTime" },
    { field: "minutesLate" },
    { field: "externalReferenceCode", header: "Code" },
    { field: "comment" },
    { field: "action" },
  ],
  format: "csv",
  preset: "generic",
  sink: "sis-inbox",
  schedule: { frequency: { type: "weekdays" }, timeOfDay: "16:30", timezone: "America/New_York" },
};

/** The same export as first drafted: the schema accepts its shape, `validateExport` finds what is wrong. */
export const FIRST_DRAFT: ExportConfigInput = {
  ...TARDIES_TO_SIS,
  name: "  ",
  schoolIds: ["lincoln-high", "north-middle", "east-elementary"], // East has no bell schedule: no Period
  behaviorCodeIds: ["tardy", "tardy-excused", "dress-code", "tardy-late"], // TX not in the SIS; no code; unknown
  fields: [...(TARDIES_TO_SIS.fields ?? []), { field: "date", header: "Code" }, { field: "homeroomTeacher" }],
  sink: "sftp",
  schedule: { frequency: { type: "weekly", days: [] }, timeOfDay: "4:30pm", timezone: "America/Newyork" },
};

/** A draft whose shape is wrong: the schema (zod) reports every problem before anything else is checked. */
export const BROKEN_DRAFT: unknown = {
  exportId: "",
  name: "Tardies",
  schoolIds: "lincoln-high",
  behaviorCodeIds: ["tardy"],
  fields: [{ header: "Student" }],
  format: "xlsx",
  sink: "sis-inbox",
  schedule: { frequency: { type: "fortnightly" }, timeOfDay: "16:30" },
};
