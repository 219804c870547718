import { sentence } from "@rostersync/core";
import ky, { isHTTPError, isNetworkError, isTimeoutError } from "ky";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import pLimit from "p-limit";
import type { z } from "zod";
import { type BudgetOptions, createBudget, type RequestBudget, sleep } from "./budget.js";
import { describeErrorBody, type FactsError, permissionFor, redactWith } from "./errors.js";
import { type Envelope, envelopeSchema } from "./schemas.js";

/** How reads are retried. Writes that are not idempotent (POST) are never retried blindly. */
export interface RetryOptions {
  /** Retries after the first attempt for network errors, timeouts and `5xx`. Default 3. */
  readonly limit?: number | undefined;
  /** First backoff delay; doubles with each retry. Default 500 ms. */
  readonly baseDelayMs?: number | undefined;
  /** Longest backoff delay. Default 20 s. */
  readonly maxDelayMs?: number | undefined;
  /** Maps a backoff delay to the delay actually waited. Default: uniformly between half and all of it. */
  readonly jitter?: ((delayMs: number) => number) | undefined;
  /** How many `429`s one request may meet before it fails with `RateLimited`. Default 8. */
  readonly rateLimitRetries?: number | undefined;
}

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

/** A sink of debug lines. Nothing logged ever contains a key. */
export interface FactsLogger {
  debug?(message: string, data?: Record<string, unknown>): void;
  warn?(message: string, data?: Record<string, unknown>): void;
}

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
  /** Per-attempt timeout. Default 30 s. */
  readonly timeoutMs?: number | undefined;
  /** Rows per page. Default 1000, the largest size FACTS is known to accept. */
  readonly pageSize?: number | undefined;
  readonly logger?: FactsLogger | undefined;
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
  /** The record key that names a record in errors and catches a record read twice. */
  readonly idKey?: string | undefined;
  readonly signal?: AbortSignal | undefined;
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
}

/** Carries a tagged error through ky's `beforeError` hook. */
class FactsFailure extends Error {
  constructor(readonly facts: FactsError) {
    super(facts.message);
  }
}

const DEFAULT_BASE_URL = "https://api.factsmgt.com";

