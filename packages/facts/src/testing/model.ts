import { type SeededRandom, seededRandom } from "@rostersync/core/testing";
import {
  createFaultSchedule,
  type FactsFault,
  type FactsFaultType,
  type FaultRule,
  type FaultSchedule,
  htmlErrorPage,
  stackTrace,
  withoutField,
  withWrongType,
} from "./faults.js";
import type { FactsTables, GeneratedFactsSchool } from "./generator.js";
import { createRateLimiter, FACTS_RATE_LIMIT, type RateLimiter, type RateLimitOptions } from "./rate-limit.js";
import { applySorts, compileFilters, type FactsRow, SieveFailure } from "./sieve.js";

type Row = FactsRow;

/** The two keys FACTS checks on every request. */
export interface FactsKeys {
  /** `Ocp-Apim-Subscription-Key`. */
  readonly subscriptionKey: string;
  /** `Facts-Api-Key`. */
  readonly apiKey: string;
}

/** Endpoints a key may be refused (`403`): `"People: Write"` (a FACTS permission), `"POST /Students/ServiceHours"`, `"/Students"`, or a matcher. */
export type DeniedEndpoint =
  | string
  | { readonly method?: string | undefined; readonly endpoint: string | RegExp; readonly permission?: undefined }
  | { readonly permission: string };

/**
 * A service-hours record the simulator stores (`StudentServiceHoursModel`), with the kind of person it
 * belongs to and, for parents, the `yearId` FACTS keeps (answers never show it: only the parents' PUT
 * body, `ServiceHoursModel`, has one).
 */
export interface SimServiceHour {
  readonly serviceHoursId: number;
  readonly personId: number;
  readonly description: string | null;
  readonly hours: number;
  /** `date-time`, e.g. `2025-10-01T00:00:00`. */
  readonly date: string;
  readonly note: string | null;
  readonly verifiedBy?: string | null | undefined;
  /** The FACTS user id that created the record (an integer). */
  readonly createdBy?: number | null | undefined;
  readonly yearId?: number | null | undefined;
  readonly role: "student" | "parent";
}

/**
 * A `StudentAttendance` record the simulator stores, flat; answers serve it as `StudentAttendanceDto`
 * (`studentReference.studentId`, `classReference.classId`).
 */
export interface SimAttendance {
  readonly attendanceId: number;
  readonly studentId: number;
  readonly classId: number;
  /** `date-time`, e.g. `2025-10-01T00:00:00`. */
  readonly attendanceDate: string;
  /** The attendance column: an integer in FACTS. */
  readonly column: number;
  readonly attendanceCode: string | null;
  readonly attendanceEventReason: string | null;
  readonly setByAdmin: boolean;
  readonly updated: boolean;
  readonly notified: boolean | null;
  readonly lastCode: string | null;
}

/** The user id the simulator puts in `createdBy` of the records it creates. */
export const SIM_API_USER_ID = 9001;

/** Options of {@link createFactsSimulator}. */
export interface FactsSimulatorOptions {
  /** The roster served: a generated school, or tables by endpoint path. */
  readonly school: GeneratedFactsSchool | Partial<FactsTables> | Readonly<Record<string, readonly FactsRow[]>>;
  /** The keys accepted; any other (or a missing one) is a `401`. Default: any non-empty keys. */
  readonly keys?: FactsKeys | undefined;
  /** Rolling-window rate limit (`429` + `Retry-After`). Default FACTS's: 100 / 60 s and 10 / s. `false`: none. */
  readonly rateLimit?: RateLimitOptions | false | undefined;
  /** Endpoints the key lacks permission for (`403`, RFC 7807 body). */
  readonly permissions?: { readonly deny?: readonly DeniedEndpoint[] | undefined } | undefined;
  /** Scripted faults (see {@link FaultRule}). More can be added with `sim.faults.add`. */
  readonly faults?: readonly FaultRule[] | undefined;
  /** Latency of every answer: a fixed number of ms or a `[min, max]` range (seeded). Default 0. */
  readonly latencyMs?: number | readonly [number, number] | undefined;
  /** Seed of latency ranges and fault probabilities. Default 1. */
  readonly seed?: number | undefined;
  /** Rows per page when `PageSize` is not given. Default 50. */
  readonly defaultPageSize?: number | undefined;
  /** The largest `PageSize` honoured; larger asks get this many. Default 1000. */
  readonly maxPageSize?: number | undefined;
  /**
   * Which id student service hours carry in `personId` (unverified in FACTS's documents): `studentId`
   * (default) or `personStudentId`. A POST for another id is refused with `400`.
   */
  readonly studentHoursPersonId?: "studentId" | "personStudentId" | undefined;
  /** A written record shows in reads only this many ms after it was written (FACTS can lag). Default 0. */
  readonly writeVisibleAfterMs?: number | undefined;
  /** Service-hours records there before any write (historic hours). `serviceHoursId`s are kept. */
  readonly serviceHours?: readonly SimServiceHour[] | undefined;
  /** Requests must carry `api-version=1` (a `400` otherwise). Default true. */
  readonly requireApiVersion?: boolean | undefined;
  /** Requests kept in `sim.log()` (the oldest are forgotten). Default 100,000. */
  readonly logLimit?: number | undefined;
}

