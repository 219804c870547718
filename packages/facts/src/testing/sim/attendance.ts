/**
 * `/People/StudentAttendance` (and `/{id}`): list, create, PUT, PATCH.
 *
 * @internal
 * @module
 */

import {
  type Checked,
  checkDateTime,
  checked,
  checkInteger,
  checkOptionalText,
  isJsonObject,
  NOT_AN_OBJECT,
  type Problem,
} from "./body-checks.js";
import { page } from "./paging.js";
import { SIM_API_USER_ID, type SimAttendance } from "./records.js";
import { applyPatch, badRequest, json, notFoundRecord, notFoundRoute, type Reply, type Row } from "./replies.js";
import type { RouteRequest, SimRoute } from "./route.js";
import { type SimState, visible } from "./state.js";

const ATTENDANCE_EDITABLE: ReadonlySet<string> = new Set([
  "attendanceCode",
  "attendanceEventReason",
  "setByAdmin",
  "lastCode",
  "updated",
  "notified",
]);

/** A stored attendance record as FACTS answers it: `StudentAttendanceDto`. */
export function attendanceDto(a: SimAttendance): Row {
  return {
    attendanceId: a.attendanceId,
    studentReference: { studentId: a.studentId },
    classReference: { classId: a.classId },
    attendanceCode: a.attendanceCode,
    attendanceDate: a.attendanceDate,
    attendanceEventReason: a.attendanceEventReason,
    column: a.column,
    setByAdmin: a.setByAdmin,
    lastCode: a.lastCode,
    updated: a.updated,
    notified: a.notified,
    _lastModifiedBy: SIM_API_USER_ID,
    _lastModifiedDate: "2025-01-01T00:00:00",
  };
}

/** Filter names on attendance: the flat ids FACTS's Sieve maps onto the nested references. */
function withFilterIds(a: SimAttendance): Row {
  return { ...attendanceDto(a), studentId: a.studentId, classId: a.classId };
}

/** The served row: without the flat filter ids. */
function withoutFilterIds(r: Row): Row {
  const { studentId: _s, classId: _c, ...dto } = r;
  return dto;
}

/** Checks the editable fields of an attendance body (`UpdateStudentAttendanceDto`), every problem at once. */
export function checkAttendanceFlags(b: Row, problems: Problem[]): void {
  for (const key of ["setByAdmin", "updated"] as const)
    if (typeof b[key] !== "boolean") problems.push({ target: key, message: `${key} is required (true or false).` });
  if (b.notified !== undefined && b.notified !== null && typeof b.notified !== "boolean")
    problems.push({ target: "notified", message: "notified must be true or false." });
  checkOptionalText(b, ["attendanceCode", "attendanceEventReason", "lastCode"], problems);
}

/** The editable fields of a checked body, as stored. */
function flagsOf(b: Row) {
  return {
    attendanceCode: (b.attendanceCode as string | null | undefined) ?? null,
    attendanceEventReason: (b.attendanceEventReason as string | null | undefined) ?? null,
    setByAdmin: b.setByAdmin as boolean,
    updated: b.updated as boolean,
    notified: (b.notified as boolean | null | undefined) ?? null,
    lastCode: (b.lastCode as string | null | undefined) ?? null,
  };
}

/** A `CreateStudentAttendanceDto`: flat `studentId`, `classId`, a date-time, an integer `column`, the flags. */
export function checkAttendance(
  studentIds: ReadonlySet<number>,
  body: unknown,
): Checked<Omit<SimAttendance, "attendanceId">> {
  const problems: Problem[] = [];
  if (!isJsonObject(body)) return { problems: [NOT_AN_OBJECT], value: null };
  const b = body;
  if (typeof b.studentId !== "number" || !studentIds.has(b.studentId))
    problems.push({ target: "studentId", message: `No student has studentId ${String(b.studentId)}.` });
  checkInteger(b, "classId", problems);
  const date = checkDateTime(b, "attendanceDate", problems);
  checkInteger(b, "column", problems);
  checkAttendanceFlags(b, problems);
  return checked(problems, () => ({
    studentId: b.studentId as number,
    classId: b.classId as number,
    attendanceDate: date as string,
    column: b.column as number,
    ...flagsOf(b),
  }));
}

/** GET (a page) or POST (create; `200` with the record) on the collection. */
function attendanceCollection(state: SimState, request: RouteRequest): Reply {
  if (request.method === "GET") {
    const rows = visible(state.attendance, request.now)
      .sort((a, b) => a.attendanceId - b.attendanceId)
      .map(withFilterIds);
    return page(rows, request, state.settings, withoutFilterIds);
  }
  if (request.method !== "POST") return notFoundRoute();
  const checked = checkAttendance(state.studentIds, request.body);
  if (checked.value === null) return badRequest(checked.problems);
  const record: SimAttendance = { attendanceId: state.nextAttendanceId++, ...checked.value };
  state.attendance.set(record.attendanceId, { record, visibleAt: request.now + state.settings.visibleAfter });
  state.counters.attendancePosted++;
  // FACTS answers a create with 200 and the record.
  return json(200, attendanceDto(record));
}

/** PUT or PATCH of one record: only the code, the reason and the flags change. */
function attendanceRecord(state: SimState, request: RouteRequest, id: string): Reply {
  const { method, body } = request;
  if (method !== "PUT" && method !== "PATCH") return notFoundRoute();
  const n = Number(id);
  const found = Number.isInteger(n) ? state.attendance.get(n) : undefined;
  if (found === undefined) return notFoundRecord("Attendance record", id, "attendanceId");
  let merged: Row | null;
  if (method === "PUT") {
    // UpdateStudentAttendanceDto: only the code, the reason and the flags; ids, date and column stay.
    if (!isJsonObject(body)) return badRequest([NOT_AN_OBJECT]);
    merged = body;
  } else {
    merged = applyPatch(attendanceDto(found.record), body, ATTENDANCE_EDITABLE);
    if (merged === null)
      return badRequest([{ target: "body", message: "The body must be a JSON Patch array on editable fields." }]);
  }
  const problems: Problem[] = [];
  checkAttendanceFlags(merged, problems);
  if (problems.length > 0) return badRequest(problems);
  const record: SimAttendance = { ...found.record, ...flagsOf(merged) };
  state.attendance.set(n, { record, visibleAt: found.visibleAt });
  return json(200, attendanceDto(record));
}

/** The student attendance routes. */
export const attendanceRoute: SimRoute = {
  pattern: /^\/people\/studentattendance(?:\/([^/]+))?$/,
  handle(state, request, match) {
    const id = match[1];
    return id === undefined ? attendanceCollection(state, request) : attendanceRecord(state, request, id);
  },
};
