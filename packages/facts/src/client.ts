import type { Clock, Logger } from "@rostersync/core";
import { ResultAsync } from "neverthrow";
import pLimit from "p-limit";
import type { z } from "zod";
import { type BudgetOptions, createBudget, type RequestBudget } from "./budget.js";
import { systemClock } from "./clock.js";
import { type FactsError, redactDeep, redactWith } from "./errors.js";
import { readPaged } from "./list.js";
import { validateBody } from "./page-validation.js";
import { DEFAULT_MAX_PAGES } from "./pages.js";
import { type ReadDeadline, type RetryOptions, retryPolicy } from "./retry.js";
import { send, type Transport } from "./transport.js";

export { aborted, invalidPayload, parseRetryAfter } from "./http-errors.js";
export { type ReadDeadline, type RetryOptions, readDeadline } from "./retry.js";

/** Progress of a read, reported after every page. */
export interface FactsProgress {
  /** Requests this read has sent (retries included). */
  readonly requests: number;
  /** Pages received so far. */
  readonly pages: number;
  /** Pages known to be needed so far (grows as first pages arrive). */
  readonly pagesTotal: number;
  /** Records received so far. */
  readonly records: number;
  /** Estimated milliseconds left, from the budget and the latency seen. */
  readonly etaMs?: number | undefined;
}

/**
 * Where the client says what it is doing (retries, `429` waits). Nothing logged ever contains a key.
 *
 * @deprecated Use core's `Logger`, which this is an alias of.
 */
export type FactsLogger = Logger;

/** Options of {@link createFactsClient}. */
export interface FactsClientOptions {
  /** `Ocp-Apim-Subscription-Key`. A secret: never logged or echoed. */
  readonly subscriptionKey: string;
  /** `Facts-Api-Key`, the school's key. A secret: never logged or echoed. */
  readonly apiKey: string;
  /** Default `https://api.factsmgt.com`. */
  readonly baseUrl?: string | undefined;
  /** A `fetch` to use instead of the global one (tests, proxies). */
  readonly fetch?: typeof fetch | undefined;
  /** The subscription's request budget, or a budget shared with other clients of the same keys. */
  readonly budget?: BudgetOptions | RequestBudget | undefined;
  /** Requests in flight at once. Default 10, the per-second budget: more could not start within a second anyway. */
  readonly concurrency?: number | undefined;
  /** Cancels every request of this client. */
  readonly signal?: AbortSignal | undefined;
  /** Progress of every paged read (a read's own `onProgress` comes on top). */
  readonly onProgress?: ((progress: FactsProgress) => void) | undefined;
  readonly retry?: RetryOptions | undefined;
  /** Per-attempt timeout, covering the response headers *and* the whole body. Default 30 s. */
  readonly timeoutMs?: number | undefined;
  /**
   * The longest one paged read (`list`) may take, budget waits, `429` waits and retries included; beyond it
   * the read fails with `Timeout`. Default: no limit of its own (each attempt still has `timeoutMs`).
   */
  readonly readTimeoutMs?: number | undefined;
  /** The largest response body read, in bytes; a larger one fails with `TooLarge`. Default 64 MiB. */
  readonly maxBodyBytes?: number | undefined;
  /**
   * Same-origin redirects followed per request. A redirect to another origin is never followed (the keys
   * would go with it): it fails with `Redirected`. Default 3.
   */
  readonly maxRedirects?: number | undefined;
  /** The most pages one paged read may plan; a listing claiming more is `Inconsistent`. Default 10,000. */
  readonly maxPages?: number | undefined;
  /** Rows per page. Default 1000, the largest size FACTS is known to accept. */
  readonly pageSize?: number | undefined;
  /** Where retries and `429` waits are logged. Nothing logged contains a key. */
  readonly logger?: Logger | undefined;
  /** Where time comes from (deadlines, latency, `Retry-After` dates). Default: the system clock. */
  readonly clock?: Clock | undefined;
}

/** Options of one request. */
export interface RequestOptions {
  /** Query parameters besides `api-version`. */
  readonly searchParams?: Readonly<Record<string, string | number>> | undefined;
  /** A JSON body. */
  readonly json?: unknown;
  /** Safe to send twice: retried on network errors, timeouts and `5xx`. Default: true for GET, PUT, DELETE. */
  readonly idempotent?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Fail with `Timeout` rather than wait or send past this time. */
  readonly deadline?: ReadDeadline | undefined;
}

/** What FACTS answered to one request. */
export interface FactsResponse {
  readonly status: number;
  /** The parsed JSON body, `undefined` when the body was empty (`201`, `204`). */
  readonly body: unknown;
}

