import type { SyncError } from "@rostersync/sync";

/** Errors the handler itself answers, besides the SDK's `SyncError` types. */
export const handlerCodes = {
  /** `resolve` refused the request (no session, or no school for this user). */
  Unauthenticated: "Unauthenticated",
  /** A state-changing request failed the CSRF checks (origin or the custom header). */
  CsrfRefused: "CsrfRefused",
  /** The body or query does not match the operation's schema. */
  InvalidRequest: "InvalidRequest",
  /** A decisions save without `If-Match`. */
  PreconditionRequired: "PreconditionRequired",
  /** A decisions save made on decisions someone else has changed since. */
  StaleDecisions: "StaleDecisions",
  /** An operation that needs a review before one was made in this process: refresh first. */
  NoReview: "NoReview",
  /** No run of this process to take the invite list from. */
  NoRun: "NoRun",
  NotFound: "NotFound",
  MethodNotAllowed: "MethodNotAllowed",
  UnsupportedMediaType: "UnsupportedMediaType",
  Internal: "Internal",
} as const;

/** One of the {@link handlerCodes}. */
export type HandlerCode = (typeof handlerCodes)[keyof typeof handlerCodes];

/** The body of every error answer (RFC 9457 `application/problem+json`). */
export interface Problem {
  /** `urn:rostersync:error:<code>`. */
  readonly type: string;
  /** The SDK error type (`StalePlan`, `InvalidInput`…) or a handler code (`CsrfRefused`…). */
  readonly code: string;
  readonly title: string;
  readonly status: number;
  /** A message for the admin. */
  readonly detail: string;
  /** Further members by code: `problems`, `holds`, `planHash`, `unseen`, `runId`… */
  readonly [extension: string]: unknown;
}

const STATUS: Readonly<Record<string, number>> = {
  Unauthenticated: 401,
  CsrfRefused: 403,
  WrongTenant: 403,
  InvalidRequest: 400,
  InvalidInput: 422,
  InvalidDecision: 422,
  NoPlan: 422,
  PreconditionRequired: 428,
  NotFound: 404,
  RunNotFound: 404,
  MethodNotAllowed: 405,
  UnsupportedMediaType: 415,
  SourceFailed: 502,
  DirectoryFailed: 502,
  StoreFailed: 502,
  HoursFailed: 502,
  Internal: 500,
};

const TITLES: Readonly<Record<string, string>> = {
  StalePlan: "The plan is out of date",
  StaleDecisions: "Someone else saved decisions since you loaded them",
  Held: "The plan is held and needs an acknowledgement",
  HistoricHoursUnseen: "FACTS holds hours the sync has never seen",
  InvalidInput: "The setup has problems",
  CsrfRefused: "Cross-site request refused",
  Unauthenticated: "Sign in first",
};

/** What of an SDK error may be shown: never `cause` (it may hold a port's internals). */
const SAFE_MEMBERS = ["problems", "holds", "planHash", "currentHash", "unseen", "runId", "expected", "actual"] as const;

/** An `application/problem+json` answer. */
export function problemResponse(
  code: string,
  detail: string,
  extensions: Readonly<Record<string, unknown>> = {},
  status = STATUS[code] ?? 409,
): Response {
  const body: Problem = {
    type: `urn:rostersync:error:${code}`,
    code,
    title: TITLES[code] ?? code,
    status,
    detail,
    ...extensions,
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/problem+json",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

/** The members of an SDK error that are safe to show, for a problem body or an SSE `error` event. */
export function errorMembers(error: SyncError): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const record = error as unknown as Record<string, unknown>;
  for (const key of SAFE_MEMBERS) if (record[key] !== undefined) out[key] = record[key];
  return out;
}

/** An SDK error as a problem answer: the status follows its `type`, the body carries `code: type`. */
export function syncProblem(error: SyncError): Response {
  return problemResponse(error.type, error.message, errorMembers(error));
}
