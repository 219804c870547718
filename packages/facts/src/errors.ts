import { z } from "zod";

/**
 * Every error code `@rostersync/facts` returns, so that hosts can `switch` on `error.type` without typos.
 *
 * @example
 * ```ts
 * const snapshot = await source.read();
 * if (snapshot.isErr() && snapshot.error.type === factsErrorCodes.Forbidden) askForPermission(snapshot.error.permission);
 * ```
 */
export const factsErrorCodes = {
  Unauthorized: "Unauthorized",
  Forbidden: "Forbidden",
  NotFound: "NotFound",
  BadRequest: "BadRequest",
  RateLimited: "RateLimited",
  ServerError: "ServerError",
  InvalidPayload: "InvalidPayload",
  Inconsistent: "Inconsistent",
  Network: "Network",
  Timeout: "Timeout",
  Aborted: "Aborted",
  Redirected: "Redirected",
  TooLarge: "TooLarge",
  InvalidHour: "InvalidHour",
  ReadBackMissing: "ReadBackMissing",
} as const;

/**
 * The old name of {@link factsErrorCodes}.
 *
 * @deprecated Use `factsErrorCodes` (every package's codes now have their own name).
 */
export const codes = factsErrorCodes;

/** One of the {@link factsErrorCodes}. */
export type FactsErrorCode = (typeof factsErrorCodes)[keyof typeof factsErrorCodes];

/** Where a request went: method and path (never the query string's secrets: there are none, keys travel in headers). */
export interface FactsRequestInfo {
  /** HTTP method, upper case. */
  readonly method: string;
  /** The endpoint path, e.g. `/Students`. */
  readonly endpoint: string;
}

/** Fields every FACTS error carries (compatible with core's `PortError`). */
export interface FactsErrorBase extends FactsRequestInfo {
  /** A message an admin can read. Never contains a key. */
  readonly message: string;
  /** Stop the whole run (auth failures, abort). */
  readonly fatal: boolean;
  /** Trying again later may succeed. */
  readonly retryable: boolean;
  /** HTTP status, when FACTS answered. */
  readonly status?: number | undefined;
}

/** `401`: the subscription key or the school's API key was refused. */
export interface UnauthorizedError extends FactsErrorBase {
  readonly type: "Unauthorized";
  /** The permission the request needs, in FACTS's words ("People: Read"). */
  readonly permission: string;
}
/** `403`: the keys are valid but lack a permission for this endpoint. */
export interface ForbiddenError extends FactsErrorBase {
  readonly type: "Forbidden";
  /** The permission the request needs, in FACTS's words ("People: Write"). */
  readonly permission: string;
}
/** `404`: the route or the record does not exist. */
export interface NotFoundError extends FactsErrorBase {
  readonly type: "NotFound";
}
/** `400`/`409`/`422`: FACTS refused what was sent. */
export interface BadRequestError extends FactsErrorBase {
  readonly type: "BadRequest";
}
/**
 * `429` after every retry: the subscription's request budget is spent. Also returned at once, without
 * waiting, when FACTS asks for a longer wait than `retry.maxRetryAfterMs` or than the read's deadline allows:
 * reschedule the work after `retryAfterMs`.
 */
export interface RateLimitedError extends FactsErrorBase {
  readonly type: "RateLimited";
  /** How long FACTS asked to wait (`Retry-After`, seconds or an HTTP date). */
  readonly retryAfterMs: number;
}
/** `5xx` after every retry. `detail` is the first line of FACTS's detail, cut short (Sieve stack traces). */
export interface ServerError extends FactsErrorBase {
  readonly type: "ServerError";
  readonly detail: string | null;
}
/** A response that is not what FACTS documents: not JSON, wrong envelope, a record that fails its schema. */
export interface InvalidPayloadError extends FactsErrorBase {
  readonly type: "InvalidPayload";
  /** The id of the bad record, when it has one. */
  readonly recordId: string | null;
  /** Path of the bad field inside the record (or the envelope). */
  readonly path: readonly (string | number)[];
  /** The page the record came from (paged endpoints). */
  readonly page?: number | undefined;
}
/** A listing changed while it was read (row count, page count, a record seen twice): read again later. */
export interface InconsistentError extends FactsErrorBase {
  readonly type: "Inconsistent";
  readonly expected: number;
  readonly actual: number;
}
/** The connection failed or was dropped before a response arrived. */
export interface NetworkError extends FactsErrorBase {
  readonly type: "Network";
}
/**
 * No whole response (headers and body) within the per-request `timeoutMs`, or a paged read that did not
 * finish within its overall deadline (`readTimeoutMs`).
 */
export interface TimeoutError extends FactsErrorBase {
  readonly type: "Timeout";
  /** The limit that was reached. */
  readonly timeoutMs: number;
}
/**
 * FACTS answered with a redirect the client does not follow: to another origin (the keys would go with
 * it), a chain longer than `maxRedirects`, one without a `Location`, or one that would turn a write into a
 * `GET`. Nothing was sent to the target.
 */