/** Counters of a simulator since it was made (or `resetStats`). */
export interface FactsSimulatorStats {
  /** Every request received, refused ones included. */
  readonly requests: number;
  /** Requests by route, e.g. `"/Students"`, `"/Students/ServiceHours/{id}"` (any method). */
  readonly byEndpoint: Readonly<Record<string, number>>;
  /** Requests by method and route, e.g. `"POST /Students/ServiceHours"`. */
  readonly byRoute: Readonly<Record<string, number>>;
  /** `429`s the rate limit sent (injected `rateLimit` faults are counted in `faults`). */
  readonly rateLimited: number;
  /** Of those, how many each window refused (per entry of `windows`; a request may be refused by several). */
  readonly rateLimitedBy: readonly number[];
  /** The rate-limit windows requests were measured against (FACTS's when limiting is off). */
  readonly windows: readonly { readonly requests: number; readonly windowMs: number }[];
  /** The most admitted requests seen in any rolling window, per entry of `windows`. */
  readonly maxPerWindow: readonly number[];
  /** `401`s sent. */
  readonly unauthorized: number;
  /** `403`s sent. */
  readonly forbidden: number;
  /** Injected faults fired, by type. */
  readonly faults: Readonly<Partial<Record<FactsFaultType, number>>>;
  /**
   * Service-hours records created / updated, and attendance records posted. `deleted` stays 0: FACTS has
   * no DELETE (a DELETE gets the unknown-route `404`); it is kept for compatibility.
   */
  readonly writes: {
    readonly created: number;
    readonly updated: number;
    readonly deleted: number;
    readonly attendancePosted: number;
  };
}

/** One logged request. */
export interface SimLogEntry {
  /** Arrival, ms since the epoch. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly route: string;
  readonly query: Readonly<Record<string, string>>;
  /** The status answered, or how the request ended without one. */
  readonly outcome: number | "dropped" | "no answer";
  readonly faults: readonly FactsFaultType[];
}

/** A request, as the HTTP server and the msw handlers hand it to the model. */
export interface SimRequest {
  readonly method: string;
  /** The path below the simulator's base (e.g. `/Students`) and the query string. */
  readonly pathAndQuery: string;
  /** The base the client used (e.g. `http://127.0.0.1:4711`), for `nextPage` links. */
  readonly origin: string;
  /** A request header (case-insensitive), or null. */
  header(name: string): string | null;
  /** The body as text (`""` when there is none). */
  readonly body: string;
  /** When the request arrived (ms since the epoch), before its body was read. Default: now. */
  readonly receivedAt?: number | undefined;
}

/** What the model answers: a response, a dropped connection, or nothing at all. */
export type SimReply =
  | {
      readonly type: "response";
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
    }
  | { readonly type: "drop" }
  | { readonly type: "hang" };

/**
 * An in-memory FACTS: the roster endpoints, service hours, student attendance, paging, Sieve filters, a
 * rolling-window rate limit, key checks, permissions and scripted faults. Serve it with
 * `startFactsServer` (real HTTP) or `factsHandlers` (msw); both go through {@link FactsSimulator.handle}.
 */
export interface FactsSimulator {
  /** Answers one request. */
  handle(request: SimRequest): Promise<SimReply>;
  /** Replaces the roster (tables), keeping service hours and attendance written so far. */
  load(school: FactsSimulatorOptions["school"]): void;
  /** The rows of one endpoint as served now. */
  table(endpoint: string): readonly FactsRow[];
  /** Replaces the rows of one endpoint (to change data between reads). */
  setTable(endpoint: string, rows: readonly FactsRow[]): void;
  /** Counters. */
  stats(): FactsSimulatorStats;
  /** Zeroes the counters and the rate-limit windows. */
  resetStats(): void;
  /** Requests received, oldest first (up to `logLimit`). */
  log(): readonly SimLogEntry[];
  /** Service-hours records stored, students' then parents', by id. */
  serviceHours(): readonly SimServiceHour[];
  /** Attendance records posted, by id. */
  attendance(): readonly SimAttendance[];
  /** The fault script: add rules while running, or clear them. */
  readonly faults: Pick<FaultSchedule, "add" | "clear">;
}

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
const HOURS = /^\/(students|parents)\/servicehours(?:\/([^/]+))?$/;
const ATTENDANCE = /^\/people\/studentattendance(?:\/([^/]+))?$/;
const TEXT_MAX = 255;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  body,
  headers,
});

interface Reply {
  readonly status: number;
  /** `undefined`: no body. */
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
  /** Applied after the answer is built (a `shrink` fault). */
  readonly after?: (() => void) | undefined;
}

const notFoundRoute = () => json(404, { statusCode: 404, message: "Resource not found" });
const problem = (status: number, title: string, detail: string) =>
  json(status, {
    type: `https://tools.ietf.org/html/rfc7231#section-${status === 403 ? "6.5.3" : "6.6.1"}`,
    title,
    status,
    detail,
    traceId: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
  });
