/**
 * The simulator's state: the roster tables and the ids derived from them, the records written (service
 * hours, attendance), the counters and the request log. Every route reads and changes this one object.
 *
 * @internal
 * @module
 */

import type { SimLogEntry } from "../model.js";
import type { SimAttendance, SimServiceHour } from "./records.js";
import type { Row } from "./replies.js";

/** Counters since the simulator was made or `resetStats`. */
export interface Counters {
  requests: number;
  rateLimited: number;
  unauthorized: number;
  forbidden: number;
  created: number;
  updated: number;
  deleted: number;
  attendancePosted: number;
  byEndpoint: Record<string, number>;
  byRoute: Record<string, number>;
}

/** A written record and when reads start to show it. */
export interface Stored<T> {
  record: T;
  visibleAt: number;
}

/** Settings a route reads (from the simulator's options, with their defaults applied). */
export interface SimSettings {
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  readonly studentHoursId: "studentId" | "personStudentId";
  /** ms after a write before reads show it. */
  readonly visibleAfter: number;
}

/** Everything the simulator holds. */
export interface SimState {
  readonly settings: SimSettings;
  /** Roster rows by lower-case endpoint path. */
  tables: Map<string, Row[]>;
  studentIds: Set<number>;
  personStudentIds: Set<number>;
  parentIds: Set<number>;
  /** The active school's `defaultYearId` (the year FACTS gives a parent's new hours). */
  defaultYearId: number | null;
  readonly hours: Map<number, Stored<SimServiceHour>>;
  nextHoursId: number;
  readonly attendance: Map<number, Stored<SimAttendance>>;
  nextAttendanceId: number;
  counters: Counters;
  requestLog: SimLogEntry[];
  /** Per rate-limit window, the requests it refused. */
  refusedBy: number[];
}

/** Zeroed counters. */
export function newCounters(): Counters {
  return {
    requests: 0,
    rateLimited: 0,
    unauthorized: 0,
    forbidden: 0,
    created: 0,
    updated: 0,
    deleted: 0,
    attendancePosted: 0,
    byEndpoint: {},
    byRoute: {},
  };
}

/** A fresh state with historic service hours and no roster yet (see {@link loadTables}). */
export function newState(settings: SimSettings, serviceHours: readonly SimServiceHour[], windows: number): SimState {
  const hours = new Map<number, Stored<SimServiceHour>>();
  let nextHoursId = 5001;
  for (const h of serviceHours) {
    hours.set(h.serviceHoursId, { record: h, visibleAt: 0 });
    nextHoursId = Math.max(nextHoursId, h.serviceHoursId + 1);
  }
  return {
    settings,
    tables: new Map(),
    studentIds: new Set(),
    personStudentIds: new Set(),
    parentIds: new Set(),
    defaultYearId: null,
    hours,
    nextHoursId,
    attendance: new Map(),
    nextAttendanceId: 900_001,
    counters: newCounters(),
    requestLog: [],
    refusedBy: new Array<number>(windows).fill(0),
  };
}

/** Replaces the roster tables (by endpoint path, any case) and the ids derived from them. */
export function loadTables(state: SimState, source: Readonly<Record<string, readonly Row[]>>): void {
  const tables = new Map<string, Row[]>();
  for (const [endpoint, rows] of Object.entries(source)) tables.set(endpoint.toLowerCase(), [...rows]);
  state.tables = tables;
  state.studentIds = new Set();
  state.personStudentIds = new Set();
  for (const s of tables.get("/students") ?? []) {
    state.studentIds.add(s.studentId as number);
    state.personStudentIds.add(s.personStudentId as number);
  }
  state.parentIds = new Set((tables.get("/people/parentstudent") ?? []).map((l) => l.parentID as number));
  const schools = tables.get("/schoolconfigurations") ?? [];
  state.defaultYearId =
    ((schools.find((s) => s.active === true) ?? schools[0])?.defaultYearId as number | undefined) ?? null;
}

/** The records of a store that reads show at `now`. */
export function visible<T>(store: Map<number, Stored<T>>, now: number): T[] {
  const out: T[] = [];
  for (const { record, visibleAt } of store.values()) if (visibleAt <= now) out.push(record);
  return out;
}
