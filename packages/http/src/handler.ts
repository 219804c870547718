import type { ProgressListener, Sync } from "@rostersync/sync";
import type { ApiKeyStore, ReviewAppRenderer } from "./app.js";
import { handlerCodes, problemResponse } from "./problem.js";
import { csrfRefusal, type ProgressSlot, SAFE_METHODS } from "./respond.js";
import { ROUTES, type RouteSettings, type SchoolState } from "./routes/index.js";

export { decisionsTag } from "./routes/review.js";

/** What the host's `resolve` answers for an authenticated admin: their school's sync and who they are. */
export interface Resolved {
  /** The sync of the school this admin may manage (`createSync({ tenantId, … })`). */
  readonly sync: Sync;
  /** Who acts (a host user id): recorded on apply runs and their audit records. */
  readonly actor: string;
}

/** What the handler passes to `resolve`, for the host to wire into the sync it builds. */
export interface ResolveContext {
  /**
   * Pass it as `createSync({ onProgress })` to stream `refresh` and `apply` progress to this request's
   * server-sent events. A sync built once and reused still works, without progress events.
   */
  readonly onProgress: ProgressListener;
}

/** Options of {@link createRosterHandler}. */
export interface RosterHandlerOptions {
  /**
   * Authenticates a request (the host's session, cookie, token…) and answers the admin's school sync and
   * actor; `null` or `undefined` refuses it (`401`); a `Response` is sent as it is (a redirect to sign in).
   * The handler takes the school only from here, never from the URL or a body.
   */
  resolve(
    request: Request,
    context: ResolveContext,
  ): Resolved | Response | null | undefined | Promise<Resolved | Response | null | undefined>;
  /** The path the handler is mounted at, e.g. `/api/rostersync`. Default: `""`. */
  readonly basePath?: string | undefined;
  /**
   * Origins besides the request's own that may send state-changing requests (a front end on another port
   * in development, the public origin behind a proxy that rewrites `Host`). Default: none.
   */
  readonly allowedOrigins?: readonly string[] | undefined;
  /** The header every state-changing request must carry (a cross-site form cannot). Default `x-rostersync`. */
  readonly csrfHeader?: string | undefined;
  /** Largest review page. Default 500. */
  readonly maxPageSize?: number | undefined;
  /** Largest request body in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number | undefined;
  /** Called with anything thrown inside the handler (a host bug): log it; the client gets a bare `500`. */
  readonly onError?: ((error: unknown) => void) | undefined;
  /**
   * The interactive review app, served at `GET {basePath}/` with its Content-Security-Policy (pass
   * `renderReviewApp` of `@rostersync/review-page`). Without it that path is a `404`.
   */
  readonly app?: ReviewAppRenderer | undefined;
  /**
   * Lets the admin enter the school's FACTS API key in the app (`PUT {basePath}/key`); without it that path is
   * a `404` and the host sets keys its own way. The key is handed to `keys.save` only: never answered,
   * logged or kept by the handler.
   */
  readonly keys?: ApiKeyStore | undefined;
}

/** A web-standard handler: mount it in any server that speaks `Request` → `Response`. */
export type RosterHandler = (request: Request) => Promise<Response>;

/** The school's state in this process, made on first use. */
function stateOf(schools: Map<string, SchoolState>, tenantId: string): SchoolState {
  let state = schools.get(tenantId);
  if (state === undefined) {
    state = { review: null, lastRun: null };
    schools.set(tenantId, state);
  }
  return state;
}

/**
 * An authenticated request to its route: `resolve` first (a `Response` is sent as it is, none is
 * `401`), then the route table; an unknown `METHOD /path` is `404`.
 */
async function route(
  options: RosterHandlerOptions,
  settings: RouteSettings,
  schools: Map<string, SchoolState>,
  request: Request,
  url: URL,
  path: string,
): Promise<Response> {
  const method = request.method.toUpperCase();
  const progress: ProgressSlot = { listener: null };
  const onProgress: ProgressListener = (p) => progress.listener?.(p);
  const resolved = await options.resolve(request, { onProgress });
  if (resolved instanceof Response) return resolved;
  if (resolved === null || resolved === undefined) {
    return problemResponse(handlerCodes.Unauthenticated, "Sign in as an administrator of a school first.");
  }
  const { sync, actor } = resolved;
  const school = stateOf(schools, sync.tenantId);
  const handle = ROUTES.get(`${method} ${path}`);
  if (handle === undefined) return problemResponse(handlerCodes.NotFound, `No operation ${method} ${path}.`);
  return handle({ request, url, sync, actor, school, progress, settings });
}

/**
 * Creates the handler exposing a school admin's workflow over HTTP: setup catalogue, "test the key",
 * setup, refresh, review, decisions, plan, acknowledge, apply, resume, invite list and error report (CSV),
 * hours switch and audit. See the package README for every route.
 *
 * Security: the host authenticates in `resolve`; state-changing requests must come from an allowed origin
 * and carry the `x-rostersync` header (CSRF); bodies are validated with zod (strict: unknown keys are
 * refused); errors are `application/problem+json` with the SDK's error type in `code`; a decisions save
 * names the version it was made on (`If-Match`) and a stale one is `409`.
 *
 * @example
 * ```ts
 * const handler = createRosterHandler({
 *   basePath: "/api/rostersync",
 *   resolve: async (request, { onProgress }) => {
 *     const admin = await sessions.adminOf(request); // the host's own authentication
 *     if (admin === null) return null; // 401
 *     return { sync: createSync({ ...portsOf(admin.schoolId), onProgress }), actor: admin.userId };
 *   },
 * });
 * ```
 */
export function createRosterHandler(options: RosterHandlerOptions): RosterHandler {
  const basePath = (options.basePath ?? "").replace(/\/+$/, "");
  const csrf = {
    csrfHeader: (options.csrfHeader ?? "x-rostersync").toLowerCase(),
    allowedOrigins: new Set(options.allowedOrigins ?? []),
  };
  const settings: RouteSettings = {
    maxPageSize: options.maxPageSize ?? 500,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    onError: options.onError,
    basePath,
    csrfHeader: csrf.csrfHeader,
    app: options.app,
    keys: options.keys,
  };
  const schools = new Map<string, SchoolState>();

  return async (request) => {
    try {
      const url = new URL(request.url);
      if (basePath !== "" && url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
        return problemResponse(handlerCodes.NotFound, `No operation at ${url.pathname}.`);
      }
      const path = url.pathname.slice(basePath.length) || "/";
      if (!SAFE_METHODS.has(request.method.toUpperCase())) {
        const refused = csrfRefusal(request, url, csrf);
        if (refused !== null) return refused;
      }
      return await route(options, settings, schools, request, url, path);
    } catch (e) {
      options.onError?.(e);
      return problemResponse(handlerCodes.Internal, "The server failed; it has been logged.");
    }
  };
}
