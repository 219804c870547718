/**
 * FACTS's paged envelope with Sieve filters and sorts (`Filters`, `Sorts`, `Page`, `PageSize`).
 *
 * @internal
 * @module
 */

import { stackTrace } from "../faults.js";
import { applySorts, compileFilters, SieveFailure } from "../sieve.js";
import type { Problem } from "./body-checks.js";
import { badRequest, json, param, problem, type Reply, type Row } from "./replies.js";

/** Nested filter paths FACTS maps, per endpoint (FACTS.md: `school.status` works on `/Students`). */
const NESTED: Record<string, ReadonlySet<string>> = {
  "/students": new Set([
    "school.status",
    "school.substatus",
    "school.gradelevel",
    "school.enrolldate",
    "school.withdrawdate",
    "school.graduationdate",
    "school.nextstatus",
    "school.nextgradelevel",
  ]),
};
const NONE: ReadonlySet<string> = new Set();

/** Page sizes: the default when `PageSize` is absent, and the largest honoured. */
export interface PageSizes {
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
}

/** Where a page is served: the path asked, its query and the origin for `nextPage` links. */
export interface PageRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly origin: string;
}

/**
 * One page of rows with FACTS's envelope (`results`, `currentPage`, `pageCount`, `pageSize`,
 * `rowCount`, `nextPage`). A bad `Page` / `PageSize` is a `400`; a filter or sort Sieve refuses a `500`
 * with a stack trace, as FACTS answers. `present` maps each row served.
 */
export function page(
  rows: readonly Row[],
  request: PageRequest,
  sizes: PageSizes,
  present: (row: Row) => Row = (row) => row,
): Reply {
  const { path, query } = request;
  const filters = param(query, "Filters");
  const sorts = param(query, "Sorts");
  const rawPage = param(query, "Page");
  const rawSize = param(query, "PageSize");
  const problems: Problem[] = [];
  const pageNo = rawPage === null ? 1 : Number(rawPage);
  const askedSize = rawSize === null ? sizes.defaultPageSize : Number(rawSize);
  if (!Number.isInteger(pageNo) || pageNo < 1)
    problems.push({ target: "Page", message: "Page must be a whole number ≥ 1." });
  if (!Number.isInteger(askedSize) || askedSize < 1)
    problems.push({ target: "PageSize", message: "PageSize must be a whole number ≥ 1." });
  if (problems.length > 0) return badRequest(problems);
  let selected: readonly Row[];
  try {
    const keep = compileFilters(filters, NESTED[path.toLowerCase()] ?? NONE);
    selected = filters ? rows.filter(keep) : rows;
    selected = applySorts(selected, sorts);
  } catch (e) {
    if (e instanceof SieveFailure)
      return problem(500, "An error occurred while processing your request.", stackTrace(e.message));
    throw e;
  }
  const size = Math.min(askedSize, sizes.maxPageSize);
  const rowCount = selected.length;
  const pageCount = Math.ceil(rowCount / size);
  const nextPage = pageNo < pageCount ? nextPageLink(request, filters, sorts, pageNo + 1, size) : "";
  return json(200, {
    results: selected.slice((pageNo - 1) * size, pageNo * size).map(present),
    currentPage: pageNo,
    pageCount,
    pageSize: size,
    rowCount,
    nextPage,
  });
}

/** The `nextPage` link FACTS gives: the same filters and sorts, the next page, the size served. */
function nextPageLink(
  request: PageRequest,
  filters: string | null,
  sorts: string | null,
  pageNo: number,
  size: number,
) {
  const next = new URLSearchParams();
  if (filters) next.set("Filters", filters);
  if (sorts) next.set("Sorts", sorts);
  next.set("Page", String(pageNo));
  next.set("PageSize", String(size));
  next.set("api-version", "1");
  return `${request.origin}${request.path}?${next.toString()}`;
}
