import {
  ACTION_TYPES,
  csvCell,
  type Decisions,
  type DecisionsBuilder,
  errorReportCsv,
  filterRows,
  hashJson,
  type ReviewReport,
  type RowFilter,
  type SyncProfile,
} from "@rostersync/core";
import type { ApplyResult, ProgressListener, Sync, SyncError, SyncProgress } from "@rostersync/sync";
import type { Result } from "neverthrow";
import type { z } from "zod";
import { type ApiKeyStore, appHeaders, type ReviewAppRenderer } from "./app.js";
import { errorMembers, handlerCodes, problemResponse, syncProblem } from "./problem.js";
import {
  type DecisionOp,
  decisionsBody,
  emptyBody,
  familyOverrideBody,
  hoursBody,
  keyBody,
  planRefBody,
  profileBody,
  resumeBody,
  rowFilter,
} from "./schemas.js";

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

/** What this process remembers per school between requests (a review to page, the last run's invites). */
interface SchoolState {
  review: ReviewReport | null;
  lastRun: ApplyResult | null;
}

const SAFE_METHODS = new Set(["GET", "HEAD"]);
const EXAMPLES_PER_ACTION = 5;

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...headers,
    },
  });

const csv = (body: string, filename: string): Response =>
  new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });

/** The decisions' version tag (an ETag): a save must name the version it was made on. */
export const decisionsTag = (decisions: Decisions): string => `"d-${hashJson(decisions)}"`;

/** Thrown inside `decide` when the stored decisions are not the ones the admin saw. */
class StaleDecisions extends Error {}

