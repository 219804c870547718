import { sentence } from "@rostersync/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import pLimit from "p-limit";
import type { z } from "zod";
import { type BudgetOptions, createBudget, MAX_TIMER_MS, type RequestBudget, sleep } from "./budget.js";
import { describeErrorBody, type FactsError, permissionFor, redactDeep, redactWith } from "./errors.js";
import { checkPage, DEFAULT_MAX_PAGES, findRepeat, type PageProblem, planPages, recordKeysFor } from "./pages.js";
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
  /**
   * The longest `Retry-After` the client waits (seconds or an HTTP date). A longer one fails the request at
   * once with `RateLimited` carrying the wait, so the host can reschedule instead of holding a lock. Default
   * 5 minutes.
   */
  readonly maxRetryAfterMs?: number | undefined;
}

/** When a read must be over: an absolute time (`Date.now()` clock) and the limit it came from, for the error. */
export interface ReadDeadline {
  /** Epoch milliseconds after which the read fails with `Timeout`. */
  readonly at: number;
  /** The overall limit this deadline was made from (reported as the error's `timeoutMs`). */
  readonly timeoutMs: number;
}

/**
 * A {@link ReadDeadline} `timeoutMs` from `now`: pass the same one to every read of an operation so that
 * the whole operation, not each read, is bounded.
 */
export function readDeadline(timeoutMs: number, now: number = Date.now()): ReadDeadline {
  return { at: now + Math.max(0, timeoutMs), timeoutMs };
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
}

const DEFAULT_BASE_URL = "https://api.factsmgt.com";

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Milliseconds a `Retry-After` asks for: delay-seconds (fractions allowed) or an HTTP date, relative to
 * `now`; 1 s when absent or unreadable. Never negative; may be far larger than a timer can hold (callers
 * compare it with their maximum before waiting).
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number {
  if (value === null || value.trim() === "") return 1000;
  const text = value.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
    const seconds = Number(text);
    return Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : Number.MAX_SAFE_INTEGER;
  }
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : 1000;
}

/**
 * Reads a body up to `limit` bytes; `null` when it is larger (reading stops there). Rejects with the
 * signal's reason when it fires mid-body, so a trickling body ends with the request's deadline.
 */
