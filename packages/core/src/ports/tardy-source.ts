import type { ResultAsync } from "neverthrow";
import type { PortError } from "./errors.js";

/** A school in the behaviour system. */
export interface TardySchool {
  readonly schoolId: string;
  readonly name: string;
  /** The school's code in the SIS. */
  readonly sisSchoolCode: string;
}

/** A behaviour code; its External Reference Code must match the SIS's code. */
export interface BehaviorCode {
  readonly codeId: string;
  readonly name: string;
  readonly externalReferenceCode: string | null;
}

/** One period of a bell schedule. `start`/`end` are `HH:MM` local school time. */
export interface BellPeriod {
  readonly periodId: string;
  readonly name: string;
  readonly start: string;
  readonly end: string;
}

/** A school's mapped bell schedule. */
export interface BellSchedule {
  readonly scheduleId: string;
  readonly schoolId: string;
  readonly periods: readonly BellPeriod[];
}

/** One tardy as the behaviour system records it. */
export interface TardyEvent {
  readonly eventId: string;
  readonly schoolId: string;
  readonly studentSisId: string;
  readonly studentFirstName: string;
  readonly studentLastName: string;
  /** `YYYY-MM-DD`, school-local. */
  readonly date: string;
  /** `HH:MM`, school-local. */
  readonly checkInTime: string;
  readonly minutesLate: number | null;
  readonly periodId: string | null;
  readonly behaviorCodeId: string;
  readonly staff: string | null;
  readonly comment: string | null;
  /** `voided`: the tardy was withdrawn after it was recorded. */
  readonly status: "active" | "voided";
  /** ISO 8601, increasing with every change. */
  readonly updatedAt: string;
}

/** A page of tardy changes and the watermark to ask from next time. */
export interface TardyChanges {
  readonly events: readonly TardyEvent[];
  readonly watermark: string | null;
}

/** The behaviour system (SchoolMint Hero) that records tardies. */
export interface TardySource<E extends PortError = PortError> {
  readonly name: string;
  listSchools(): ResultAsync<readonly TardySchool[], E>;
  listBehaviorCodes(): ResultAsync<readonly BehaviorCode[], E>;
  listBellSchedules(): ResultAsync<readonly BellSchedule[], E>;
  /** Tardies changed after `since` (all when `null`) in the given schools and codes. */
  listTardies(query: {
    readonly schoolIds: readonly string[];
    readonly behaviorCodeIds: readonly string[];
    readonly since: string | null;
  }): ResultAsync<TardyChanges, E>;
}
