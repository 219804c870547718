import type { BehaviorCode, BellPeriod, BellSchedule, TardyEvent, TardySchool } from "@rostersync/core";

/** A cell value: text, a number, or empty. */
export type FieldValue = string | number | null;

/** Everything a field may read about one tardy. */
export interface FieldInput {
  readonly event: TardyEvent;
  readonly school: TardySchool | undefined;
  readonly code: BehaviorCode | undefined;
  /** The bell-schedule period the tardy falls in, when the school has a schedule. */
  readonly period: BellPeriod | undefined;
  /** What this row is: a first send, a correction of one sent before, or a void. */
  readonly kind: "new" | "correction" | "void";
}

/** The ids of every exportable field. */
export const FIELD_IDS = [
  "studentSisId",
  "studentName",
  "studentFirstName",
  "studentLastName",
  "schoolCode",
  "schoolName",
  "date",
  "checkInTime",
  "minutesLate",
  "period",
  "periodStart",
  "externalReferenceCode",
  "codeName",
  "staff",
  "comment",
  "eventId",
  "status",
  "action",
] as const;

/** One exportable field's id. */
export type FieldId = (typeof FIELD_IDS)[number];

/** What a field needs to be exportable. */
export type FieldPrerequisite = "bellSchedule";

/** One exportable field. */
export interface FieldDefinition {
  readonly id: FieldId;
  /** The name an administrator sees ("Check-in time"). */
  readonly label: string;
  readonly description: string;
  /** What must be configured in Hero first. `bellSchedule`: every selected school has a mapped schedule. */
  readonly requires: readonly FieldPrerequisite[];
  /** Whether the value takes part in the fingerprint that tells a correction from an unchanged tardy. */
  readonly fingerprinted: boolean;
  readonly value: (input: FieldInput) => FieldValue;
}

const field = (
  id: FieldId,
  label: string,
  description: string,
  value: (input: FieldInput) => FieldValue,
  extra: { requires?: readonly FieldPrerequisite[]; fingerprinted?: boolean } = {},
): FieldDefinition => ({
  id,
  label,
  description,
  value,
  requires: extra.requires ?? [],
  fingerprinted: extra.fingerprinted ?? true,
});

/**
 * Every field an export can contain, by id. `period` and `periodStart` need a bell schedule mapped for
 * every selected school (Hero's "Mapping Schedules for Import"); `action` (new / correction / void) says
 * what a row is and so is left out of the fingerprint.
 *
 * @example
 * ```ts
 * FIELD_REGISTRY.period.requires; // ["bellSchedule"]
 * ```
 */
export const FIELD_REGISTRY: Readonly<Record<FieldId, FieldDefinition>> = {
  studentSisId: field("studentSisId", "Student SIS ID", "The student's id in the SIS.", (i) => i.event.studentSisId),
  studentName: field(
    "studentName",
    "Student name",
    "Last name, first name.",
    (i) => `${i.event.studentLastName}, ${i.event.studentFirstName}`,
  ),
  studentFirstName: field("studentFirstName", "Student first name", "As Hero has it.", (i) => i.event.studentFirstName),
  studentLastName: field("studentLastName", "Student last name", "As Hero has it.", (i) => i.event.studentLastName),
  schoolCode: field(
    "schoolCode",
    "School code",
    "The school's code in the SIS.",
    (i) => i.school?.sisSchoolCode ?? null,
  ),
  schoolName: field("schoolName", "School name", "The school's name in Hero.", (i) => i.school?.name ?? null),
  date: field("date", "Date", "The school-local date, YYYY-MM-DD.", (i) => i.event.date),
  checkInTime: field("checkInTime", "Check-in time", "School-local HH:MM.", (i) => i.event.checkInTime),
  minutesLate: field("minutesLate", "Minutes late", "Empty when Hero did not compute it.", (i) => i.event.minutesLate),
  period: field("period", "Period", "The bell-schedule period's name.", (i) => i.period?.name ?? null, {
    requires: ["bellSchedule"],
  }),
  periodStart: field("periodStart", "Period start", "The period's start, HH:MM.", (i) => i.period?.start ?? null, {
    requires: ["bellSchedule"],
  }),
  externalReferenceCode: field(
    "externalReferenceCode",
    "External reference code",
    "The behaviour code's External Reference Code: the SIS's code for this tardy.",
    (i) => i.code?.externalReferenceCode?.trim() ?? null,
  ),
  codeName: field("codeName", "Behaviour code", "The behaviour code's name in Hero.", (i) => i.code?.name ?? null),
  staff: field("staff", "Staff", "Who recorded the tardy.", (i) => i.event.staff),
  comment: field("comment", "Comment", "The comment entered with the tardy.", (i) => i.event.comment),
  eventId: field("eventId", "Event ID", "Hero's id for the tardy.", (i) => i.event.eventId),
  status: field("status", "Status", "active or voided.", (i) => i.event.status, { fingerprinted: false }),
  action: field("action", "Action", "new, correction or void.", (i) => i.kind, { fingerprinted: false }),
};

/** True when `id` names a field of the registry. */
export function isFieldId(id: string): id is FieldId {
  return Object.hasOwn(FIELD_REGISTRY, id);
}

/**
 * The period a tardy belongs to: the event's own `periodId` when the school's schedule has it, else the
 * period whose `[start, end)` holds the check-in time.
 */
export function periodOf(event: TardyEvent, schedule: BellSchedule | undefined): BellPeriod | undefined {
  if (schedule === undefined) return undefined;
  if (event.periodId !== null) {
    const named = schedule.periods.find((p) => p.periodId === event.periodId);
    if (named !== undefined) return named;
  }
  return schedule.periods.find((p) => p.start <= event.checkInTime && event.checkInTime < p.end);
}
