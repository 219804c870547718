/**
 * The simulator's route table, one entry per endpoint family, first match wins: service hours,
 * attendance, then the roster's read-only tables.
 *
 * @internal
 * @module
 */

import { attendanceRoute } from "./attendance.js";
import type { PageRequest } from "./paging.js";
import { badRequest, parseBody, type Reply } from "./replies.js";
import { studentStatusRoute, tableRoute, udfGroupsRoute } from "./roster.js";
import type { SimRoute } from "./route.js";
import { serviceHoursRoute } from "./service-hours.js";
import type { SimState } from "./state.js";

/** The routes in the order they are tried; the last one matches any path. */
export const ROUTES: readonly SimRoute[] = [
  serviceHoursRoute,
  attendanceRoute,
  studentStatusRoute,
  udfGroupsRoute,
  tableRoute,
];

/** Answers a request past the gateway: a body that is not JSON is a `400` on any route. */
export function answer(
  state: SimState,
  request: PageRequest & { readonly method: string; readonly bodyText: string; readonly now: number },
  routes: readonly SimRoute[] = ROUTES,
): Reply {
  const lower = request.path.toLowerCase();
  const parsed = parseBody(request.bodyText);
  if (!parsed.ok) return badRequest([{ target: "body", message: "The body is not valid JSON." }]);
  const routeRequest = { ...request, lower, body: parsed.value };
  for (const route of routes) {
    const match = route.pattern.exec(lower);
    if (match !== null) return route.handle(state, routeRequest, match);
  }
  throw new Error(`no simulator route for ${lower}`);
}
