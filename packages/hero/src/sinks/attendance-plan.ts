/**
 * What the FACTS attendance sink sends for each tardy, as pure functions of the record and the sink's
 * settings: the class and column a period maps to, the reason text, the `CreateStudentAttendanceDto`, the
 * slot (student, class, date, column) that is a record's identity in FACTS, and the bodies of a correction
 * and a void. Nothing here talks to FACTS.
 *
 * @module
 */
import type { TardyRecord } from "@rostersync/core";

/**
 * Where a tardy goes in FACTS attendance: the class (section) and the attendance column. FACTS numbers a
 * class's attendance columns with integers (`column`); this mapping is where a school says which integer
 * each Hero period is (e.g. period 1 → column 1, or an `AM` period → column 0). A numeric string (`"1"`)
 * is read as that integer; anything else is a `NoClassMapping` failure of the record.
 */
export interface FactsClassSlot {
  /** FACTS's `classId` (an integer; a numeric string is read as one). */
  readonly classId: number | string;
  /** FACTS's attendance `column` of the class: an integer (a numeric string is read as one). */
  readonly column: number | string;
}

/** One record FACTS did not take, and why. */
export interface FactsRecordFailure {
  readonly eventId: string;
  readonly code: "NoClassMapping" | "MissingValue" | "Rejected";
  readonly message: string;
}

/** The settings that decide what is sent (the sink's options of the same names). */
export interface AttendanceRules {
  readonly classes?: Readonly<Record<string, FactsClassSlot>> | undefined;
  readonly resolveClass?: ((record: TardyRecord) => FactsClassSlot | null) | undefined;
  readonly reason?: ((record: TardyRecord) => string) | undefined;
  readonly setByAdmin: boolean;
}

/** A `CreateStudentAttendanceDto`. */
export interface AttendanceBody {
  readonly studentId: number;
  readonly classId: number;
  /** `date-time`, as the definition declares: `YYYY-MM-DDT00:00:00`. */
  readonly attendanceDate: string;
  readonly column: number;
  readonly attendanceCode: string;
  readonly attendanceEventReason: string;
  readonly setByAdmin: boolean;
  readonly updated: boolean;
}

/** A tardy ready to send: its body and its slot key. */
export interface PlannedAttendance {
  readonly record: TardyRecord;
  readonly body: AttendanceBody;
  readonly slot: string;
}

const text = (v: string | number | null | undefined): string => (v === null || v === undefined ? "" : String(v).trim());

/** An integer as FACTS takes it (`int32`), from a number or a numeric string; `null` otherwise. */
export function asInt(v: number | string): number | null {
  const n = typeof v === "number" ? v : /^\s*-?\d{1,10}\s*$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n <= 2 ** 31 - 1 && n >= -(2 ** 31) ? n : null;
}

/** A record's identity in FACTS: student, class, day and column. */
export function slotKey(studentId: string, classId: string, date: string, column: string): string {
  return `${studentId}\u0000${classId}\u0000${date.slice(0, 10)}\u0000${column}`;
}

/** The class and column of a record: `resolveClass`, else `classes` by `"<school>/<period>"`, then `"<period>"`. */
export function slotOf(rules: AttendanceRules, record: TardyRecord): FactsClassSlot | null {
  if (rules.resolveClass !== undefined) return rules.resolveClass(record);
  const period = text(record.values.period);
  const school = text(record.values.schoolCode);
  const classes = rules.classes ?? {};
  const scoped = `${school}/${period}`;
  if (school !== "" && Object.hasOwn(classes, scoped)) return classes[scoped] ?? null;
  return Object.hasOwn(classes, period) ? (classes[period] ?? null) : null;
}

/** The `attendanceEventReason`: `reason`, else the comment (cut to 200) and a `[hero:<eventId>]` marker. */
export function reasonOf(rules: AttendanceRules, record: TardyRecord): string {
  if (rules.reason !== undefined) return rules.reason(record);
  const comment = text(record.values.comment);
  const marker = `[hero:${record.eventId}]`;
  return comment === "" ? marker : `${comment.slice(0, 200)} ${marker}`;
}