/** Options of a paged read. */
export interface ListOptions {
  /** Sieve filters (`personId==1|2`), joined by `,`. */
  readonly filters?: string | undefined;
  readonly sorts?: string | undefined;
  /** Rows per page; default the client's `pageSize`. */
  readonly pageSize?: number | undefined;
  /**
   * The field (or fields, for a link table's composite key) that name a record in errors and catch a record
   * read twice. Default: the endpoint's key in `RECORD_KEYS` (`/People/ParentStudent`: `parentID` and
   * `studentID`, …), none for an endpoint it does not list.
   */
  readonly idKey?: string | readonly string[] | undefined;
  /** Other query parameters of the endpoint (e.g. `/UserDefinedGroups`'s `type`), sent on every page. */
  readonly query?: Readonly<Record<string, string | number>> | undefined;
  readonly signal?: AbortSignal | undefined;
  /** The whole operation's deadline (see {@link readDeadline}); the client's `readTimeoutMs` applies on top. */
  readonly deadline?: ReadDeadline | undefined;
  /** Counts this read's pages into a larger operation's progress. */
  readonly progress?: ProgressTracker | undefined;
}

/** Request counters of a client. */
export interface FactsClientStats {
  /** Requests sent, retries included. */
  readonly requests: number;
  /** Retries after network errors, timeouts and `5xx`. */
  readonly retries: number;
  /** `429` answers met. */
  readonly rateLimited: number;
}

/** Collects progress over several paged reads of one operation. */
export interface ProgressTracker {
  /** Pages of one read became known. */
  expect(pages: number): void;
  /** One page arrived. */
  page(records: number): void;
}

/**
 * A FACTS API client: keys on every request, a shared request budget, concurrency, retries and typed
 * errors. Build one per school with {@link createFactsClient}; pass it to `createFactsSource` and
 * `createFactsHoursSink`.
 */
export interface FactsClient {
  /** One request; never throws, every failure is a {@link FactsError}. */
  request(method: string, endpoint: string, options?: RequestOptions): ResultAsync<FactsResponse, FactsError>;
  /** `GET` an endpoint that is not paged and validate its body. */
  get<T>(endpoint: string, schema: z.ZodType<T>, options?: RequestOptions): ResultAsync<T, FactsError>;
  /**
   * Every record of a paged endpoint: page 1 first, then pages 2..n concurrently within the budget,
   * each record validated, the count checked against `rowCount`.
   */
  list<T>(endpoint: string, schema: z.ZodType<T>, options?: ListOptions): ResultAsync<T[], FactsError>;
  /** A progress tracker for an operation made of several reads. */
  tracker(onProgress?: ((progress: FactsProgress) => void) | undefined): ProgressTracker;
  /** The rows-per-page this client asks for. */
  readonly pageSize: number;
  /** Request counters since the client was made. */
  stats(): FactsClientStats;
  /** The client's base URL (the keys are never exposed). */
  readonly baseUrl: string;
  /** The clock the client's deadlines are measured on; a source makes its own deadlines on it too. */
  readonly clock: Clock;
}

const DEFAULT_BASE_URL = "https://api.factsmgt.com";

/** A string for a Sieve value: `,` `|` and `\` are escaped. */
export function sieveValue(value: string | number): string {
  return String(value).replace(/[\\,|]/g, (c) => `\\${c}`);
}

/** A Sieve `field==a|b|c` filter. */
export function sieveIn(field: string, values: readonly (string | number)[]): string {
  return `${field}==${values.map(sieveValue).join("|")}`;
}

/**
 * Creates a FACTS client. The keys stay inside the client: they are sent as headers and never appear in
 * an error, a log line, `toString()` or `JSON.stringify(client)`.
 *
 * @example
 * ```ts
 * const client = createFactsClient({ subscriptionKey, apiKey });
 * const students = await client.list("/Students", studentSchema, { idKey: "studentId" });
 * ```
 */
