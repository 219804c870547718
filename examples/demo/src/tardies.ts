// The Hero tardy write-back: an export set up in Hero's words, checked, saved and run into a drop folder.
import { join } from "node:path";
import {
  type BehaviorCode,
  type BellSchedule,
  createMemoryTardySource,
  type SyncStore,
  type TardyEvent,
  type TardySchool,
} from "@rostersync/core";
import {
  createFileDirectorySink,
  type ExportConfigInput,
  exportConfigSchema,
  type HeroError,
  nextRunAt,
  runExport,
  saveAndRunNow,
  validateExport,
} from "@rostersync/hero";
import { TARDIES_TO_SIS } from "../../hero-export/src/exports.ts";
import { fact, note, table } from "./show.ts";

/** The tardies of the students the demo synced, in a small scripted Hero. */
export interface TardyStudent {
  readonly sourceId: string;
  readonly firstName: string;
  readonly lastName: string;
}

const SCHOOL: TardySchool = { schoolId: "hero-hs", name: "Demo High School", sisSchoolCode: "MAIN" };
const SCHEDULE: BellSchedule = {
  scheduleId: "hs-regular",
  schoolId: SCHOOL.schoolId,
  periods: [
    { periodId: "p1", name: "1st", start: "08:00", end: "08:50" },
    { periodId: "p2", name: "2nd", start: "08:55", end: "09:45" },
    { periodId: "p3", name: "3rd", start: "09:50", end: "10:40" },
  ],
};
// As the administrator first finds them: "Late bus" has no External Reference Code yet.
const CODES: BehaviorCode[] = [
  { codeId: "tardy", name: "Tardy", externalReferenceCode: "T" },
  { codeId: "tardy-unexcused", name: "Tardy (unexcused)", externalReferenceCode: "TU" },
  { codeId: "late-bus", name: "Late bus", externalReferenceCode: null },
];
/** The SIS's attendance codes, which every External Reference Code must be one of. */
const SIS_CODES = ["T", "TU", "TB", "A"];

function tardiesOf(students: readonly TardyStudent[], day: string, stamp: string): TardyEvent[] {
  return students.map((s, i) => ({
    eventId: `hero-${day}-${i + 1}`,
    schoolId: SCHOOL.schoolId,
    studentSisId: s.sourceId,
    studentFirstName: s.firstName,
    studentLastName: s.lastName,
    date: day,
    checkInTime: `0${8 + (i % 2)}:${String(3 + ((i * 7) % 50)).padStart(2, "0")}`,
    minutesLate: 3 + ((i * 7) % 40),
    periodId: null, // from the check-in time and the bell schedule
    behaviorCodeId: CODES[i % 3]?.codeId ?? "tardy",
    staff: "Front office",
    // A comment someone typed like a spreadsheet formula: the CSV guards it (R12).
    comment: i === 1 ? "=missed the bus" : i % 4 === 0 ? "Doctor's note" : null,
    status: "active",
    updatedAt: `${day}T${stamp}:${String(i % 60).padStart(2, "0")}Z`,
  }));
}

const fail = (what: string, e: HeroError): never => {
  throw new Error(`${what}: ${e.type}: ${e.message}`);
};

/** Sets up, checks and runs the export; returns the folder the files went to. */
export async function heroStory(options: {
  readonly students: readonly TardyStudent[];
  readonly schoolCode: string;
  readonly store: SyncStore;
  readonly tenantId: string;
  readonly out: string;
}): Promise<{ readonly folder: string; readonly files: readonly string[] }> {
  const school = { ...SCHOOL, sisSchoolCode: options.schoolCode };
  const hero = createMemoryTardySource({
    schools: [school],
    behaviorCodes: CODES,
    bellSchedules: [], // not mapped yet
    tardies: tardiesOf(options.students, "2026-11-19", "13:10"),
  });
  const folder = join(options.out, "sis-inbox");
  const sinks = { "sis-inbox": createFileDirectorySink({ directory: folder }) };
  // The hero-export example's "Tardies to the SIS" (weekdays at 16:30 New York time, CSV into the SIS's
  // inbox), for this one school and with eight columns.
  const input: ExportConfigInput = {
    ...TARDIES_TO_SIS,
    schoolIds: [school.schoolId],
    behaviorCodeIds: CODES.map((c) => c.codeId),
    fields: [
      { field: "studentSisId", header: "Student ID" },
      { field: "studentName" },
      { field: "date" },
      { field: "period" },
      { field: "checkInTime" },
      { field: "externalReferenceCode", header: "Code" },
      { field: "comment" },
      { field: "action" },
    ],
  };
  const config = exportConfigSchema.parse(input);
  const state = hero.getInstance();

  // 1. What the administrator is told before saving: every problem at once.
  const problems = validateExport(config, {
    schools: state.schools,
    behaviorCodes: state.behaviorCodes,
    bellSchedules: state.bellSchedules,
    sisCodes: SIS_CODES,
    sinkNames: Object.keys(sinks),
  });
  fact("problems before saving", problems.length);
  for (const p of problems) note(`✗ ${p.message}`);

  // 2. They map the bell schedule and give "Late bus" the SIS's code, then Save & Run Now.
  state.bellSchedules.push(SCHEDULE);
  const lateBus = state.behaviorCodes.findIndex((c) => c.codeId === "late-bus");
  state.behaviorCodes[lateBus] = { codeId: "late-bus", name: "Late bus", externalReferenceCode: "TB" };
  note("→ bell schedule mapped, “Late bus” = TB; Save & Run Now");
  const now = Date.parse("2026-11-19T21:30:00Z");
  const common = { tenantId: options.tenantId, store: options.store, source: hero, sinks, sisCodes: SIS_CODES };
  const first = await saveAndRunNow(input, { expectedVersion: null }, { ...common, now });
  if (first.isErr()) return fail("Save & Run Now", first.error);

  // 3. The next day: one tardy corrected, one voided, new ones recorded; the scheduled run sends only that.
  const events = [...state.tardies.values()];
  const corrected = events[0];
  const voided = events[2];
  if (corrected) hero.put({ ...corrected, comment: "Corrected: bus was late", updatedAt: "2026-11-20T09:00:00Z" });
  if (voided) hero.put({ ...voided, status: "voided", updatedAt: "2026-11-20T09:01:00Z" });
  for (const t of tardiesOf(options.students.slice(0, 5), "2026-11-20", "13:20")) hero.put(t);
  const next = nextRunAt(config, now)?.getTime() ?? now + 86_400_000;
  const second = await runExport(first.value.saved.config, { ...common, now: next });
  if (second.isErr()) return fail("scheduled run", second.error);
  const third = await runExport(first.value.saved.config, { ...common, now: next + 60_000 });
  if (third.isErr()) return fail("re-run", third.error);

  const row = (label: string, r: typeof third.value) => [
    label,
    r.counts.new,
    r.counts.correction,
    r.counts.void,
    r.counts.unchanged,
    r.filename ?? "(nothing to send)",
  ];
  table(
    ["run", "new", "correction", "void", "unchanged", "file"],
    [
      row("Save & Run Now (19 Nov)", first.value.run),
      row(`scheduled ${new Date(next).toISOString().slice(0, 16)}Z`, second.value),
      row("re-run right after", third.value),
    ],
  );
  const files = [first.value.run.filename, second.value.filename].filter((f): f is string => f !== null);
  return { folder, files };
}