const badRequest = (problems: readonly { target: string; message: string }[]) =>
  json(400, {
    error: {
      code: "BadArgument",
      message: problems.map((p) => p.message).join(" "),
      target: problems[0]?.target ?? null,
      details: problems.map((p) => ({ code: "BadArgument", message: p.message, target: p.target })),
    },
  });

/** The route of a path: trailing ids become `{id}`. */
function routeOf(path: string): string {
  return path.replace(/\/(\d+)$/, "/{id}");
}

/** The FACTS permission a request needs (FACTS.md, Transport). */
function permissionOf(method: string, path: string): string {
  if (method !== "GET") return "People: Write";
  const p = path.toLowerCase();
  if (p.startsWith("/academics")) return "Academics: Read";
  if (p.startsWith("/schoolconfigurations")) return "School Configuration: Read";
  return "People: Read";
}

/** A Swagger `date-time`: a date and a time, with or without an offset (FACTS answers without one). */
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?$/;

/**
 * Creates a FACTS simulator over a school.
 *
 * @example
 * ```ts
 * const sim = createFactsSimulator({ school: generateSchool({ seed: 7 }), keys: { subscriptionKey: "sub", apiKey: "key" } });
 * const server = await startFactsServer(sim);
 * const client = createFactsClient({ subscriptionKey: "sub", apiKey: "key", baseUrl: server.url });
 * ```
 */
