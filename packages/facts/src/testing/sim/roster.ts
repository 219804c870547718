/**
 * The roster's read-only routes (students, people, families, parent links, user-defined groups and
 * fields, school configuration, …): every table the simulator was loaded with, paged; the few that FACTS
 * answers differently have their own entry.
 *
 * @internal
 * @module
 */

import { page } from "./paging.js";
import { json, notFoundRoute, param, type Reply, type Row } from "./replies.js";
import type { SimRoute } from "./route.js";

/**
 * `/UserDefinedGroups?type=`: the definition says only "the type of UserDefinedGroup" (a string,
 * default `"0"`) and offers no Sieve filter on `groupType`. The simulator reads it as the group type to
 * list (`STUDENT`, `PARENT`, …, case-insensitive) and, pessimistically, the default `0` as STUDENT
 * groups only, so that a client relying on the default misses parent and family groups in tests.
 */
export function udfGroupsOfType(rows: readonly Row[], query: URLSearchParams): Row[] {
  const type = (param(query, "type") ?? "0").trim().toUpperCase();
  const wanted = type === "0" ? "STUDENT" : type;
  return rows.filter((g) => String(g.groupType ?? "").toUpperCase() === wanted);
}

/** Every roster route is read-only: any other method is a route FACTS does not have. */
const readOnly =
  (handle: SimRoute["handle"]): SimRoute["handle"] =>
  (state, request, match) =>
    request.method === "GET" ? handle(state, request, match) : notFoundRoute();

/** `/Students/Status`: the status list, not paged (an empty list when the roster has none). */
export const studentStatusRoute: SimRoute = {
  pattern: /^\/students\/status$/,
  handle: readOnly((state, request) => json(200, state.tables.get(request.lower) ?? [])),
};

/** `/UserDefinedGroups`: one group type per request (see {@link udfGroupsOfType}). */
export const udfGroupsRoute: SimRoute = {
  pattern: /^\/userdefinedgroups$/,
  handle: readOnly((state, request): Reply => {
    const rows = state.tables.get(request.lower);
    if (rows === undefined) return notFoundRoute();
    return page(udfGroupsOfType(rows, request.query), request, state.settings);
  }),
};

/** Any other path: the loaded table of that endpoint, paged; a `404` when there is none. */
export const tableRoute: SimRoute = {
  pattern: /^/,
  handle: readOnly((state, request): Reply => {
    const rows = state.tables.get(request.lower);
    if (rows === undefined) return notFoundRoute();
    return page(rows, request, state.settings);
  }),
};