export interface RedirectedError extends FactsErrorBase {
  readonly type: "Redirected";
  /** The origin the redirect pointed to (`https://host:port`), never its path or query; `null` when unknown. */
  readonly targetOrigin: string | null;
  /** Redirects already followed (same origin) before this one. */
  readonly hops: number;
}
/** A response body larger than `maxBodyBytes`: reading stopped there. */
export interface TooLargeError extends FactsErrorBase {
  readonly type: "TooLarge";
  /** The cap that was exceeded, in bytes. */
  readonly limitBytes: number;
}
/** The caller's `AbortSignal` fired. */
export interface AbortedError extends FactsErrorBase {
  readonly type: "Aborted";
}
/** An hour that cannot be written as given (the host id does not fit a marker, a person id is not FACTS's). */
export interface InvalidHourError extends FactsErrorBase {
  readonly type: "InvalidHour";
  readonly hourId: string;
}
/** A create was answered `201` but the record could not be read back yet; the next push reconciles it. */
export interface ReadBackMissingError extends FactsErrorBase {
  readonly type: "ReadBackMissing";
  readonly hourId: string;
}

/** Every error `@rostersync/facts` returns, tagged by `type`. */
export type FactsError =
  | UnauthorizedError
  | ForbiddenError
  | NotFoundError
  | BadRequestError
  | RateLimitedError
  | ServerError
  | InvalidPayloadError
  | InconsistentError
  | NetworkError
  | TimeoutError
  | AbortedError
  | RedirectedError
  | TooLargeError
  | InvalidHourError
  | ReadBackMissingError;

/** The three error body shapes FACTS answers with. */
export const errorBodySchema = z.union([
  z.object({
    error: z.object({
      code: z.string().nullish(),
      message: z.string().nullish(),
      target: z.string().nullish(),
      details: z.unknown().optional(),
    }),
  }),
  z.object({ statusCode: z.number(), message: z.string().nullish() }),
  z
    .object({
      type: z.string().nullish(),
      title: z.string().nullish(),
      status: z.number().nullish(),
      detail: z.string().nullish(),
    })
    .refine((b) => Boolean(b.title || b.detail || b.type), "not an RFC 7807 problem"),
]);
/** A FACTS error body in one of its three shapes. */
export type ErrorBody = z.infer<typeof errorBodySchema>;

const DETAIL_MAX = 160;

/** The first line of a text, cut to a readable length: a Sieve stack trace is never echoed whole. */
export function firstLine(text: string, max = DETAIL_MAX): string {
  const line = (text.split(/\r?\n/, 1)[0] ?? "").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** What an error body says, in one short line, or `null` when it is not one of FACTS's shapes. */
export function describeErrorBody(body: unknown): string | null {
  if (typeof body === "string") {
    const trimmed = body.trim();
    if (trimmed === "") return null;
    // An HTML error page from a proxy says nothing useful beyond its status; never echo markup.
    if (trimmed.startsWith("<")) return "an HTML page instead of JSON";
    return firstLine(trimmed);
  }
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) return null;
  const b = parsed.data;
  if ("error" in b) return firstLine([b.error.code, b.error.message].filter(Boolean).join(": "));
  if ("statusCode" in b) return b.message ? firstLine(b.message) : null;
  const parts = [b.title, b.detail ? firstLine(b.detail) : null].filter(Boolean);
  return parts.length > 0 ? firstLine(parts.join(": ")) : null;
}

/**
 * Replaces every occurrence of the given secrets in a text, whatever their length: a one-character key is
 * still a key. The marker is `[redacted]` unless that would leave a secret in the text (a key made of the
 * marker's own characters); then it is a run of one character that no secret contains, so no secret can be
 * put back together across a marker and its neighbours.
 */
export function redactWith(secrets: readonly string[]): (text: string) => string {
  const live = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  let safe = 0x2588; // █, then the next code points until one is in no secret
  while (live.some((s) => s.includes(String.fromCodePoint(safe)))) safe++;
  const fallback = String.fromCodePoint(safe).repeat(3);
  const replace = (text: string, marker: string) => {
    let out = text;
    for (const s of live) if (out.includes(s)) out = out.split(s).join(marker);
    return out;
  };
  return (text) => {
    if (!live.some((s) => text.includes(s))) return text;
    const out = replace(text, "[redacted]");
    return live.some((s) => out.includes(s)) ? replace(text, fallback) : out;
  };
}

/**
 * A copy of a value with every string in it (messages, ids, paths, `cause`s, nested objects and arrays)
 * passed through `redact`, except field names and the top-level `type` tag. Used on every error before it leaves the client, so `message`, `toJSON`,
 * `util.inspect` and any field carry no key.
 */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return redact(v);
    if (v === null || typeof v !== "object" || depth > 8) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (v instanceof Error) {
      const copy = new Error(redact(v.message));
      copy.name = redact(v.name);
      copy.stack = redact(v.stack ?? "");
      if (v.cause !== undefined) copy.cause = walk(v.cause, depth + 1);
      return copy;
    }
    const out: Record<string, unknown> = {};
    // Field names and the error's `type` are this package's own words, kept as they are so that hosts can
    // still switch on them whatever the keys look like.
    for (const [k, x] of Object.entries(v)) out[k] = k === "type" && depth === 0 ? x : walk(x, depth + 1);
    return out;
  };
  return walk(value, 0) as T;
}

/**
 * The permission FACTS asks for on an endpoint: writes need People write, reads of `/Academics/…`
 * need Academics read, every other read needs People read (FACTS.md, Transport).
 */
export function permissionFor(method: string, endpoint: string): string {
  if (method !== "GET") return "People: Write";
  if (endpoint.startsWith("/Academics")) return "Academics: Read";
  if (endpoint.startsWith("/SchoolConfigurations")) return "School Configuration: Read";
  return "People: Read";
}

/** True for the errors after which a write may or may not have been applied. */
export function outcomeUnknown(error: FactsError): boolean {
  return error.type === "Network" || error.type === "Timeout" || error.type === "ServerError";
}
