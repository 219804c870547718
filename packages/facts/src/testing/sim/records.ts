/**
 * The records the simulator stores beside the roster: service hours and student attendance.
 *
 * @module
 */

/**
 * A service-hours record the simulator stores (`StudentServiceHoursModel`), with the kind of person it
 * belongs to and, for parents, the `yearId` FACTS keeps (answers never show it: only the parents' PUT
 * body, `ServiceHoursModel`, has one).
 */
export interface SimServiceHour {
  readonly serviceHoursId: number;
  readonly personId: number;
  readonly description: string | null;
  readonly hours: number;
  /** `date-time`, e.g. `2025-10-01T00:00:00`. */
  readonly date: string;
  readonly note: string | null;
  readonly verifiedBy?: string | null | undefined;
  /** The FACTS user id that created the record (an integer). */
  readonly createdBy?: number | null | undefined;
  readonly yearId?: number | null | undefined;
  readonly role: "student" | "parent";
}

/**
 * A `StudentAttendance` record the simulator stores, flat; answers serve it as `StudentAttendanceDto`
 * (`studentReference.studentId`, `classReference.classId`).
 */
export interface SimAttendance {
  readonly attendanceId: number;
  readonly studentId: number;
  readonly classId: number;
  /** `date-time`, e.g. `2025-10-01T00:00:00`. */
  readonly attendanceDate: string;
  /** The attendance column: an integer in FACTS. */
  readonly column: number;
  readonly attendanceCode: string | null;
  readonly attendanceEventReason: string | null;
  readonly setByAdmin: boolean;
  readonly updated: boolean;
  readonly notified: boolean | null;
  readonly lastCode: string | null;
}

/** The user id the simulator puts in `createdBy` of the records it creates. */
export const SIM_API_USER_ID = 9001;
