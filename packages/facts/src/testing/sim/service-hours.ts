/**
 * `/Students/ServiceHours` and `/Parents/ServiceHours` (and `/{id}`): list, create, read, PUT, PATCH.
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
  checkRequiredText,
  isJsonObject,
  NOT_AN_OBJECT,
  type Problem,
} from "./body-checks.js";
import { page } from "./paging.js";
import { SIM_API_USER_ID, type SimServiceHour } from "./records.js";
import { applyPatch, badRequest, json, notFoundRecord, notFoundRoute, type Reply, type Row } from "./replies.js";
import type { RouteRequest, SimRoute } from "./route.js";
import { type SimState, visible } from "./state.js";

type Role = "student" | "parent";

const HOUR_EDITABLE: ReadonlySet<string> = new Set(["personId", "description", "hours", "date", "note", "verifiedBy"]);

/** A stored hour as FACTS answers it: `StudentServiceHoursModel` (no `role`, no `yearId`). */
export function publicHour(h: SimServiceHour): Row {
  const { role: _role, yearId: _year, ...rest } = h;
  return rest;
}

/** The fields of a valid service-hours body, as stored. */
export type CheckedHour = Pick<SimServiceHour, "personId" | "description" | "hours" | "date" | "note" | "verifiedBy">;

/**
 * Every problem of a service-hours body (`StudentServiceHoursModel`; the parents' PUT takes
 * `ServiceHoursModel`, which adds `yearId`) at once. `serviceHoursId` is required by the definition.
 */
export function checkHour(
  state: Pick<SimState, "settings" | "studentIds" | "personStudentIds" | "parentIds">,
  role: Role,
  body: unknown,
  withYear: boolean,
): Checked<CheckedHour> {
  const problems: Problem[] = [];
  if (!isJsonObject(body)) return { problems: [NOT_AN_OBJECT], value: null };
  const b = body;
  checkInteger(b, "serviceHoursId", problems);
  checkPersonId(state, role, b.personId, problems);
  checkRequiredText(b, "description", problems);
  if (typeof b.hours !== "number" || !Number.isFinite(b.hours))
    problems.push({ target: "hours", message: "hours must be a number." });
  const date = checkDateTime(b, "date", problems);
  checkOptionalText(b, ["note", "verifiedBy"], problems);
  if (b.createdBy !== undefined && b.createdBy !== null && !Number.isInteger(b.createdBy))
    problems.push({ target: "createdBy", message: "createdBy must be an integer." });
  if (withYear && b.yearId !== undefined && b.yearId !== null && !Number.isInteger(b.yearId))
    problems.push({ target: "yearId", message: "yearId must be an integer." });
  return checked(problems, () => ({
    personId: b.personId as number,
    description: b.description as string,
    hours: b.hours as number,
    date: date as string,
    note: (b.note as string | null | undefined) ?? null,
    verifiedBy: (b.verifiedBy as string | null | undefined) ?? null,
  }));
}

/** `personId` names a student (by the id the simulator expects) or a parent of the roster. */
function checkPersonId(
  state: Pick<SimState, "settings" | "studentIds" | "personStudentIds" | "parentIds">,
  role: Role,
  personId: unknown,
  problems: Problem[],
): void {
  const studentHoursId = state.settings.studentHoursId;
  if (typeof personId !== "number" || !Number.isInteger(personId)) {
    problems.push({ target: "personId", message: "personId must be an integer." });
  } else if (
    role === "student" &&
    !(studentHoursId === "studentId" ? state.studentIds : state.personStudentIds).has(personId)
  ) {
    problems.push({ target: "personId", message: `No student has ${studentHoursId} ${personId}.` });
  } else if (role === "parent" && !state.parentIds.has(personId)) {
    problems.push({ target: "personId", message: `No parent has personId ${personId}.` });
  }
}

/** GET (a page of the role's records) or POST (create; `201`, no body) on the collection. */
function hoursCollection(state: SimState, request: RouteRequest, role: Role): Reply {
  if (request.method === "GET") {
    const rows = visible(state.hours, request.now)
      .filter((h) => h.role === role)
      .sort((a, b) => a.serviceHoursId - b.serviceHoursId)
      .map(publicHour);
    return page(rows, request, state.settings);
  }
  if (request.method !== "POST") return notFoundRoute();
  // The body is a StudentServiceHoursModel for both roles: no yearId (FACTS picks the year).
  const checked = checkHour(state, role, request.body, false);
  if (checked.value === null) return badRequest(checked.problems);
  const record: SimServiceHour = {
    serviceHoursId: state.nextHoursId++,
    ...checked.value,
    createdBy: SIM_API_USER_ID,
    ...(role === "parent" ? { yearId: state.defaultYearId } : {}),
    role,
  };
  state.hours.set(record.serviceHoursId, { record, visibleAt: request.now + state.settings.visibleAfter });
  state.counters.created++;
  // FACTS answers a create with 201 and no body: the id is found by reading back.
  return { status: 201, body: undefined, headers: {} };
}

/** GET, PUT or PATCH of one record of the role. */
function hoursRecord(state: SimState, request: RouteRequest, role: Role, id: string): Reply {
  const { method, body } = request;
  if (method !== "GET" && method !== "PUT" && method !== "PATCH") return notFoundRoute();
  const n = Number(id);
  const found = Number.isInteger(n) ? state.hours.get(n) : undefined;
  if (found === undefined || found.record.role !== role)
    return notFoundRecord("Service hours record", id, "serviceHoursId");
  if (method === "GET") return json(200, publicHour(found.record));
  const merged =
    method === "PUT" ? body : applyPatch({ ...publicHour(found.record), serviceHoursId: n }, body, HOUR_EDITABLE);
  if (merged === null)
    return badRequest([{ target: "body", message: "The body must be a JSON Patch array of replace operations." }]);
  // The parents' PUT takes ServiceHoursModel (with yearId); everything else StudentServiceHoursModel.
  const withYear = method === "PUT" && role === "parent";
  const checked = checkHour(state, role, merged, withYear);
  if (checked.value === null) return badRequest(checked.problems);
  const m = merged as Row;
  if (m.serviceHoursId !== n)
    return badRequest([{ target: "serviceHoursId", message: "serviceHoursId does not match the path." }]);
  // A PUT sets every field of its model: a parents' PUT without yearId sets it to 0, as .NET would.
  const yearId = withYear ? ((m.yearId as number | null | undefined) ?? 0) : found.record.yearId;
  const record: SimServiceHour = {
    serviceHoursId: n,
    ...checked.value,
    createdBy: found.record.createdBy ?? SIM_API_USER_ID,
    ...(role === "parent" ? { yearId: yearId ?? null } : {}),
    role,
  };
  state.hours.set(n, { record, visibleAt: found.visibleAt });
  state.counters.updated++;
  // The parents' PUT answers ServiceHoursModel (with yearId); the others StudentServiceHoursModel.
  return json(200, withYear ? { ...publicHour(record), yearId: record.yearId ?? null } : publicHour(record));
}

/** The service-hours routes of both roles. */
export const serviceHoursRoute: SimRoute = {
  pattern: /^\/(students|parents)\/servicehours(?:\/([^/]+))?$/,
  handle(state, request, match) {
    const role: Role = match[1] === "students" ? "student" : "parent";
    const id = match[2];
    return id === undefined ? hoursCollection(state, request, role) : hoursRecord(state, request, role, id);
  },
};
