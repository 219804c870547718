/**
 * Shared fixtures of sync's hours tests: one in-memory school with both hours ports, and the host entries and
 * SIS records the tests feed it.
 */
import {
  createMemoryHoursSink,
  createMemoryHoursSource,
  type HostHourEntry,
  type HoursSink,
  type HourWrite,
  type MemoryDirectory,
  type MemoryHoursSink,
  type MemoryHoursSource,
  type SisServiceHour,
} from "@rostersync/core";
import type { PlannedWrite } from "../../src/hours/types.js";
import { type MemorySchool, type MemorySchoolOptions, memorySchool } from "./school.js";

/** A host hour entry of a student, approved and live unless `fields` say otherwise. */
export function hostHour(
  fields: Pick<HostHourEntry, "hourId" | "accountId" | "date" | "hours" | "description" | "updatedAt"> &
    Partial<HostHourEntry>,
): HostHourEntry {
  const { hourId, accountId, date, hours, description, updatedAt, ...rest } = fields;
  return {
    hourId,
    accountId,
    role: "student",
    date,
    hours,
    description,
    approved: true,
    deleted: false,
    updatedAt,
    ...rest,
  };
}

/** A student's service-hours record FACTS held before the integration (the school typed it in). */
export function historicHour(
  fields: Pick<SisServiceHour, "serviceHoursId" | "personId" | "date" | "hours" | "description"> &
    Partial<SisServiceHour>,
): SisServiceHour {
  const { serviceHoursId, personId, date, hours, description, ...rest } = fields;
  return { serviceHoursId, hostHourId: null, personId, role: "student", date, hours, description, ...rest };
}

/** What {@link hoursSchool} wires besides {@link memorySchool}'s parts. */
export type HoursSchoolOptions<S extends HoursSink> = MemorySchoolOptions<MemoryDirectory> & {
  /** Where approved hours go. Default an empty memory sink. */
  readonly sink?: S | undefined;
  /** The host's hour entries, to share with another instance. Default a new, empty one. */
  readonly hoursSource?: MemoryHoursSource | undefined;
};

/** One school in memory with both hours ports, and the parts a test looks into. */
export interface HoursSchool<S extends HoursSink> extends MemorySchool<MemoryDirectory> {
  readonly sink: S;
  readonly hoursSource: MemoryHoursSource;
}

/**
 * A {@link memorySchool} with hours write-back wired: an empty memory sink and host hours source unless the
 * test brings its own. Setup is left to the test (what it saves is often what the test is about).
 */
export function hoursSchool<S extends HoursSink = MemoryHoursSink>(
  options: HoursSchoolOptions<S> = {},
): HoursSchool<S> {
  const {
    sink = createMemoryHoursSink() as HoursSink as S,
    hoursSource = createMemoryHoursSource(),
    ...rest
  } = options;
  return { ...memorySchool({ ...rest, hours: sink, hoursSource }), sink, hoursSource };
}

/**
 * A write decided on for host entry `hourId`, with the ledger entry that marks it pending, for tests of one
 * hours step. The write names `serviceHoursId` only when one is given (`null` included).
 */
export function plannedWrite(
  write: Pick<HourWrite, "hourId" | "op" | "hour"> & { readonly serviceHoursId?: string | null },
): PlannedWrite {
  const { hourId, op, serviceHoursId, hour } = write;
  return {
    write: { hourId, op, ...(serviceHoursId === undefined ? {} : { serviceHoursId }), hour },
    ledger: {
      hourId,
      serviceHoursId: serviceHoursId ?? null,
      personId: hour.personId,
      role: hour.role,
      fingerprint: "f",
      origin: "host",
      state: "pending",
      updatedAt: "2026-03-01T00:00:00.000Z",
    },
  };
}

/** How {@link editedHour} edits: the cut points of `roll`, and what an edit adds. */
export interface HourEdits {
  /** `roll` below the first: more hours; below the second: (un)approved; below the third: deleted; else described anew. */
  readonly cuts: readonly [number, number, number];
  /** Hours an edit adds. */
  readonly moreHours: number;
  /** What an edit appends to the description. */
  readonly suffix: string;
}

/** The host entry `current` after one edit chosen by `roll` (a number in [0, 1)), made at `updatedAt`. */
export function editedHour(current: HostHourEntry, roll: number, updatedAt: string, edits: HourEdits): HostHourEntry {
  const [more, approval, deletion] = edits.cuts;
  if (roll < more) return { ...current, hours: current.hours + edits.moreHours, updatedAt };
  if (roll < approval) return { ...current, approved: !current.approved, updatedAt };
  if (roll < deletion) return { ...current, deleted: true, updatedAt };
  return { ...current, description: `${current.description}${edits.suffix}`, updatedAt };
}