async function readCapped(response: Response, limit: number, signal: AbortSignal): Promise<string | null> {
  const declared = Number(response.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const onAbort = () => {
    reader.cancel(signal.reason).catch(() => undefined);
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        return null;
      }
      chunks.push(value);
    }
    const all = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.byteLength;
    }
    return new TextDecoder().decode(all);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
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
  const baseOrigin = new URL(baseUrl).origin;
  const redact = redactWith([options.subscriptionKey, options.apiKey]);
  const budget: RequestBudget =
    options.budget !== undefined && "take" in options.budget ? options.budget : createBudget(options.budget);
  const limit = pLimit(Math.max(1, options.concurrency ?? 10));
  const retryLimit = options.retry?.limit ?? 3;
  const baseDelay = options.retry?.baseDelayMs ?? 500;
  const maxDelay = options.retry?.maxDelayMs ?? 20_000;
  const jitter = options.retry?.jitter ?? ((d: number) => d / 2 + (Math.random() * d) / 2);
  const rateLimitRetries = options.retry?.rateLimitRetries ?? 8;
  const maxRetryAfter = Math.max(0, options.retry?.maxRetryAfterMs ?? 300_000);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const readTimeoutMs = options.readTimeoutMs;
  const maxBodyBytes = Math.max(0, options.maxBodyBytes ?? 64 * 1024 * 1024);
  const maxRedirects = Math.max(0, options.maxRedirects ?? 3);
  const maxPages = Math.max(1, options.maxPages ?? DEFAULT_MAX_PAGES);
  const pageSize = Math.max(1, options.pageSize ?? 1000);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const logger = options.logger;
  const stats = { requests: 0, retries: 0, rateLimited: 0 };
  let latencyTotal = 0;
  let latencyCount = 0;

  /** Every error leaves the client through here: no string in it can hold a key. */
  const clean = (e: FactsError): FactsError => redactDeep(e, redact);

  /** The one place an HTTP status becomes a tagged error. `text` is the (capped) body. */
  const httpError = (method: string, endpoint: string, status: number, headers: Headers, text: string): FactsError => {
    const at = { method, endpoint };
    let data: unknown = text;
    try {
      data = text.trim() === "" ? "" : (JSON.parse(text) as unknown);
    } catch {
      // Not JSON: described as text (or as an HTML page).
    }
    // Redact before anything is cut short, so not even a prefix of a key survives.
    const said = describeErrorBody(redactDeep(data, redact));
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
      const retryAfterMs = parseRetryAfter(headers.get("retry-after"));
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
  };

  const signalFor = (signal: AbortSignal | undefined): AbortSignal | undefined => {
    const signals = [options.signal, signal].filter((s): s is AbortSignal => s !== undefined);
    if (signals.length === 0) return undefined;
    return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  };

  /**
   * One attempt: the request, any same-origin redirects, and the whole body, all within `attemptMs`. The
   * keys travel only to `baseUrl`'s origin: a redirect elsewhere is refused before anything is sent there.
   */
  const once = async (
    method: string,
    endpoint: string,
    request: RequestOptions,
    signal: AbortSignal | undefined,
    attemptMs: number,
    attemptTimeoutMs: number,
  ): Promise<Result<FactsResponse, FactsError>> => {
    const first = new URL(`${baseUrl}${endpoint}`);
    first.searchParams.set("api-version", "1");
    for (const [k, v] of Object.entries(request.searchParams ?? {})) first.searchParams.set(k, String(v));
    const body = request.json === undefined ? undefined : JSON.stringify(request.json);
    const headers: Record<string, string> = {
      "Ocp-Apim-Subscription-Key": options.subscriptionKey,
      "Facts-Api-Key": options.apiKey,
      accept: "application/json",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    };
    const deadline = new AbortController();
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        deadline.abort(new DOMException("The request took too long.", "TimeoutError"));
      },
      Math.min(MAX_TIMER_MS, Math.max(0, attemptMs)),
    );
    const fetchSignal = signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]);
    const started = Date.now();
    let url = first;
    let hops = 0;
    try {
      for (;;) {
        if (hops > 0) stats.requests++;
        const response = await fetchImpl(url, {
          method,
          headers,
          redirect: "manual",
          signal: fetchSignal,
          ...(body === undefined ? {} : { body }),
        });
        if (REDIRECT_STATUSES.has(response.status) || response.type === "opaqueredirect") {
          await response.body?.cancel().catch(() => undefined);
          const location = response.headers.get("location");
          let target: URL | null = null;
          try {
            target = location === null ? null : new URL(location, url);
          } catch {
            target = null;
          }
          const problem =
            target === null
              ? "to no usable Location"
              : target.origin !== baseOrigin
                ? `to another origin, ${target.origin}; the keys are never sent there`
                : hops >= maxRedirects
                  ? `more than ${maxRedirects} times (maxRedirects)`
                  : method !== "GET" && method !== "HEAD" && response.status !== 307 && response.status !== 308
                    ? `with ${response.status}, which would turn this ${method} into a GET`
                    : null;
          if (problem !== null || target === null) {
            return err({
              type: "Redirected",
              method,
              endpoint,
              status: response.status,
              targetOrigin: target === null ? null : target.origin,
              hops,
              fatal: true,
              retryable: false,
              message: `${method} ${endpoint} was redirected (${response.status}) ${problem ?? ""}. Check baseUrl.`,
            });
          }
          hops++;
          url = target;
          continue;
        }
        const text = await readCapped(response, maxBodyBytes, fetchSignal);
        latencyTotal += Date.now() - started;
        latencyCount++;
        if (text === null) {
          return err({
            type: "TooLarge",
            method,
            endpoint,
            status: response.status,
            limitBytes: maxBodyBytes,
            fatal: false,
            retryable: false,
            message: `${method} ${endpoint} answered a body larger than ${maxBodyBytes} bytes (maxBodyBytes); reading stopped there.`,
          });
        }
        if (response.status < 200 || response.status > 299) {
          return err(httpError(method, endpoint, response.status, response.headers, text));
        }
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
      }
    } catch (error) {
      if (timedOut) return err(timeout(method, endpoint, attemptTimeoutMs));
      if (signal?.aborted) return err(aborted(method, endpoint));
      const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause : error) : null;
      return err({
        type: "Network",
        method,
        endpoint,
        fatal: false,
        retryable: true,
        message: sentence(
          `${method} ${endpoint}: the connection to FACTS failed${cause === null ? "" : `: ${redact(cause.message)}`}`,
        ),
      });
    } finally {
      clearTimeout(timer);
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
    const deadline = request.deadline;
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
        try {
          const left = deadline === undefined ? Number.POSITIVE_INFINITY : deadline.at - Date.now();
          if (left <= 0) return err(timeout(method, endpoint, deadline?.timeoutMs ?? timeoutMs));
          stats.requests++;
          // The attempt ends at its own timeout or at the read's deadline, whichever comes first.
          const bounded = left < timeoutMs;
          return await once(
            method,
            endpoint,
            request,
            signal,
            bounded ? left : timeoutMs,
            bounded ? (deadline?.timeoutMs ?? timeoutMs) : timeoutMs,
          );
        } finally {
          release();
        }
      });
      if (result.isOk()) return result;
      const e = result.error;
      if (e.type === "Aborted") return result;
      if (e.type === "RateLimited") {
        stats.rateLimited++;
        const wait = e.retryAfterMs;
        const tooLong = wait > maxRetryAfter;
        const pastDeadline = deadline !== undefined && Date.now() + wait > deadline.at;
        if (tooLong || pastDeadline) {
          // Waiting would hold the caller (and any lock it holds) for too long: hand the wait back instead.
          logger?.warn?.("facts rate limited beyond what this client waits", { endpoint, retryAfterMs: wait });
          return err({
            ...e,
            message: `FACTS rate limit reached on ${method} ${endpoint}; it asked to wait ${Math.ceil(wait / 1000)} s, longer than ${
              tooLong
                ? `this client waits (${Math.ceil(maxRetryAfter / 1000)} s, retry.maxRetryAfterMs)`
                : "the read's deadline allows"
            }. Try again after that.`,
          });
        }
        // The budget is shared by everything on these keys: everyone waits, not just this request.
        budget.pause(wait);
        logger?.warn?.("facts rate limited", { endpoint, retryAfterMs: wait });
        // A 429 is refused before FACTS does anything, so even a POST may be sent again.
        if (limited++ < rateLimitRetries) continue;
        return result;
      }
      if (e.retryable && idempotent && retries < retryLimit) {
        const wait = backoff(retries);
        if (deadline !== undefined && Date.now() + wait >= deadline.at) return result;
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
    new ResultAsync(send(method.toUpperCase(), endpoint, request)).mapErr(clean);

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
    idKey: readonly string[],
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
    const keys = recordKeysFor(endpoint, listOptions.idKey);
    const progress = listOptions.progress ?? tracker();
    const own = readTimeoutMs === undefined ? undefined : readDeadline(readTimeoutMs);
    const given = listOptions.deadline;
    const deadline = own === undefined || (given !== undefined && given.at <= own.at) ? given : own;
    // Pages 2..n stop as soon as one page fails, or when the read's deadline passes.
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
            Math.min(MAX_TIMER_MS, Math.max(0, deadline.at - Date.now())),
          );
    const signal = listOptions.signal === undefined ? stop.signal : AbortSignal.any([listOptions.signal, stop.signal]);
    const overdue = () => timeout("GET", endpoint, deadline?.timeoutMs ?? 0, true);
    const fetchPage = async (page: number) => {
      const searchParams: Record<string, string | number> = { ...listOptions.query, Page: page, PageSize: size };
      if (listOptions.filters) searchParams.Filters = listOptions.filters;
      if (listOptions.sorts) searchParams.Sorts = listOptions.sorts;
      const response = await send("GET", endpoint, { searchParams, signal, deadline });
      if (response.isErr()) return err(response.error);
      return validatePage(endpoint, schema, response.value.body, page, keys);
    };
    const disagree = (problem: PageProblem) =>
      inconsistent(
        endpoint,
        problem.expected,
        problem.actual,
        `GET ${endpoint} cannot be trusted: ${problem.reason}. The listing changed while it was read or FACTS answered wrongly; nothing was kept. Read again later.`,
      );

    try {
      progress.expect(1);
      const first = await fetchPage(1);
      if (late) return err(overdue());
      if (first.isErr()) return err(first.error);
      const head = first.value.envelope;
      const planned = planPages(head, maxPages);
      if (typeof planned !== "number") return err(disagree(planned));
      const firstProblem = checkPage(head, 1, head, first.value.records.length);
      if (firstProblem !== null) return err(disagree(firstProblem));
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
            failure = disagree(problem);
            stop.abort();
            return;
          }
          progress.page(result.value.records.length);
          pages[i + 1] = result.value.records;
        }),
      );
      if (late) return err(overdue());
      const failed = failure as FactsError | null;
      if (failed !== null) return err(failed);
      if (listOptions.signal?.aborted) return err(aborted("GET", endpoint));
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
    } finally {
      if (lateTimer !== undefined) clearTimeout(lateTimer);
    }
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
          clean(
            invalidPayload(
              "GET",
              endpoint,
              null,
              path,
              `GET ${endpoint}: bad ${path.join(".") || "body"}: ${issue?.message ?? "invalid"}.`,
            ),
          ),
        );
      });
    },
    list(endpoint, schema, listOptions = {}) {
      return new ResultAsync(
        listAll(endpoint, schema, { ...listOptions, signal: signalFor(listOptions.signal) }),
      ).mapErr(clean);
    },
    tracker,
    pageSize,
    stats: () => ({ ...stats }),
    baseUrl,
  };
  // The keys live only in this closure; make sure nothing prints more than the base URL.
  Object.defineProperties(client, {
    toString: { value: () => `FactsClient(${baseUrl})`, enumerable: false },
    toJSON: { value: () => ({ baseUrl }), enumerable: false },
    [Symbol.for("nodejs.util.inspect.custom")]: { value: () => `FactsClient(${baseUrl})`, enumerable: false },
  });
  return client;
}

function recordIdOf(raw: unknown, idKey: readonly string[]): string | null {
  if (idKey.length === 0 || typeof raw !== "object" || raw === null) return null;
  const parts: string[] = [];
  for (const k of idKey) {
    const value = (raw as Record<string, unknown>)[k];
    if (typeof value !== "number" && typeof value !== "string") return null;
    parts.push(String(value));
  }
  return parts.join("/");
}

function timeout(method: string, endpoint: string, timeoutMs: number, wholeRead = false): FactsError {
  return {
    type: "Timeout",
    method,
    endpoint,
    timeoutMs,
    fatal: false,
    retryable: true,
    message: wholeRead
      ? `GET ${endpoint}: the read did not finish within its deadline of ${timeoutMs} ms (readTimeoutMs); nothing was kept.`
      : `${method} ${endpoint}: no whole answer from FACTS within ${timeoutMs} ms.`,
  };
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
