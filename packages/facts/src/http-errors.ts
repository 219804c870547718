/**
 * How what FACTS answered becomes a {@link FactsError}, as pure functions of their inputs: a status and a
 * (capped) body, a refused redirect, a timeout, a dropped connection. The client calls these and nothing
 * else builds its errors, so every message is written here once. None of them holds a key: the body is
 * redacted before it is described, and the client redacts every error once more on its way out
 * (`redactDeep`).
 *
 * @module
 */
import { sentence } from "@rostersync/core";
import { describeErrorBody, type FactsError, permissionFor, redactDeep } from "./errors.js";

/**
 * Milliseconds a `Retry-After` asks for: delay-seconds (fractions allowed) or an HTTP date, relative to
 * `now` (epoch milliseconds); 1 s when absent or unreadable. Never negative; may be far larger than a
 * timer can hold (callers compare it with their maximum before waiting).
 *
 * @example
 * ```ts
 * parseRetryAfter("2.5", clock.now()); // 2500
 * parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("Wed, 21 Oct 2015 07:27:00 GMT")); // 60000
 * ```
 */
export function parseRetryAfter(value: string | null, now: number): number {
  if (value === null || value.trim() === "") return 1000;
  const text = value.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
    const seconds = Number(text);
    return Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : Number.MAX_SAFE_INTEGER;
  }
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : 1000;
}

/** What {@link httpError} maps: one answer outside `2xx` that was not a redirect. */
export interface HttpAnswer {
  readonly method: string;
  readonly endpoint: string;
  readonly status: number;
  /** The `Retry-After` header, `null` when absent. */
  readonly retryAfter: string | null;
  /** The body as text, already capped to `maxBodyBytes`. */
  readonly text: string;
  /** The client's key redaction (`redactWith([subscriptionKey, apiKey])`). */
  readonly redact: (text: string) => string;
  /** Epoch milliseconds the answer arrived at, for an HTTP-date `Retry-After`. */
  readonly now: number;
}

/**
 * The one place an HTTP status becomes a tagged error: `401` `Unauthorized`, `403` `Forbidden` (both naming
 * the permission the request needs), `404` `NotFound`, `429` `RateLimited` (with the wait it asked for),
 * `5xx` `ServerError` (FACTS's own words kept in `detail`, not in `message`), anything else `BadRequest`.
 * What the body said is redacted before it is cut short, so not even a prefix of a key survives.
 *
 * @example
 * ```ts
 * const e = httpError({ method: "GET", endpoint: "/People", status: 403, retryAfter: null, text: "", redact, now });
 * e.type; // "Forbidden"
 * ```
 */
export function httpError(answer: HttpAnswer): FactsError {
  const { method, endpoint, status, text, redact } = answer;
  const at = { method, endpoint };
  let data: unknown = text;
  try {
    data = text.trim() === "" ? "" : (JSON.parse(text) as unknown);
  } catch {
    // Not JSON: described as text (or as an HTML page).
  }
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
    const retryAfterMs = parseRetryAfter(answer.retryAfter, answer.now);
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

/** What {@link redirectTarget} decides from. */
export interface RedirectAnswer {
  readonly method: string;
  readonly endpoint: string;
  readonly status: number;
  /** The `Location` header, `null` when absent. */
  readonly location: string | null;
  /** The URL that was asked for (a relative `Location` is resolved against it). */
  readonly url: URL;
  /** The origin of the client's `baseUrl`: the only one the keys are sent to. */
  readonly baseOrigin: string;
  /** Redirects already followed for this request. */
  readonly hops: number;
  readonly maxRedirects: number;
}

/**
 * Where a redirect may be followed, or the `Redirected` error refusing it: a redirect to another origin
 * (the keys would go with it), one without a usable `Location`, one past `maxRedirects`, or one that would
 * turn a write into a `GET` (`301`/`302`/`303` on anything but `GET`/`HEAD`) is never followed.
 */
export function redirectTarget(answer: RedirectAnswer): URL | FactsError {
  const { method, endpoint, status, location, url, baseOrigin, hops, maxRedirects } = answer;
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
          : method !== "GET" && method !== "HEAD" && status !== 307 && status !== 308
            ? `with ${status}, which would turn this ${method} into a GET`
            : null;
  if (problem === null && target !== null) return target;
  return {
    type: "Redirected",
    method,
    endpoint,
    status,
    targetOrigin: target === null ? null : target.origin,
    hops,
    fatal: true,
    retryable: false,
    message: `${method} ${endpoint} was redirected (${status}) ${problem ?? ""}. Check baseUrl.`,
  };
}

/** A `TooLarge` error: the body passed `limitBytes` and reading stopped there. */
export function tooLarge(method: string, endpoint: string, status: number, limitBytes: number): FactsError {
  return {
    type: "TooLarge",
    method,
    endpoint,
    status,
    limitBytes,
    fatal: false,
    retryable: false,
    message: `${method} ${endpoint} answered a body larger than ${limitBytes} bytes (maxBodyBytes); reading stopped there.`,
  };
}

/** The `InvalidPayload` error of a `2xx` body that is not JSON (an HTML page, a cut-off body). */
export function notJson(method: string, endpoint: string, text: string): FactsError {
  const html = text.trimStart().startsWith("<");
  return invalidPayload(
    method,
    endpoint,
    null,
    [],
    html
      ? `${method} ${endpoint} answered an HTML page instead of JSON.`
      : `${method} ${endpoint} answered a body that is not JSON (truncated?).`,
  );
}

/**
 * The `Network` error of a connection that failed before an answer: the cause's message is kept, redacted
 * (a proxy may echo the request's headers).
 */
export function networkError(
  method: string,
  endpoint: string,
  error: unknown,
  redact: (text: string) => string,
): FactsError {
  const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause : error) : null;
  return {
    type: "Network",
    method,
    endpoint,
    fatal: false,
    retryable: true,
    message: sentence(
      `${method} ${endpoint}: the connection to FACTS failed${cause === null ? "" : `: ${redact(cause.message)}`}`,
    ),
  };
}

/**
 * A `Timeout` error: one attempt without a whole answer within `timeoutMs`, or (`wholeRead`) a paged read
 * past its overall deadline.
 */
export function timeout(method: string, endpoint: string, timeoutMs: number, wholeRead = false): FactsError {
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

/** An `Inconsistent` error of a paged read (`GET`): `expected` and `actual` are what disagreed. */
export function inconsistent(endpoint: string, expected: number, actual: number, message: string): FactsError {
  return { type: "Inconsistent", method: "GET", endpoint, expected, actual, fatal: false, retryable: true, message };
}
