/**
 * Review and decisions routes: refresh, the paged review, reading and saving decisions (with their
 * version tag).
 *
 * @internal
 * @module
 */

import { type Decisions, type DecisionsBuilder, filterRows, hashJson, type RowFilter } from "@rostersync/core";
import { handlerCodes, problemResponse, syncProblem } from "../problem.js";
import { json, longStep } from "../respond.js";
import { type DecisionOp, decisionsBody, emptyBody, rowFilter } from "../schemas.js";
import { bodyOf, type Route, reviewOrRefuse } from "./context.js";

/** The decisions' version tag (an ETag): a save must name the version it was made on. */
export const decisionsTag = (decisions: Decisions): string => `"d-${hashJson(decisions)}"`;

/** Thrown inside `decide` when the stored decisions are not the ones the admin saw. */
class StaleDecisions extends Error {}

/** One decision operation of a save, on the draft. */
export function applyOp(draft: DecisionsBuilder, op: DecisionOp): DecisionsBuilder {
  switch (op.op) {
    case "select":
      return draft.select(op.sourceIds);
    case "unselect":
      return draft.unselect(op.sourceIds);
    case "selectAll":
      return draft.selectAll(op.filter as RowFilter, op.selected);
    case "resolveDuplicate":
      return draft.resolveDuplicate(op.email, op.sourceId);
    case "unresolveDuplicate":
      return draft.unresolveDuplicate(op.email);
    case "merge":
      return draft.manualMerge(op.sourceId, op.accountId);
    case "removeMerge":
      return draft.removeMerge(op.sourceId);
  }
}

/** The review filter of `GET /review`'s query: lists are comma-separated, flags are `true`/`false`. */
export function filterFromQuery(params: URLSearchParams): unknown {
  const out: Record<string, unknown> = {};
  const list = (key: string) => {
    const v = params.get(key);
    if (v === null || v === "") return;
    const parts = v.split(",").map((p) => p.trim());
    out[key] = parts.length === 1 ? parts[0] : parts;
  };
  list("status");
  list("gradeLevel");
  list("schoolCode");
  for (const key of ["flag", "search"]) {
    const v = params.get(key);
    if (v !== null && v !== "") out[key] = v;
  }
  for (const key of ["newOnly", "needsReview", "newErrorsOnly"]) {
    const v = params.get(key);
    if (v !== null) out[key] = v === "true" ? true : v === "false" ? false : v;
  }
  return out;
}

/** `page` and `pageSize` of the review's query: whole numbers, the size at most `maxPageSize`. */
export function pagingOf(params: URLSearchParams, maxPageSize: number): { page: number; pageSize: number } {
  const page = Math.max(1, Number.parseInt(params.get("page") ?? "1", 10) || 1);
  const pageSize = Math.min(maxPageSize, Math.max(1, Number.parseInt(params.get("pageSize") ?? "50", 10) || 50));
  return { page, pageSize };
}

/** `POST /refresh`: read the roster and review it (a long step). */
export const postRefresh: Route = async (context) => {
  const { request, progress, sync, school } = context;
  const body = await bodyOf(context, emptyBody);
  if (body instanceof Response) return body;
  return longStep(
    request,
    progress,
    () =>
      sync.refresh().map((review) => {
        school.review = review;
        return review;
      }),
    (review) => ({ totals: review.totals, duplicateGroups: review.duplicateGroups.length }),
    context.settings.onError,
  );
};

/** `GET /review`: one page of the filtered review, with the decisions' tag. */
export const getReview: Route = async ({ url, sync, school, settings }) => {
  const review = reviewOrRefuse(school);
  if (review instanceof Response) return review;
  const filter = rowFilter.safeParse(filterFromQuery(url.searchParams));
  if (!filter.success) {
    return problemResponse(handlerCodes.InvalidRequest, "The review filter is not valid.", {
      problems: filter.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
  }
  const { page, pageSize } = pagingOf(url.searchParams, settings.maxPageSize);
  const rows = filterRows(review, filter.data as RowFilter);
  const decisions = await sync.decisions();
  if (decisions.isErr()) return syncProblem(decisions.error);
  const tag = decisionsTag(decisions.value);
  return json(
    {
      totals: review.totals,
      matching: rows.length,
      page,
      pageSize,
      pages: Math.max(1, Math.ceil(rows.length / pageSize)),
      rows: rows.slice((page - 1) * pageSize, page * pageSize),
      duplicateGroups: review.duplicateGroups,
      openOn: review.openOn,
      decisionsTag: tag,
    },
    200,
    { etag: tag },
  );
};

/** `GET /decisions`: the decisions and their tag. */
export const getDecisions: Route = async ({ sync }) => {
  const r = await sync.decisions();
  if (r.isErr()) return syncProblem(r.error);
  const tag = decisionsTag(r.value);
  return json({ decisions: r.value, decisionsTag: tag }, 200, { etag: tag });
};

/** `POST /decisions`: apply the ops to the version named by `If-Match`; a stale version is `409`. */
export const postDecisions: Route = async (context) => {
  const { request, sync, school } = context;
  const ifMatch = request.headers.get("if-match");
  if (ifMatch === null) {
    return problemResponse(
      handlerCodes.PreconditionRequired,
      "Send If-Match with the decisionsTag the changes were made on, so a second admin's save is not lost.",
    );
  }
  const body = await bodyOf(context, decisionsBody);
  if (body instanceof Response) return body;
  let saved: Decisions | null = null;
  let stale = false;
  const r = await sync.decide((draft) => {
    if (decisionsTag(draft.done()) !== ifMatch) {
      stale = true;
      throw new StaleDecisions("stale");
    }
    let next = draft;
    for (const op of body.ops) next = applyOp(next, op);
    saved = next.done();
    return saved;
  });
  if (stale) {
    const current = await sync.decisions();
    return problemResponse(
      handlerCodes.StaleDecisions,
      "Someone else saved decisions since you loaded them: reload the review and make your change again.",
      current.isOk() ? { decisionsTag: decisionsTag(current.value) } : {},
    );
  }
  if (r.isErr()) return syncProblem(r.error);
  school.review = r.value;
  const tag = saved === null ? null : decisionsTag(saved);
  return json({ totals: r.value.totals, decisionsTag: tag }, 200, tag === null ? {} : { etag: tag });
};