function applyOp(draft: DecisionsBuilder, op: DecisionOp): DecisionsBuilder {
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
function filterFromQuery(params: URLSearchParams): unknown {
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

const invitesCsv = (run: ApplyResult): string => {
  const header = ["email", "firstName", "lastName", "sourceId", "accountId", "reason"];
  const lines = [header.join(",")];
  for (const i of run.inviteCandidates) {
    lines.push(
      [i.email, i.firstName ?? "", i.lastName ?? "", i.sourceId, i.accountId, i.reason].map(csvCell).join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
};

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
  const csrfHeader = (options.csrfHeader ?? "x-rostersync").toLowerCase();
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const maxPageSize = options.maxPageSize ?? 500;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const schools = new Map<string, SchoolState>();
  const stateOf = (tenantId: string): SchoolState => {
    let state = schools.get(tenantId);
    if (state === undefined) {
      state = { review: null, lastRun: null };
      schools.set(tenantId, state);
    }
    return state;
  };

  /** The CSRF checks of a state-changing request; `null` when it passes. */
  function csrfRefusal(request: Request, url: URL): Response | null {
    if (request.headers.get(csrfHeader) === null) {
      return problemResponse(
        handlerCodes.CsrfRefused,
        `A state-changing request must carry the ${csrfHeader} header (a cross-site form cannot send it).`,
      );
    }
    const origin = request.headers.get("origin");
    if (origin !== null && origin !== url.origin && !allowedOrigins.has(origin)) {
      return problemResponse(handlerCodes.CsrfRefused, `Requests from ${origin} are not accepted here.`);
    }
    const site = request.headers.get("sec-fetch-site");
    if (
      site !== null &&
      site !== "same-origin" &&
      site !== "none" &&
      !(origin !== null && allowedOrigins.has(origin))
    ) {
      return problemResponse(handlerCodes.CsrfRefused, "Cross-site requests are not accepted here.");
    }
    return null;
  }

  async function readBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S> | Response> {
    const type = request.headers.get("content-type") ?? "";
    const text = await request.text();
    if (text.length > maxBodyBytes) {
      return problemResponse(handlerCodes.InvalidRequest, `The body is larger than ${maxBodyBytes} bytes.`, {}, 413);
    }
    let raw: unknown = {};
    if (text.trim() !== "") {
      if (!type.toLowerCase().startsWith("application/json")) {
        return problemResponse(handlerCodes.UnsupportedMediaType, "Send the body as application/json.");
      }
      try {
        raw = JSON.parse(text);
      } catch {
        return problemResponse(handlerCodes.InvalidRequest, "The body is not valid JSON.");
      }
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => ({
        path: i.path.map(String).join("."),
        message: i.message,
      }));
      return problemResponse(
        handlerCodes.InvalidRequest,
        `The request has ${problems.length} problem${problems.length === 1 ? "" : "s"}.`,
        { problems },
      );
    }
    return parsed.data;
  }

  /**
   * Answers a long step: with `Accept: text/event-stream`, `progress` events while it runs and one
   * `result` (or `error`, a problem body) event at the end; otherwise one JSON answer when it is done.
   */
  function longStep<T>(
    request: Request,
    progress: { listener: ProgressListener | null },
    work: () => PromiseLike<Result<T, SyncError>>,
    answer: (value: T) => unknown,
  ): Promise<Response> | Response {
    const wantsStream = (request.headers.get("accept") ?? "").includes("text/event-stream");
    if (!wantsStream) {
      return Promise.resolve(work()).then((r) => (r.isOk() ? json(answer(r.value)) : syncProblem(r.error)));
    }
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        let open = true;
        const send = (event: string, data: unknown) => {
          if (!open) return;
          try {
            controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
          } catch {
            open = false; // the client went away; the step itself goes on (apply is resumable anyway)
          }
        };
        progress.listener = (p: SyncProgress) => send("progress", p);
        Promise.resolve(work()).then(
          (r) => {
            if (r.isOk()) send("result", answer(r.value));
            else send("error", { code: r.error.type, detail: r.error.message, ...errorMembers(r.error) });
            progress.listener = null;
            if (open) controller.close();
          },
          (e: unknown) => {
            options.onError?.(e);
            send("error", { code: handlerCodes.Internal, detail: "The server failed; it has been logged." });
            if (open) controller.close();
          },
        );
      },
    });
    return new Response(stream, {
      status: 200,
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  }

  async function route(request: Request, url: URL, path: string): Promise<Response> {
    const method = request.method.toUpperCase();
    const progress: { listener: ProgressListener | null } = { listener: null };
    const resolved = await options.resolve(request, {
      onProgress: (p) => progress.listener?.(p),
    });
    if (resolved instanceof Response) return resolved;
    if (resolved === null || resolved === undefined) {
      return problemResponse(handlerCodes.Unauthenticated, "Sign in as an administrator of a school first.");
    }
    const { sync, actor } = resolved;
    const school = stateOf(sync.tenantId);
    const is = (m: string, p: string) => method === m && path === p;
    const reviewOrRefuse = (): ReviewReport | Response =>
      school.review ??
      problemResponse(handlerCodes.NoReview, "There is no review yet: refresh the roster first (POST /refresh).");

    if (options.app !== undefined && is("GET", "/")) {
      const page = options.app({ basePath, csrfHeader, keyEntry: options.keys !== undefined });
      return new Response(page.html, { status: 200, headers: appHeaders(page.contentSecurityPolicy) });
    }
    if (options.keys !== undefined && is("PUT", "/key")) {
      const body = await readBody(request, keyBody);
      if (body instanceof Response) return body;
      await options.keys.save({ tenantId: sync.tenantId, actor, apiKey: body.apiKey });
      return json({ saved: true });
    }
    if (is("GET", "/catalogue")) {
      const r = await sync.catalogue({ signal: request.signal });
      return r.isOk() ? json(r.value) : syncProblem(r.error);
    }
    if (is("GET", "/access")) {
      const r = await sync.checkAccess({ signal: request.signal });
      return r.isOk() ? json(r.value) : syncProblem(r.error);
    }
    if (is("GET", "/setup")) {
      const r = await sync.profile();
      return r.isOk() ? json({ profile: r.value }) : syncProblem(r.error);
    }
    if (is("PUT", "/setup")) {
      const body = await readBody(request, profileBody);
      if (body instanceof Response) return body;
      const r = await sync.setup(body as SyncProfile);
      if (r.isErr()) return syncProblem(r.error);
      school.review = null;
      return json({ profile: r.value });
    }
    if (is("POST", "/refresh")) {
      const body = await readBody(request, emptyBody);
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
      );
    }
    if (is("GET", "/review")) {
      const review = reviewOrRefuse();
      if (review instanceof Response) return review;
      const filter = rowFilter.safeParse(filterFromQuery(url.searchParams));
      if (!filter.success) {
        return problemResponse(handlerCodes.InvalidRequest, "The review filter is not valid.", {
          problems: filter.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        });
      }
      const page = Math.max(1, Number.parseInt(url.searchParams.get("page") ?? "1", 10) || 1);
      const pageSize = Math.min(
        maxPageSize,
        Math.max(1, Number.parseInt(url.searchParams.get("pageSize") ?? "50", 10) || 50),
      );
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
    }
    if (is("GET", "/decisions")) {
      const r = await sync.decisions();
      if (r.isErr()) return syncProblem(r.error);
      const tag = decisionsTag(r.value);
      return json({ decisions: r.value, decisionsTag: tag }, 200, { etag: tag });
    }
    if (is("POST", "/decisions")) {
      const ifMatch = request.headers.get("if-match");
      if (ifMatch === null) {
        return problemResponse(
          handlerCodes.PreconditionRequired,
          "Send If-Match with the decisionsTag the changes were made on, so a second admin's save is not lost.",
        );
      }
      const body = await readBody(request, decisionsBody);
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
    }
    if (is("POST", "/family-overrides")) {
      const body = await readBody(request, familyOverrideBody);
      if (body instanceof Response) return body;
      const current = await sync.profile();
      if (current.isErr()) return syncProblem(current.error);
      if (current.value === null) {
        return problemResponse("NoProfile", "This school has no setup yet: save the setup first.");
      }
      const overrides: Record<string, string> = { ...current.value.familyOverrides };
      if (body.groupId === null) delete overrides[body.familyId];
      else overrides[body.familyId] = body.groupId;
      const r = await sync.setup({ ...current.value, familyOverrides: overrides });
      if (r.isErr()) return syncProblem(r.error);
      school.review = null;
      return json({ familyOverrides: overrides });
    }
    if (is("GET", "/plan")) {
      const [plan, decisions] = await Promise.all([sync.plan(), sync.decisions()]);
      if (plan.isErr()) return syncProblem(plan.error);
      if (decisions.isErr()) return syncProblem(decisions.error);
      const p = plan.value;
      const examples: Record<string, unknown[]> = {};
      for (const type of ACTION_TYPES) examples[type] = [];
      for (const action of p.actions) {
        const list = examples[action.type];
        if (list !== undefined && list.length < EXAMPLES_PER_ACTION) list.push(action);
      }
      return json({
        planHash: p.planHash,
        counts: p.counts,
        holds: p.holds,
        acknowledged: p.holds.length > 0 && decisions.value.acknowledgedHolds.includes(p.planHash),
        askAtFirstLogin: p.askAtFirstLogin,
        examples,
      });
    }
    if (is("POST", "/acknowledge")) {
      const body = await readBody(request, planRefBody);
      if (body instanceof Response) return body;
      const plan = await sync.plan();
      if (plan.isErr()) return syncProblem(plan.error);
      if (plan.value.planHash !== body.planHash) return stalePlan(body.planHash, plan.value.planHash);
      if (plan.value.holds.length === 0) return json({ planHash: body.planHash, acknowledged: false, holds: [] });
      // Stored by the sync with who gave it, for exactly this hash: any process can apply it later, and a
      // changed plan has another hash and needs its own acknowledgement.
      const stored = await sync.acknowledge(body.planHash, { actor });
      if (stored.isErr()) return syncProblem(stored.error);
      return json({ planHash: body.planHash, acknowledged: true, holds: plan.value.holds });
    }
    if (is("POST", "/apply")) {
      const body = await readBody(request, planRefBody);
      if (body instanceof Response) return body;
      // Only the hash crosses: under its lock the sync plans again, runs its own plan and holds, and finds
      // an acknowledgement stored for this hash (StalePlan or Held otherwise).
      return longStep(
        request,
        progress,
        () =>
          sync.apply(body.planHash, { actor }).map((run) => {
            school.lastRun = run;
            school.review = null;
            return run;
          }),
        runSummary,
      );
    }
    if (is("POST", "/resume")) {
      const body = await readBody(request, resumeBody);
      if (body instanceof Response) return body;
      return longStep(
        request,
        progress,
        () =>
          sync.resume(body.runId, { actor }).map((run) => {
            school.lastRun = run;
            school.review = null;
            return run;
          }),
        runSummary,
      );
    }
    if (is("GET", "/invites.csv")) {
      if (school.lastRun === null) {
        return problemResponse(handlerCodes.NoRun, "No sync has run here yet: the invite list comes from a sync.");
      }
      return csv(invitesCsv(school.lastRun), "invites.csv");
    }
    if (is("GET", "/errors.csv")) {
      const review = reviewOrRefuse();
      if (review instanceof Response) return review;
      return csv(errorReportCsv(review), "error-report.csv");
    }
    if (is("POST", "/hours")) {
      const body = await readBody(request, hoursBody);
      if (body instanceof Response) return body;
      if (body.enabled) {
        const r = await sync.enableHoursSync({ force: body.force === true });
        return r.isOk() ? json({ hoursSync: r.value.hoursSync }) : syncProblem(r.error);
      }
      const current = await sync.profile();
      if (current.isErr()) return syncProblem(current.error);
      if (current.value === null) {
        return problemResponse("NoProfile", "This school has no setup yet: save the setup first.");
      }
      const hoursSync = { ...current.value.hoursSync, enabled: false };
      const r = await sync.setup({ ...current.value, hoursSync });
      return r.isOk() ? json({ hoursSync: r.value.hoursSync }) : syncProblem(r.error);
    }
    if (is("GET", "/audit")) {
      const limit = Number.parseInt(url.searchParams.get("limit") ?? "50", 10);
      const r = await sync.audit({ limit: Number.isFinite(limit) && limit > 0 ? Math.min(limit, 500) : 50 });
      return r.isOk() ? json({ records: r.value }) : syncProblem(r.error);
    }
    return problemResponse(handlerCodes.NotFound, `No operation ${method} ${path}.`);
  }

  return async (request) => {
    try {
      const url = new URL(request.url);
      if (basePath !== "" && url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
        return problemResponse(handlerCodes.NotFound, `No operation at ${url.pathname}.`);
      }
      const path = url.pathname.slice(basePath.length) || "/";
      if (!SAFE_METHODS.has(request.method.toUpperCase())) {
        const refused = csrfRefusal(request, url);
        if (refused !== null) return refused;
      }
      return await route(request, url, path);
    } catch (e) {
      options.onError?.(e);
      return problemResponse(handlerCodes.Internal, "The server failed; it has been logged.");
    }
  };
}

function stalePlan(sent: string, current: string): Response {
  return problemResponse(
    "StalePlan",
    "The roster, the accounts, the decisions or the setup changed since this plan was shown: review the new plan.",
    { planHash: sent, currentHash: current },
  );
}

function runSummary(run: ApplyResult) {
  return {
    runId: run.runId,
    status: run.status,
    planHash: run.planHash,
    total: run.total,
    done: run.done,
    failed: run.failed,
    counts: run.counts,
    failures: run.failures.slice(0, 100),
    invites: run.inviteCandidates.length,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}
