/**
 * One paged read (`client.list`): page 1 first, then pages 2..n together within the client's budget, every
 * page validated and checked against page 1, the whole listing checked for repeated records and its row
 * count, all within the read's deadline. It takes what it needs from the client explicitly (a `send`, the
 * clock, the limits), so it holds no state of its own.
 *
 * @module
 */
import type { Clock } from "@rostersync/core";
import { err, ok, type Result } from "neverthrow";
import type { z } from "zod";
import { MAX_TIMER_MS } from "./budget.js";
import type { FactsResponse, ListOptions, ProgressTracker, RequestOptions } from "./client.js";
import type { FactsError } from "./errors.js";
import { aborted, inconsistent, timeout } from "./http-errors.js";
import { validatePage } from "./page-validation.js";
import { checkPage, findRepeat, type PageEnvelope, type PageProblem, planPages, recordKeysFor } from "./pages.js";
import { earlierDeadline, readDeadline } from "./retry.js";

/** What a paged read needs from its client. */
export interface PagedReadContext {
  /** One request, retried and paced by the client; never rejects. */
  readonly send: (
    method: string,
    endpoint: string,
    request: RequestOptions,
  ) => Promise<Result<FactsResponse, FactsError>>;
  readonly clock: Clock;
  /** The most pages one read may plan. */
  readonly maxPages: number;
  /** Rows per page when the read does not say. */
  readonly pageSize: number;
  /** The client's own limit on one read, if any. */
  readonly readTimeoutMs: number | undefined;
  /** A progress tracker for a read that was not given one. */
  readonly tracker: () => ProgressTracker;
}

/** The `Inconsistent` error of a page that disagrees with page 1. */
export function pageDisagrees(endpoint: string, problem: PageProblem): FactsError {
  return inconsistent(
    endpoint,
    problem.expected,
    problem.actual,
    `GET ${endpoint} cannot be trusted: ${problem.reason}. The listing changed while it was read or FACTS answered wrongly; nothing was kept. Read again later.`,
  );
}

/**
 * The records of a listing whose pages all arrived and agreed with page 1 (`head`), or the `Inconsistent`
 * error of a record read twice (by `keys`) or a total that is not page 1's `rowCount`.
 *
 * @example
 * ```ts
 * joinPages("/People", head, [[{ personId: 1 }], [{ personId: 2 }]], ["personId"]);
 * ```
 */
export function joinPages<T>(
  endpoint: string,
  head: PageEnvelope,
  pages: readonly (readonly T[])[],
  keys: readonly string[],
): Result<T[], FactsError> {
  const repeat = findRepeat(pages, keys);
  if (repeat !== null) {
    return err(
      inconsistent(
        endpoint,
        head.rowCount,
        repeat.distinct,
        `GET ${endpoint} returned record ${repeat.key} twice (pages ${repeat.firstPage} and ${repeat.page}): a page was repeated or the listing moved while it was read; nothing was kept. Read again later.`,
      ),
    );
  }
  const all = pages.flat();
  if (all.length !== head.rowCount) {
    return err(
      inconsistent(
        endpoint,
        head.rowCount,
        all.length,
        `GET ${endpoint} returned ${all.length} records but said it had ${head.rowCount}: a page shrank or grew while it was read. Read again later.`,
      ),
    );
  }
  return ok(all);
}

/**
 * Every record of a paged endpoint. Pages 2..n stop as soon as one page fails, or when the read's deadline
 * (the earlier of `listOptions.deadline` and the client's `readTimeoutMs`) passes.
 */
export async function readPaged<T>(
  context: PagedReadContext,
  endpoint: string,
  schema: z.ZodType<T>,
  listOptions: ListOptions,
): Promise<Result<T[], FactsError>> {
  const size = Math.max(1, listOptions.pageSize ?? context.pageSize);
  const keys = recordKeysFor(endpoint, listOptions.idKey);
  const progress = listOptions.progress ?? context.tracker();
  const own =
    context.readTimeoutMs === undefined ? undefined : readDeadline(context.readTimeoutMs, context.clock.now());
  const deadline = earlierDeadline(listOptions.deadline, own);
  const stop = new AbortController();
  let late = false;
  const lateTimer =
    deadline === undefined
      ? undefined
      : setTimeout(
          () => {
            late = true;
            stop.abort();
          },
          Math.min(MAX_TIMER_MS, Math.max(0, deadline.at - context.clock.now())),
        );
  const signal = listOptions.signal === undefined ? stop.signal : AbortSignal.any([listOptions.signal, stop.signal]);
  const overdue = () => err(timeout("GET", endpoint, deadline?.timeoutMs ?? 0, true));
  const fetchPage = async (page: number) => {
    const searchParams: Record<string, string | number> = { ...listOptions.query, Page: page, PageSize: size };
    if (listOptions.filters) searchParams.Filters = listOptions.filters;
    if (listOptions.sorts) searchParams.Sorts = listOptions.sorts;
    const response = await context.send("GET", endpoint, { searchParams, signal, deadline });
    return response.andThen((r) => validatePage(endpoint, schema, r.body, page, keys));
  };

  try {
    progress.expect(1);
    const first = await fetchPage(1);
    if (late) return overdue();
    if (first.isErr()) return err(first.error);
    const head = first.value.envelope;
    const planned = planPages(head, context.maxPages);
    if (typeof planned !== "number") return err(pageDisagrees(endpoint, planned));
    const firstProblem = checkPage(head, 1, head, first.value.records.length);
    if (firstProblem !== null) return err(pageDisagrees(endpoint, firstProblem));
    progress.page(first.value.records.length);
    if (planned > 1) progress.expect(planned - 1);
    const pages: T[][] = [first.value.records];
    let failure: FactsError | null = null;
    await Promise.all(
      Array.from({ length: planned - 1 }, async (_, i) => {
        const page = i + 2;
        const result = await fetchPage(page);
        if (failure !== null) return;
        if (result.isErr()) {
          failure = result.error;
          stop.abort();
          return;
        }
        const problem = checkPage(head, page, result.value.envelope, result.value.records.length);
        if (problem !== null) {
          failure = pageDisagrees(endpoint, problem);
          stop.abort();
          return;
        }
        progress.page(result.value.records.length);
        pages[i + 1] = result.value.records;
      }),
    );
    if (late) return overdue();
    const failed = failure as FactsError | null;
    if (failed !== null) return err(failed);
    if (listOptions.signal?.aborted) return err(aborted("GET", endpoint));
    return joinPages(endpoint, head, pages, keys);
  } finally {
    if (lateTimer !== undefined) clearTimeout(lateTimer);
  }
}