export function createFactsSimulator(options: FactsSimulatorOptions): FactsSimulator {
  const seed = options.seed ?? 1;
  const random: SeededRandom = seededRandom(seed);
  const limiter: RateLimiter = createRateLimiter(
    options.rateLimit === false ? [] : (options.rateLimit?.windows ?? FACTS_RATE_LIMIT),
  );
  const schedule = createFaultSchedule(options.faults ?? [], seed + 1);
  const defaultPageSize = Math.max(1, options.defaultPageSize ?? 50);
  const maxPageSize = Math.max(1, options.maxPageSize ?? 1000);
  const studentHoursId = options.studentHoursPersonId ?? "studentId";
  const visibleAfter = Math.max(0, options.writeVisibleAfterMs ?? 0);
  const requireApiVersion = options.requireApiVersion ?? true;
  const logLimit = Math.max(0, options.logLimit ?? 100_000);
  const deny = options.permissions?.deny ?? [];

  let tables = new Map<string, Row[]>();
  let studentIds = new Set<number>();
  let personStudentIds = new Set<number>();
  let parentIds = new Set<number>();
  let defaultYearId: number | null = null;

  const hours = new Map<number, { record: SimServiceHour; visibleAt: number }>();
  let nextHoursId = 5001;
  for (const h of options.serviceHours ?? []) {
    hours.set(h.serviceHoursId, { record: h, visibleAt: 0 });
    nextHoursId = Math.max(nextHoursId, h.serviceHoursId + 1);
  }
  const attendance = new Map<number, { record: SimAttendance; visibleAt: number }>();
  let nextAttendanceId = 900_001;

  let counters = {
    requests: 0,
    rateLimited: 0,
    unauthorized: 0,
    forbidden: 0,
    created: 0,
    updated: 0,
    deleted: 0,
    attendancePosted: 0,
    byEndpoint: {} as Record<string, number>,
    byRoute: {} as Record<string, number>,
  };
  let requestLog: SimLogEntry[] = [];
  let refusedBy = limiter.windows.map(() => 0);

  const load = (school: FactsSimulatorOptions["school"]) => {
    const source = ("tables" in school && "model" in school ? school.tables : school) as Readonly<
      Record<string, readonly Row[]>
    >;
    tables = new Map();
    for (const [endpoint, rows] of Object.entries(source)) tables.set(endpoint.toLowerCase(), [...rows]);
    studentIds = new Set();
    personStudentIds = new Set();
    for (const s of tables.get("/students") ?? []) {
      studentIds.add(s.studentId as number);
      personStudentIds.add(s.personStudentId as number);
    }
    parentIds = new Set((tables.get("/people/parentstudent") ?? []).map((l) => l.parentID as number));
    const schools = tables.get("/schoolconfigurations") ?? [];
    defaultYearId =
      ((schools.find((s) => s.active === true) ?? schools[0])?.defaultYearId as number | undefined) ?? null;
  };
  load(options.school);

  const isDenied = (method: string, path: string): boolean => {
    const route = routeOf(path);
    return deny.some((d) => {
      if (typeof d === "string") {
        if (d.includes(":")) return d.toLowerCase() === permissionOf(method, path).toLowerCase();
        const [m, e] = d.includes(" ") ? (d.split(" ", 2) as [string, string]) : [undefined, d];
        return (m === undefined || m.toUpperCase() === method) && (e === path || e === route);
      }
      if (d.permission !== undefined) return d.permission.toLowerCase() === permissionOf(method, path).toLowerCase();
      if (d.method !== undefined && d.method.toUpperCase() !== method) return false;
      if (typeof d.endpoint === "string") return d.endpoint === path || d.endpoint === route;
      d.endpoint.lastIndex = 0;
      return d.endpoint.test(path);
    });
  };

  const param = (query: URLSearchParams, name: string): string | null => {
    const direct = query.get(name);
    if (direct !== null) return direct;
    const lower = name.toLowerCase();
    for (const [k, v] of query) if (k.toLowerCase() === lower) return v;
    return null;
  };

  /** One page of rows with FACTS's envelope. */
  const page = (
    rows: readonly Row[],
    path: string,
    query: URLSearchParams,
    origin: string,
    present: (row: Row) => Row = (row) => row,
  ): Reply => {
    const filters = param(query, "Filters");
    const sorts = param(query, "Sorts");
    const rawPage = param(query, "Page");
    const rawSize = param(query, "PageSize");
    const problems: { target: string; message: string }[] = [];
    const pageNo = rawPage === null ? 1 : Number(rawPage);
    const askedSize = rawSize === null ? defaultPageSize : Number(rawSize);
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
    const size = Math.min(askedSize, maxPageSize);
    const rowCount = selected.length;
    const pageCount = Math.ceil(rowCount / size);
    let nextPage = "";
    if (pageNo < pageCount) {
      const next = new URLSearchParams();
      if (filters) next.set("Filters", filters);
      if (sorts) next.set("Sorts", sorts);
      next.set("Page", String(pageNo + 1));
      next.set("PageSize", String(size));
      next.set("api-version", "1");
      nextPage = `${origin}${path}?${next.toString()}`;
    }
    return json(200, {
      results: selected.slice((pageNo - 1) * size, pageNo * size).map(present),
      currentPage: pageNo,
      pageCount,
      pageSize: size,
      rowCount,
      nextPage,
    });
  };

  const visible = <T>(store: Map<number, { record: T; visibleAt: number }>, now: number): T[] => {
    const out: T[] = [];
    for (const { record, visibleAt } of store.values()) if (visibleAt <= now) out.push(record);
    return out;
  };

  /** A stored hour as FACTS answers it: `StudentServiceHoursModel` (no `role`, no `yearId`). */
  const publicHour = (h: SimServiceHour): Row => {
    const { role: _role, yearId: _year, ...rest } = h;
    return rest;
  };

  /**
   * Every problem of a service-hours body (`StudentServiceHoursModel`; the parents' PUT takes
   * `ServiceHoursModel`, which adds `yearId`) at once. `serviceHoursId` is required by the definition.
   */
  const checkHour = (role: "student" | "parent", body: unknown, withYear: boolean) => {
    const problems: { target: string; message: string }[] = [];
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return { problems: [{ target: "body", message: "The body must be a JSON object." }], value: null };
    }
    const b = body as Row;
    if (typeof b.serviceHoursId !== "number" || !Number.isInteger(b.serviceHoursId))
      problems.push({ target: "serviceHoursId", message: "serviceHoursId is required (an integer)." });
    const personId = b.personId;
    if (typeof personId !== "number" || !Number.isInteger(personId)) {
      problems.push({ target: "personId", message: "personId must be an integer." });
    } else if (role === "student" && !(studentHoursId === "studentId" ? studentIds : personStudentIds).has(personId)) {
      problems.push({ target: "personId", message: `No student has ${studentHoursId} ${personId}.` });
    } else if (role === "parent" && !parentIds.has(personId)) {
      problems.push({ target: "personId", message: `No parent has personId ${personId}.` });
    }
    if (typeof b.description !== "string" || b.description.trim() === "")
      problems.push({ target: "description", message: "description is required." });
    else if (b.description.length > TEXT_MAX)
      problems.push({ target: "description", message: `description is longer than ${TEXT_MAX} characters.` });
    if (typeof b.hours !== "number" || !Number.isFinite(b.hours))
      problems.push({ target: "hours", message: "hours must be a number." });
    const date = typeof b.date === "string" ? DATE_TIME.exec(b.date) : null;
    if (date === null) problems.push({ target: "date", message: "date must be a date-time (YYYY-MM-DDThh:mm:ss)." });
    for (const key of ["note", "verifiedBy"] as const) {
      const v = b[key];
      if (v !== undefined && v !== null && typeof v !== "string")
        problems.push({ target: key, message: `${key} must be text.` });
      else if (typeof v === "string" && v.length > TEXT_MAX)
        problems.push({ target: key, message: `${key} is longer than ${TEXT_MAX} characters.` });
    }
    if (b.createdBy !== undefined && b.createdBy !== null && !Number.isInteger(b.createdBy))
      problems.push({ target: "createdBy", message: "createdBy must be an integer." });
    if (withYear && b.yearId !== undefined && b.yearId !== null && !Number.isInteger(b.yearId))
      problems.push({ target: "yearId", message: "yearId must be an integer." });
    if (problems.length > 0) return { problems, value: null };
    return {
      problems,
      value: {
        personId: personId as number,
        description: b.description as string,
        hours: b.hours as number,
        date: `${(date as RegExpExecArray)[1]}T00:00:00`,
        note: (b.note as string | null | undefined) ?? null,
        verifiedBy: (b.verifiedBy as string | null | undefined) ?? null,
      },
    };
  };

  const parseBody = (text: string): { ok: true; value: unknown } | { ok: false } => {
    if (text.trim() === "") return { ok: true, value: undefined };
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      return { ok: false };
    }
  };

  /**
   * A JSON Patch document (`Operation[]`: `op`, `path`, `value`) applied to a record: `replace` / `add` of
   * the listed top-level fields. Anything else (an object body, another op, another path) is `null`.
   */
  const applyPatch = (current: Row, body: unknown, editable: ReadonlySet<string>): Row | null => {
    if (!Array.isArray(body)) return null;
    const next = { ...current };
    for (const op of body as unknown[]) {
      if (op === null || typeof op !== "object") return null;
      const o = op as Row;
      if ((o.op !== "replace" && o.op !== "add") || typeof o.path !== "string") return null;
      const field = o.path.replace(/^\//, "");
      const key = [...editable].find((k) => k.toLowerCase() === field.toLowerCase());
      if (key === undefined) return null;
      next[key] = o.value;
    }
    return next;
  };

  const notFoundRecord = (what: string, id: string, target: string) =>
    json(404, { error: { code: "NotFound", message: `${what} ${id} was not found.`, target, details: null } });

  const HOUR_EDITABLE: ReadonlySet<string> = new Set([
    "personId",
    "description",
    "hours",
    "date",
    "note",
    "verifiedBy",
  ]);

  const serviceHoursRoute = (
    method: string,
    role: "student" | "parent",
    id: string | undefined,
    body: unknown,
    query: URLSearchParams,
    path: string,
    origin: string,
    now: number,
  ): Reply => {
    if (id === undefined) {
      if (method === "GET") {
        const rows = visible(hours, now)
          .filter((h) => h.role === role)
          .sort((a, b) => a.serviceHoursId - b.serviceHoursId)
          .map(publicHour);
        return page(rows, path, query, origin);
      }
      if (method === "POST") {
        // The body is a StudentServiceHoursModel for both roles: no yearId (FACTS picks the year).
        const checked = checkHour(role, body, false);
        if (checked.value === null) return badRequest(checked.problems);
        const record: SimServiceHour = {
          serviceHoursId: nextHoursId++,
          ...checked.value,
          createdBy: SIM_API_USER_ID,
          ...(role === "parent" ? { yearId: defaultYearId } : {}),
          role,
        };
        hours.set(record.serviceHoursId, { record, visibleAt: now + visibleAfter });
        counters.created++;
        // FACTS answers a create with 201 and no body: the id is found by reading back.
        return { status: 201, body: undefined, headers: {} };
      }
      return notFoundRoute();
    }
    if (method !== "GET" && method !== "PUT" && method !== "PATCH") return notFoundRoute();
    const n = Number(id);
    const found = Number.isInteger(n) ? hours.get(n) : undefined;
    if (found === undefined || found.record.role !== role)
      return notFoundRecord("Service hours record", id, "serviceHoursId");
    if (method === "GET") return json(200, publicHour(found.record));
    const merged =
      method === "PUT" ? body : applyPatch({ ...publicHour(found.record), serviceHoursId: n }, body, HOUR_EDITABLE);
    if (merged === null)
      return badRequest([{ target: "body", message: "The body must be a JSON Patch array of replace operations." }]);
    // The parents' PUT takes ServiceHoursModel (with yearId); everything else StudentServiceHoursModel.
    const withYear = method === "PUT" && role === "parent";
    const checked = checkHour(role, merged, withYear);
    if (checked.value === null) return badRequest(checked.problems);
    const m = merged as Row;
    if (m.serviceHoursId !== n)
      return badRequest([{ target: "serviceHoursId", message: "serviceHoursId does not match the path." }]);
    // A PUT sets every field of its model: a parents' PUT without yearId sets it to 0, as .NET would.
    const yearId = withYear ? ((m.yearId as number | null | undefined) ?? 0) : found.record.yearId;
    const record: SimServiceHour = {
      serviceHoursId: n,
      ...checked.value,
      createdBy: found.record.createdBy ?? SIM_API_USER_ID,
      ...(role === "parent" ? { yearId: yearId ?? null } : {}),
      role,
    };
    hours.set(n, { record, visibleAt: found.visibleAt });
    counters.updated++;
    // The parents' PUT answers ServiceHoursModel (with yearId); the others StudentServiceHoursModel.
    return json(200, withYear ? { ...publicHour(record), yearId: record.yearId ?? null } : publicHour(record));
  };

  /** A stored attendance record as FACTS answers it: `StudentAttendanceDto`. */
  const attendanceDto = (a: SimAttendance): Row => ({
    attendanceId: a.attendanceId,
    studentReference: { studentId: a.studentId },
    classReference: { classId: a.classId },
    attendanceCode: a.attendanceCode,
    attendanceDate: a.attendanceDate,
    attendanceEventReason: a.attendanceEventReason,
    column: a.column,
    setByAdmin: a.setByAdmin,
    lastCode: a.lastCode,
    updated: a.updated,
    notified: a.notified,
    _lastModifiedBy: SIM_API_USER_ID,
    _lastModifiedDate: "2025-01-01T00:00:00",
  });

  /** Checks the editable fields of an attendance body (`UpdateStudentAttendanceDto`), every problem at once. */
  const checkAttendanceFlags = (b: Row, problems: { target: string; message: string }[]) => {
    for (const key of ["setByAdmin", "updated"] as const)
      if (typeof b[key] !== "boolean") problems.push({ target: key, message: `${key} is required (true or false).` });
    if (b.notified !== undefined && b.notified !== null && typeof b.notified !== "boolean")
      problems.push({ target: "notified", message: "notified must be true or false." });
    for (const key of ["attendanceCode", "attendanceEventReason", "lastCode"] as const) {
      const v = b[key];
      if (v !== undefined && v !== null && typeof v !== "string")
        problems.push({ target: key, message: `${key} must be text.` });
      else if (typeof v === "string" && v.length > TEXT_MAX)
        problems.push({ target: key, message: `${key} is longer than ${TEXT_MAX} characters.` });
    }
  };
  const flagsOf = (b: Row) => ({
    attendanceCode: (b.attendanceCode as string | null | undefined) ?? null,
    attendanceEventReason: (b.attendanceEventReason as string | null | undefined) ?? null,
    setByAdmin: b.setByAdmin as boolean,
    updated: b.updated as boolean,
    notified: (b.notified as boolean | null | undefined) ?? null,
    lastCode: (b.lastCode as string | null | undefined) ?? null,
  });

  /** A `CreateStudentAttendanceDto`: flat `studentId`, `classId`, a date-time, an integer `column`, the flags. */
  const checkAttendance = (body: unknown) => {
    const problems: { target: string; message: string }[] = [];
    if (body === null || typeof body !== "object" || Array.isArray(body))
      return { problems: [{ target: "body", message: "The body must be a JSON object." }], value: null };
    const b = body as Row;
    if (typeof b.studentId !== "number" || !studentIds.has(b.studentId))
      problems.push({ target: "studentId", message: `No student has studentId ${String(b.studentId)}.` });
    if (typeof b.classId !== "number" || !Number.isInteger(b.classId))
      problems.push({ target: "classId", message: "classId is required (an integer)." });
    const date = typeof b.attendanceDate === "string" ? DATE_TIME.exec(b.attendanceDate) : null;
    if (date === null)
      problems.push({ target: "attendanceDate", message: "attendanceDate must be a date-time (YYYY-MM-DDThh:mm:ss)." });
    if (typeof b.column !== "number" || !Number.isInteger(b.column))
      problems.push({ target: "column", message: "column is required (an integer)." });
    checkAttendanceFlags(b, problems);
    if (problems.length > 0) return { problems, value: null };
    return {
      problems,
      value: {
        studentId: b.studentId as number,
        classId: b.classId as number,
        attendanceDate: `${(date as RegExpExecArray)[1]}T00:00:00`,
        column: b.column as number,
        ...flagsOf(b),
      },
    };
  };

  const ATTENDANCE_EDITABLE: ReadonlySet<string> = new Set([
    "attendanceCode",
    "attendanceEventReason",
    "setByAdmin",
    "lastCode",
    "updated",
    "notified",
  ]);
  /** Filter names on attendance: the flat ids FACTS's Sieve maps onto the nested references. */
  const ATTENDANCE_FILTERS = (a: SimAttendance): Row => ({
    ...attendanceDto(a),
    studentId: a.studentId,
    classId: a.classId,
  });

  const attendanceRoute = (
    method: string,
    id: string | undefined,
    body: unknown,
    query: URLSearchParams,
    path: string,
    origin: string,
    now: number,
  ): Reply => {
    if (id === undefined) {
      if (method === "GET") {
        const rows = visible(attendance, now)
          .sort((a, b) => a.attendanceId - b.attendanceId)
          .map(ATTENDANCE_FILTERS);
        return page(rows, path, query, origin, (r) => {
          const { studentId: _s, classId: _c, ...dto } = r;
          return dto;
        });
      }
      if (method === "POST") {
        const checked = checkAttendance(body);
        if (checked.value === null) return badRequest(checked.problems);
        const record: SimAttendance = { attendanceId: nextAttendanceId++, ...checked.value };
        attendance.set(record.attendanceId, { record, visibleAt: now + visibleAfter });
        counters.attendancePosted++;
        // FACTS answers a create with 200 and the record.
        return json(200, attendanceDto(record));
      }
      return notFoundRoute();
    }
    if (method !== "PUT" && method !== "PATCH") return notFoundRoute();
    const n = Number(id);
    const found = Number.isInteger(n) ? attendance.get(n) : undefined;
    if (found === undefined) return notFoundRecord("Attendance record", id, "attendanceId");
    let merged: Row | null;
    if (method === "PUT") {
      // UpdateStudentAttendanceDto: only the code, the reason and the flags; ids, date and column stay.
      if (body === null || typeof body !== "object" || Array.isArray(body))
        return badRequest([{ target: "body", message: "The body must be a JSON object." }]);
      merged = body as Row;
    } else {
      merged = applyPatch(attendanceDto(found.record), body, ATTENDANCE_EDITABLE);
      if (merged === null)
        return badRequest([{ target: "body", message: "The body must be a JSON Patch array on editable fields." }]);
    }
    const problems: { target: string; message: string }[] = [];
    checkAttendanceFlags(merged, problems);
    if (problems.length > 0) return badRequest(problems);
    const record: SimAttendance = { ...found.record, ...flagsOf(merged) };
    attendance.set(n, { record, visibleAt: found.visibleAt });
    return json(200, attendanceDto(record));
  };

  /**
   * `/UserDefinedGroups?type=`: the definition says only "the type of UserDefinedGroup" (a string,
   * default `"0"`) and offers no Sieve filter on `groupType`. The simulator reads it as the group type to
   * list (`STUDENT`, `PARENT`, …, case-insensitive) and, pessimistically, the default `0` as STUDENT
   * groups only, so that a client relying on the default misses parent and family groups in tests.
   */
  const udfGroupsOfType = (rows: readonly Row[], query: URLSearchParams): Row[] => {
    const type = (param(query, "type") ?? "0").trim().toUpperCase();
    const wanted = type === "0" ? "STUDENT" : type;
    return rows.filter((g) => String(g.groupType ?? "").toUpperCase() === wanted);
  };

  const answer = (
    method: string,
    path: string,
    query: URLSearchParams,
    bodyText: string,
    origin: string,
    now: number,
  ): Reply => {
    const lower = path.toLowerCase();
    const parsed = parseBody(bodyText);
    if (!parsed.ok) return badRequest([{ target: "body", message: "The body is not valid JSON." }]);
    const h = HOURS.exec(lower);
    if (h !== null)
      return serviceHoursRoute(
        method,
        h[1] === "students" ? "student" : "parent",
        h[2],
        parsed.value,
        query,
        path,
        origin,
        now,
      );
    const a = ATTENDANCE.exec(lower);
    if (a !== null) return attendanceRoute(method, a[1], parsed.value, query, path, origin, now);
    // Every route below is read-only here: any other method is a route FACTS does not have.
    if (method !== "GET") return notFoundRoute();
    if (lower === "/students/status") return json(200, tables.get(lower) ?? []);
    const rows = tables.get(lower);
    if (rows === undefined) return notFoundRoute();
    if (lower === "/userdefinedgroups") return page(udfGroupsOfType(rows, query), path, query, origin);
    return page(rows, path, query, origin);
  };

  const body = (reply: Reply): string => (reply.body === undefined ? "" : JSON.stringify(reply.body));
  const respond = (reply: Reply): SimReply => ({
    type: "response",
    status: reply.status,
    headers:
      reply.body === undefined
        ? reply.headers
        : { "content-type": "application/json; charset=utf-8", ...reply.headers },
    body: body(reply),
  });

  const latency = (): number => {
    const l = options.latencyMs ?? 0;
    if (typeof l === "number") return l;
    const [min, max] = l;
    return min + random.next() * (max - min);
  };

  /** Changes one record of a page (wrongType / missingField), or the body itself when it is not a page. */
  const corrupt = (reply: Reply, fault: FactsFault & { type: "wrongType" | "missingField" }): Reply => {
    const change = (r: Row) =>
      fault.type === "wrongType" ? withWrongType(r, fault.field) : withoutField(r, fault.field);
    const b = reply.body;
    if (b !== null && typeof b === "object" && Array.isArray((b as Row).results)) {
      const results = [...((b as Row).results as Row[])];
      const at = Math.floor(results.length / 2);
      if (results[at] !== undefined) results[at] = change(results[at] as Row);
      return { ...reply, body: { ...(b as Row), results } };
    }
    if (Array.isArray(b) && b.length > 0) return { ...reply, body: [change(b[0] as Row), ...b.slice(1)] };
    if (b !== null && typeof b === "object") return { ...reply, body: change(b as Row) };
    return reply;
  };

  const shrink = (path: string, rows: number) => () => {
    const table = tables.get(path.toLowerCase());
    if (table !== undefined) table.splice(0, Math.min(rows, table.length));
  };

  const handle = async (req: SimRequest): Promise<SimReply> => {
    const now = req.receivedAt ?? Date.now();
    const url = new URL(req.pathAndQuery, "http://simulator.invalid");
    const method = req.method.toUpperCase();
    let path = decodeURIComponent(url.pathname).replace(/\/+$/, "");
    if (path === "") path = "/";
    const route = routeOf(path);
    const query = url.searchParams;
    counters.requests++;
    counters.byEndpoint[route] = (counters.byEndpoint[route] ?? 0) + 1;
    counters.byRoute[`${method} ${route}`] = (counters.byRoute[`${method} ${route}`] ?? 0) + 1;
    const firedTypes: FactsFaultType[] = [];
    const finish = (reply: SimReply): SimReply => {
      if (logLimit > 0) {
        if (requestLog.length >= logLimit) requestLog = requestLog.slice(Math.ceil(logLimit / 2));
        requestLog.push({
          at: now,
          method,
          path,
          route,
          query: Object.fromEntries(query),
          outcome: reply.type === "response" ? reply.status : reply.type === "drop" ? "dropped" : "no answer",
          faults: firedTypes,
        });
      }
      return reply;
    };

    // 1. The gateway: keys, then the rate limit (a refused request is not counted against it).
    const sub = req.header("ocp-apim-subscription-key");
    const key = req.header("facts-api-key");
    if (!sub || (options.keys !== undefined && sub !== options.keys.subscriptionKey)) {
      counters.unauthorized++;
      return finish(
        respond(
          json(401, {
            statusCode: 401,
            message: sub
              ? "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."
              : "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
          }),
        ),
      );
    }
    if (!key || (options.keys !== undefined && key !== options.keys.apiKey)) {
      counters.unauthorized++;
      return finish(
        respond(
          json(401, {
            error: {
              code: "Unauthorized",
              message: "The Facts-Api-Key is missing or not valid.",
              target: "Facts-Api-Key",
              details: null,
            },
          }),
        ),
      );
    }
    const admission = limiter.admit(now);
    if (!admission.admitted) {
      counters.rateLimited++;
      for (const i of admission.full) refusedBy[i] = (refusedBy[i] ?? 0) + 1;
      return finish(
        respond(
          json(
            429,
            {
              statusCode: 429,
              message: `Rate limit is exceeded. Try again in ${admission.retryAfterSeconds} seconds.`,
            },
            { "retry-after": String(admission.retryAfterSeconds) },
          ),
        ),
      );
    }

    // 2. Faults and latency.
    const pageParam = param(query, "Page");
    const faults = schedule.pick({ method, path, route, page: pageParam === null ? null : Number(pageParam) });
    for (const f of faults) firedTypes.push(f.type);
    const delay = latency() + faults.reduce((ms, f) => ms + (f.type === "latency" ? f.ms : 0), 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const fault = faults.find((f) => f.type !== "latency");
    switch (fault?.type) {
      case "timeout":
        return finish({ type: "hang" });
      case "drop":
        return finish({ type: "drop" });
      case "rateLimit": {
        const s = fault.retryAfterSeconds ?? 1;
        return finish(
          respond(
            json(
              429,
              { statusCode: 429, message: `Rate limit is exceeded. Try again in ${s} seconds.` },
              { "retry-after": String(s) },
            ),
          ),
        );
      }
      case "serverError":
        return finish(
          respond(
            problem(
              fault.status ?? 500,
              "An error occurred while processing your request.",
              stackTrace("System.NullReferenceException: Object reference not set to an instance of an object."),
            ),
          ),
        );
      case "html":
        return finish({
          type: "response",
          status: fault.status ?? 502,
          headers: { "content-type": "text/html" },
          body: htmlErrorPage(fault.status ?? 502),
        });
      case "status":
        return finish(respond(json(fault.status, fault.body)));
      default:
        break;
    }

    // 3. FACTS itself: api-version, permissions, the route.
    if (requireApiVersion && param(query, "api-version") !== "1") {
      return finish(
        respond(badRequest([{ target: "api-version", message: "The api-version query parameter is required (1)." }])),
      );
    }
    if (isDenied(method, path)) {
      counters.forbidden++;
      const permission = permissionOf(method, path);
      return finish(respond(problem(403, "Forbidden", `The API key does not have the "${permission}" permission.`)));
    }
    let reply = answer(method, path, query, req.body, req.origin, now);
    if (fault?.type === "wrongType" || fault?.type === "missingField") reply = corrupt(reply, fault);
    if (fault?.type === "shrink") shrink(path, fault.rows ?? 1)();
    if (fault?.type === "lostResponse") return finish({ type: "drop" });
    const out = respond(reply);
    if (fault?.type === "truncate" && out.type === "response") {
      return finish({ ...out, body: out.body.slice(0, Math.max(1, Math.floor(out.body.length / 2))) });
    }
    return finish(out);
  };

  return {
    handle,
    load,
    table: (endpoint) => tables.get(endpoint.toLowerCase()) ?? [],
    setTable(endpoint, rows) {
      tables.set(endpoint.toLowerCase(), [...rows]);
      load(Object.fromEntries([...tables].map(([k, v]) => [k, v])));
    },
    stats: () => ({
      requests: counters.requests,
      byEndpoint: { ...counters.byEndpoint },
      byRoute: { ...counters.byRoute },
      rateLimited: counters.rateLimited,
      rateLimitedBy: [...refusedBy],
      windows: limiter.windows,
      maxPerWindow: limiter.maxPerWindow(),
      unauthorized: counters.unauthorized,
      forbidden: counters.forbidden,
      faults: schedule.fired(),
      writes: {
        created: counters.created,
        updated: counters.updated,
        deleted: counters.deleted,
        attendancePosted: counters.attendancePosted,
      },
    }),
    resetStats() {
      counters = {
        requests: 0,
        rateLimited: 0,
        unauthorized: 0,
        forbidden: 0,
        created: 0,
        updated: 0,
        deleted: 0,
        attendancePosted: 0,
        byEndpoint: {},
        byRoute: {},
      };
      limiter.reset();
      requestLog = [];
      refusedBy = limiter.windows.map(() => 0);
    },
    log: () => requestLog,
    serviceHours: () =>
      [...hours.values()]
        .map((h) => h.record)
        .sort((a, b) => (a.role === b.role ? a.serviceHoursId - b.serviceHoursId : a.role === "student" ? -1 : 1)),
    attendance: () => [...attendance.values()].map((a) => a.record).sort((a, b) => a.attendanceId - b.attendanceId),
    faults: { add: (...rules) => schedule.add(...rules), clear: () => schedule.clear() },
  };
}