export function createFactsClient(options: FactsClientOptions): FactsClient {
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  const clock = options.clock ?? systemClock;
  const redact = redactWith([options.subscriptionKey, options.apiKey]);
  const budget: RequestBudget =
    options.budget !== undefined && "take" in options.budget
      ? options.budget
      : createBudget({ ...options.budget, clock });
  const limit = pLimit(Math.max(1, options.concurrency ?? 10));
  const pageSize = Math.max(1, options.pageSize ?? 1000);
  const stats = { requests: 0, retries: 0, rateLimited: 0 };
  const latency = { total: 0, count: 0 };
  const transport: Transport = {
    baseUrl,
    baseOrigin: new URL(baseUrl).origin,
    subscriptionKey: options.subscriptionKey,
    apiKey: options.apiKey,
    fetch: options.fetch ?? globalThis.fetch,
    clock,
    redact,
    maxBodyBytes: Math.max(0, options.maxBodyBytes ?? 64 * 1024 * 1024),
    maxRedirects: Math.max(0, options.maxRedirects ?? 3),
    timeoutMs: options.timeoutMs ?? 30_000,
    retry: retryPolicy(options.retry),
    budget,
    limit,
    logger: options.logger,
    onSent: () => void stats.requests++,
    onLatency: (ms) => {
      latency.total += ms;
      latency.count++;
    },
    onRetry: () => void stats.retries++,
    onRateLimited: () => void stats.rateLimited++,
  };

  /** Every error leaves the client through here: no string in it can hold a key. */
  const clean = (e: FactsError): FactsError => redactDeep(e, redact);

  const signalFor = (signal: AbortSignal | undefined): AbortSignal | undefined => {
    const signals = [options.signal, signal].filter((s): s is AbortSignal => s !== undefined);
    if (signals.length === 0) return undefined;
    return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  };

  const sendOne = (method: string, endpoint: string, request: RequestOptions) =>
    send(transport, method, endpoint, request, signalFor(request.signal));

  const request = (method: string, endpoint: string, request: RequestOptions = {}) =>
    new ResultAsync(sendOne(method.toUpperCase(), endpoint, request)).mapErr(clean);

  const tracker = (onProgress?: (progress: FactsProgress) => void): ProgressTracker =>
    progressTracker({
      requests: () => stats.requests,
      etaMs: (remaining) => {
        const perPage = latency.count === 0 ? 0 : latency.total / latency.count;
        return remaining === 0
          ? 0
          : Math.max(budget.estimate(remaining), (remaining * perPage) / Math.max(1, limit.concurrency)) + perPage;
      },
      listeners: [options.onProgress, onProgress],
    });

  const client: FactsClient = {
    request,
    get(endpoint, schema, getOptions = {}) {
      return request("GET", endpoint, getOptions).andThen((response) =>
        validateBody(endpoint, schema, response.body).mapErr(clean),
      );
    },
    list(endpoint, schema, listOptions = {}) {
      const context = {
        send: sendOne,
        clock,
        maxPages: Math.max(1, options.maxPages ?? DEFAULT_MAX_PAGES),
        pageSize,
        readTimeoutMs: options.readTimeoutMs,
        tracker: () => tracker(),
      };
      const read = readPaged(context, endpoint, schema, { ...listOptions, signal: signalFor(listOptions.signal) });
      return new ResultAsync(read).mapErr(clean);
    },
    tracker,
    pageSize,
    stats: () => ({ ...stats }),
    baseUrl,
    clock,
  };
  // The keys live only in the transport; make sure nothing prints more than the base URL.
  Object.defineProperties(client, {
    toString: { value: () => `FactsClient(${baseUrl})`, enumerable: false },
    toJSON: { value: () => ({ baseUrl }), enumerable: false },
    [Symbol.for("nodejs.util.inspect.custom")]: { value: () => `FactsClient(${baseUrl})`, enumerable: false },
  });
  return client;
}

/** What {@link progressTracker} reads from its client. */
export interface ProgressSources {
  /** Requests the client has sent so far. */
  readonly requests: () => number;
  /** Milliseconds left for `remaining` pages, from the budget and the latency seen. */
  readonly etaMs: (remaining: number) => number;
  /** Who hears every update (the client's `onProgress`, then the read's). */
  readonly listeners: readonly (((progress: FactsProgress) => void) | undefined)[];
}

/**
 * A {@link ProgressTracker} that counts pages and records and reports after every page, its `requests`
 * counted from when it was made.
 */
export function progressTracker(sources: ProgressSources): ProgressTracker {
  const startRequests = sources.requests();
  let pages = 0;
  let pagesTotal = 0;
  let records = 0;
  return {
    expect(n) {
      pagesTotal += n;
    },
    page(n) {
      pages++;
      records += n;
      const etaMs = sources.etaMs(Math.max(0, pagesTotal - pages));
      const progress: FactsProgress = {
        requests: sources.requests() - startRequests,
        pages,
        pagesTotal,
        records,
        etaMs,
      };
      for (const listener of sources.listeners) listener?.(progress);
    },
  };
}