function parseRetryAfter(value: string | null): number {
  if (value === null || value.trim() === "") return 1000;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : 1000;
}

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
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, "");
  const redact = redactWith([options.subscriptionKey, options.apiKey]);
  const budget: RequestBudget =
    options.budget !== undefined && "take" in options.budget ? options.budget : createBudget(options.budget);
  const limit = pLimit(Math.max(1, options.concurrency ?? 10));
  const retryLimit = options.retry?.limit ?? 3;
  const baseDelay = options.retry?.baseDelayMs ?? 500;
  const maxDelay = options.retry?.maxDelayMs ?? 20_000;
  const jitter = options.retry?.jitter ?? ((d: number) => d / 2 + (Math.random() * d) / 2);
  const rateLimitRetries = options.retry?.rateLimitRetries ?? 8;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pageSize = Math.max(1, options.pageSize ?? 1000);
  const logger = options.logger;
  const stats = { requests: 0, retries: 0, rateLimited: 0 };
  let latencyTotal = 0;
  let latencyCount = 0;

  const redactDeep = (data: unknown): unknown => {
    if (typeof data === "string") return redact(data);
    if (data === null || typeof data !== "object") return data;
    return JSON.parse(redact(JSON.stringify(data))) as unknown;
  };

  const endpointOf = (url: string): string => {
    const path = new URL(url).pathname;
    return path.startsWith(basePath) ? path.slice(basePath.length) || "/" : path;
  };

  /** The one place an HTTP failure becomes a tagged error. */
  const toFactsError = (method: string, endpoint: string, error: unknown): FactsError => {
    const at = { method, endpoint };
    if (error instanceof FactsFailure) return error.facts;
    if (isHTTPError(error)) {
      const status = error.response.status;
      // Redact before anything is cut short, so not even a prefix of a key survives.
      const said = describeErrorBody(redactDeep(error.data));
      const why = said === null ? "" : `: ${said}`;
      const where = `${method} ${endpoint}`;
      if (status === 401 || status === 403) {
        const permission = permissionFor(method, endpoint);
        const unauthorized = status === 401;
        return {
          type: unauthorized ? "Unauthorized" : "Forbidden",
          ...at,
          status,
          permission,
          fatal: true,
          retryable: false,
          message: unauthorized
            ? `${sentence(`FACTS refused the API keys on ${where} (401)${why}`)} Check the subscription key and the school's API key; the request needs "${permission}".`
            : `${sentence(`The FACTS API key lacks the "${permission}" permission needed for ${where} (403)${why}`)} Ask the school to grant it in FACTS.`,
        };
      }
      if (status === 404) {
        return {
          type: "NotFound",
          ...at,
          status,
          fatal: false,
          retryable: false,
          message: sentence(`${where}: not found${why}`),
        };
      }
      if (status === 429) {
        const retryAfterMs = parseRetryAfter(error.response.headers.get("retry-after"));
        return {
          type: "RateLimited",
          ...at,
          status,
          retryAfterMs,
          fatal: false,
          retryable: true,
          message: `FACTS rate limit reached on ${where}; it asked to wait ${Math.ceil(retryAfterMs / 1000)} s.`,
        };
      }
      if (status >= 500) {
        return {
          type: "ServerError",
          ...at,
          status,
          detail: said,
          fatal: false,
          retryable: true,
          // FACTS's own words on a 5xx are often a .NET exception (System.NullReferenceException…): they stay in
          // `detail` for the host's log; the admin reads what happened and what to do.
          message: `FACTS failed on ${where} (${status}); try again later, and tell FACTS support if it keeps failing.`,
        };
      }
      return {
        type: "BadRequest",
        ...at,
        status,
        fatal: false,
        retryable: false,
        message: sentence(`FACTS refused ${where} (${status})${why}`),
      };
    }
    if (isTimeoutError(error)) {
      return {
        type: "Timeout",
        ...at,
        timeoutMs,
        fatal: false,
        retryable: true,
        message: `${method} ${endpoint}: no answer from FACTS within ${timeoutMs} ms.`,
      };
    }
    if (error instanceof Error && error.name === "AbortError") return aborted(method, endpoint);
    const cause = isNetworkError(error) && error.cause instanceof Error ? `: ${redact(error.cause.message)}` : "";
    return {
      type: "Network",
      ...at,
      fatal: false,
      retryable: true,
      message: sentence(`${method} ${endpoint}: the connection to FACTS failed${cause}`),
    };
  };

  const api = ky.create({
    fetch: options.fetch ?? globalThis.fetch,
    timeout: timeoutMs,
    retry: 0,
    headers: {
      "Ocp-Apim-Subscription-Key": options.subscriptionKey,
      "Facts-Api-Key": options.apiKey,
      accept: "application/json",
    },
    hooks: {
      beforeError: [
        ({ request, error }) => new FactsFailure(toFactsError(request.method, endpointOf(request.url), error)),
      ],
    },
  });

  const signalFor = (signal: AbortSignal | undefined): AbortSignal | undefined => {
    const signals = [options.signal, signal].filter((s): s is AbortSignal => s !== undefined);
    if (signals.length === 0) return undefined;
    return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  };

  const once = async (
    method: string,
    endpoint: string,
    request: RequestOptions,
    signal: AbortSignal | undefined,
  ): Promise<Result<FactsResponse, FactsError>> => {
    const searchParams = new URLSearchParams({ "api-version": "1" });
    for (const [k, v] of Object.entries(request.searchParams ?? {})) searchParams.set(k, String(v));
    const started = Date.now();
    try {
      const response = await api(`${baseUrl}${endpoint}`, {
        method,
        searchParams,
        ...(request.json === undefined ? {} : { json: request.json }),
        ...(signal === undefined ? {} : { signal }),
      });
      const text = await response.text();
      latencyTotal += Date.now() - started;
      latencyCount++;
      if (text.trim() === "") return ok({ status: response.status, body: undefined });
      try {
        return ok({ status: response.status, body: JSON.parse(text) as unknown });
      } catch {
        const html = text.trimStart().startsWith("<");
        return err(
          invalidPayload(
            method,
            endpoint,
            null,
            [],
            html
              ? `${method} ${endpoint} answered an HTML page instead of JSON.`
              : `${method} ${endpoint} answered a body that is not JSON (truncated?).`,
          ),
        );
      }
    } catch (error) {
      if (signal?.aborted) return err(aborted(method, endpoint));
      return err(toFactsError(method, endpoint, error));
    }
  };

  const backoff = (retry: number): number => Math.max(0, jitter(Math.min(maxDelay, baseDelay * 2 ** retry)));

  const send = async (
    method: string,
    endpoint: string,
    request: RequestOptions,
  ): Promise<Result<FactsResponse, FactsError>> => {
    const signal = signalFor(request.signal);
    const idempotent = request.idempotent ?? method !== "POST";
    let retries = 0;
    let limited = 0;
    for (;;) {
      if (signal?.aborted) return err(aborted(method, endpoint));
      const result = await limit(async () => {
        let release: () => void;
        try {
          release = await budget.take(signal);
        } catch {
          return err(aborted(method, endpoint));
        }
        stats.requests++;
        try {
          return await once(method, endpoint, request, signal);
        } finally {
          release();
        }
      });
      if (result.isOk()) return result;
      const e = result.error;
      if (e.type === "Aborted") return result;
      if (e.type === "RateLimited") {
        stats.rateLimited++;
        // The budget is shared by everything on these keys: everyone waits, not just this request.
        budget.pause(e.retryAfterMs);
        logger?.warn?.("facts rate limited", { endpoint, retryAfterMs: e.retryAfterMs });
        // A 429 is refused before FACTS does anything, so even a POST may be sent again.
        if (limited++ < rateLimitRetries) continue;
        return result;
      }
      if (e.retryable && idempotent && retries < retryLimit) {
        const wait = backoff(retries);
        retries++;
        stats.retries++;
        logger?.debug?.("facts retry", { method, endpoint, error: e.type, waitMs: Math.round(wait) });
        try {
          await sleep(wait, signal);
        } catch {
          return err(aborted(method, endpoint));
        }
        continue;
      }
      return result;
    }
  };

  const request = (method: string, endpoint: string, request: RequestOptions = {}) =>
    new ResultAsync(send(method.toUpperCase(), endpoint, request));

  const tracker = (onProgress?: (progress: FactsProgress) => void): ProgressTracker => {
    const startRequests = stats.requests;
    let pages = 0;
    let pagesTotal = 0;
    let records = 0;
    const emit = () => {
      const remaining = Math.max(0, pagesTotal - pages);
      const latency = latencyCount === 0 ? 0 : latencyTotal / latencyCount;
      const etaMs =
        remaining === 0
          ? 0
          : Math.max(budget.estimate(remaining), (remaining * latency) / Math.max(1, limit.concurrency)) + latency;
      const progress: FactsProgress = { requests: stats.requests - startRequests, pages, pagesTotal, records, etaMs };
      options.onProgress?.(progress);
      onProgress?.(progress);
    };
    return {
      expect(n) {
        pagesTotal += n;
      },
      page(n) {
        pages++;
        records += n;
        emit();
      },
    };
  };

  const validatePage = <T>(
    endpoint: string,
    schema: z.ZodType<T>,
    body: unknown,
    page: number,
    idKey: string | undefined,
  ): Result<{ envelope: Envelope; records: T[] }, FactsError> => {
    const envelope = envelopeSchema.safeParse(body);
    if (!envelope.success) {
      const issue = envelope.error.issues[0];
      const path = (issue?.path ?? []).map((p) => (typeof p === "symbol" ? String(p) : p));
      return err(
        invalidPayload(
          "GET",
          endpoint,
          null,
          path,
          `GET ${endpoint} page ${page}: not a FACTS page (${path.join(".") || "body"}: ${issue?.message ?? "invalid"}).`,
          page,
        ),
      );
    }
    const records: T[] = [];
    for (const raw of envelope.data.results) {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = (issue?.path ?? []).map((p) => (typeof p === "symbol" ? String(p) : p));
        const recordId = recordIdOf(raw, idKey);
        return err(
          invalidPayload(
            "GET",
            endpoint,
            recordId,
            path,
            `GET ${endpoint}: record ${recordId ?? "(no id)"} has a bad ${path.join(".") || "value"}: ${issue?.message ?? "invalid"}.`,
            page,
          ),
        );
      }
      records.push(parsed.data);
    }
    return ok({ envelope: envelope.data, records });
  };

  const listAll = async <T>(
    endpoint: string,
    schema: z.ZodType<T>,
    listOptions: ListOptions,
  ): Promise<Result<T[], FactsError>> => {
    const size = Math.max(1, listOptions.pageSize ?? pageSize);
    const progress = listOptions.progress ?? tracker();
    // Pages 2..n stop as soon as one page fails.
    const stop = new AbortController();
    const signal = listOptions.signal === undefined ? stop.signal : AbortSignal.any([listOptions.signal, stop.signal]);
    const fetchPage = async (page: number) => {
      const searchParams: Record<string, string | number> = { Page: page, PageSize: size };
      if (listOptions.filters) searchParams.Filters = listOptions.filters;
      if (listOptions.sorts) searchParams.Sorts = listOptions.sorts;
      const response = await send("GET", endpoint, { searchParams, signal });
      if (response.isErr()) return err(response.error);
      const validated = validatePage(endpoint, schema, response.value.body, page, listOptions.idKey);
      if (validated.isOk()) progress.page(validated.value.records.length);
      return validated;
    };

    progress.expect(1);
    const first = await fetchPage(1);
    if (first.isErr()) return err(first.error);
    const { pageCount, rowCount } = first.value.envelope;
    if (pageCount > 1) progress.expect(pageCount - 1);
    const pages: T[][] = [first.value.records];
    let failure: FactsError | null = null;
    await Promise.all(
      Array.from({ length: Math.max(0, pageCount - 1) }, async (_, i) => {
        const page = i + 2;
        const result = await fetchPage(page);
        if (failure !== null) return;
        if (result.isErr()) {
          failure = result.error;
          stop.abort();
          return;
        }
        const env = result.value.envelope;
        if (env.currentPage !== page || env.pageCount !== pageCount || env.rowCount !== rowCount) {
          failure = inconsistent(
            endpoint,
            env.rowCount !== rowCount ? rowCount : pageCount,
            env.rowCount !== rowCount ? env.rowCount : env.pageCount,
            `GET ${endpoint} changed while it was read (page ${page}: ${env.rowCount} rows in ${env.pageCount} pages, page 1 said ${rowCount} in ${pageCount}). Read again later.`,
          );
          stop.abort();
          return;
        }
        pages[i + 1] = result.value.records;
      }),
    );
    const failed = failure as FactsError | null;
    if (failed !== null) return err(failed);
    if (listOptions.signal?.aborted) return err(aborted("GET", endpoint));
    const all = pages.flat();
    if (all.length !== rowCount) {
      return err(
        inconsistent(
          endpoint,
          rowCount,
          all.length,
          `GET ${endpoint} returned ${all.length} records but said it had ${rowCount}: a page shrank or grew while it was read. Read again later.`,
        ),
      );
    }
    if (listOptions.idKey !== undefined) {
      const seen = new Set<string>();
      for (const r of all) {
        const id = recordIdOf(r, listOptions.idKey);
        if (id === null) continue;
        if (seen.has(id)) {
          return err(
            inconsistent(
              endpoint,
              rowCount,
              seen.size,
              `GET ${endpoint} returned record ${id} twice: the listing moved while it was read. Read again later.`,
            ),
          );
        }
        seen.add(id);
      }
    }
    return ok(all);
  };

  const client: FactsClient = {
    request,
    get(endpoint, schema, getOptions = {}) {
      return request("GET", endpoint, getOptions).andThen((response) => {
        const parsed = schema.safeParse(response.body);
        if (parsed.success) return ok(parsed.data);
        const issue = parsed.error.issues[0];
        const path = (issue?.path ?? []).map((p) => (typeof p === "symbol" ? String(p) : p));
        return err(
          invalidPayload(
            "GET",
            endpoint,
            null,
            path,
            `GET ${endpoint}: bad ${path.join(".") || "body"}: ${issue?.message ?? "invalid"}.`,
          ),
        );
      });
    },
    list(endpoint, schema, listOptions = {}) {
      return new ResultAsync(listAll(endpoint, schema, { ...listOptions, signal: signalFor(listOptions.signal) }));
    },
    tracker,
    pageSize,
    stats: () => ({ ...stats }),
    baseUrl,
  };
  // The keys live only in the ky instance's closure; make sure nothing prints more than the base URL.
  Object.defineProperties(client, {
    toString: { value: () => `FactsClient(${baseUrl})`, enumerable: false },
    toJSON: { value: () => ({ baseUrl }), enumerable: false },
    [Symbol.for("nodejs.util.inspect.custom")]: { value: () => `FactsClient(${baseUrl})`, enumerable: false },
  });
  return client;
}

function recordIdOf(raw: unknown, idKey: string | undefined): string | null {
  if (idKey === undefined || typeof raw !== "object" || raw === null) return null;
  const value = (raw as Record<string, unknown>)[idKey];
  return typeof value === "number" || typeof value === "string" ? String(value) : null;
}

/** An `Aborted` error for a request. */
export function aborted(method: string, endpoint: string): FactsError {
  return {
    type: "Aborted",
    method,
    endpoint,
    fatal: true,
    retryable: false,
    message: `${method} ${endpoint} was cancelled.`,
  };
}

/** An `InvalidPayload` error. */
export function invalidPayload(
  method: string,
  endpoint: string,
  recordId: string | null,
  path: readonly (string | number)[],
  message: string,
  page?: number,
): FactsError {
  return {
    type: "InvalidPayload",
    method,
    endpoint,
    recordId,
    path,
    ...(page === undefined ? {} : { page }),
    fatal: false,
    retryable: false,
    message,
  };
}

function inconsistent(endpoint: string, expected: number, actual: number, message: string): FactsError {
  return { type: "Inconsistent", method: "GET", endpoint, expected, actual, fatal: false, retryable: true, message };
}