/**
 * What to send for a tardy, or why it cannot be sent: a `MissingValue` without a student id, date or code
 * (or a student id that is not an integer), a `NoClassMapping` when its period maps to no class or to one
 * without integer ids.
 *
 * @example
 * ```ts
 * const planned = planAttendance({ classes: { "1": { classId: 5012, column: 1 } }, setByAdmin: true }, record);
 * if ("slot" in planned) send(planned.body);
 * ```
 */
export function planAttendance(rules: AttendanceRules, record: TardyRecord): PlannedAttendance | FactsRecordFailure {
  const studentId = text(record.values.studentSisId);
  const date = text(record.values.date);
  const code = text(record.values.externalReferenceCode);
  const missing = [studentId === "" && "student SIS id", date === "" && "date", code === "" && "code"].filter(
    (m): m is string => typeof m === "string",
  );
  if (missing.length > 0) {
    return {
      eventId: record.eventId,
      code: "MissingValue",
      message: `Tardy ${record.eventId} has no ${missing.join(", ")}; add the field to the export.`,
    };
  }
  const slot = slotOf(rules, record);
  if (slot === null) {
    const period = text(record.values.period) || "(no period)";
    return {
      eventId: record.eventId,
      code: "NoClassMapping",
      message: `Tardy ${record.eventId}: period ${period} of school ${text(record.values.schoolCode) || "?"} is not mapped to a FACTS class.`,
    };
  }
  const factsStudentId = asInt(studentId);
  if (factsStudentId === null) {
    return {
      eventId: record.eventId,
      code: "MissingValue",
      message: `Tardy ${record.eventId}: student SIS id "${studentId}" is not a FACTS studentId (an integer).`,
    };
  }
  const classId = asInt(slot.classId);
  const column = asInt(slot.column);
  if (classId === null || column === null) {
    return {
      eventId: record.eventId,
      code: "NoClassMapping",
      message: `Tardy ${record.eventId}: the class mapping of period ${text(record.values.period) || "(no period)"} needs FACTS's integer classId and column (got ${String(slot.classId)} / ${String(slot.column)}).`,
    };
  }
  return {
    record,
    body: {
      studentId: factsStudentId,
      classId,
      attendanceDate: `${date.slice(0, 10)}T00:00:00`,
      column,
      attendanceCode: code,
      attendanceEventReason: reasonOf(rules, record),
      setByAdmin: rules.setByAdmin,
      updated: false,
    },
    slot: slotKey(String(factsStudentId), String(classId), date, String(column)),
  };
}

/** What FACTS's PUT (`UpdateStudentAttendanceDto`) may change: the code, the reason and the flags. */
export function updateOf(body: AttendanceBody) {
  return {
    attendanceCode: body.attendanceCode,
    attendanceEventReason: body.attendanceEventReason,
    setByAdmin: body.setByAdmin,
    updated: true,
  };
}

/** The JSON Patch of a void: the code set to `voidCode`, the reason marked `(voided)`. */
export function voidPatch(body: AttendanceBody, voidCode: string) {
  return [
    { op: "replace", path: "/attendanceCode", value: voidCode },
    {
      op: "replace",
      path: "/attendanceEventReason",
      value: `${body.attendanceEventReason} (voided)`.slice(0, 255),
    },
    { op: "replace", path: "/updated", value: true },
  ];
}

/** A sent body as a read-back would show it (ids as strings), so a later tardy of the slot finds it. */
export function asRead(body: AttendanceBody) {
  return {
    studentId: String(body.studentId),
    classId: String(body.classId),
    attendanceDate: body.attendanceDate,
    column: String(body.column),
    attendanceCode: body.attendanceCode,
    attendanceEventReason: body.attendanceEventReason,
  };
}

/**
 * Batches of one date or a few: a read-back filtered by the batch's students and date range then returns
 * little more than the batch itself, even on a first run that sends a whole year. The sort is stable, so
 * records of one slot keep their order.
 */
export function byDate(planned: PlannedAttendance[]): PlannedAttendance[] {
  return planned.sort((a, b) =>
    a.body.attendanceDate < b.body.attendanceDate ? -1 : a.body.attendanceDate > b.body.attendanceDate ? 1 : 0,
  );
}
