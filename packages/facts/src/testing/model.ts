import { type SeededRandom, seededRandom } from "@rostersync/core/testing";
import { createFaultSchedule, type FactsFaultType, type FaultRule, type FaultSchedule } from "./faults.js";
import type { FactsTables, GeneratedFactsSchool } from "./generator.js";
import { createRateLimiter, FACTS_RATE_LIMIT, type RateLimiter, type RateLimitOptions } from "./rate-limit.js";
import type { FactsRow } from "./sieve.js";
import { faultReply, respond, withFault } from "./sim/faulted.js";
import { factsChecks, gateway } from "./sim/gateway.js";
import type { SimAttendance, SimServiceHour } from "./sim/records.js";
import { param, routeOf } from "./sim/replies.js";
import { answer } from "./sim/routes.js";
import { loadTables, newCounters, newState, type SimState } from "./sim/state.js";

export { SIM_API_USER_ID, type SimAttendance, type SimServiceHour } from "./sim/records.js";

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

/** Everything a request is answered with: the state, the options and the machinery built from them. */
interface Simulation {
  readonly state: SimState;
  readonly options: FactsSimulatorOptions;
  readonly limiter: RateLimiter;
  readonly schedule: FaultSchedule;
  readonly random: SeededRandom;
  readonly checks: { readonly requireApiVersion: boolean; readonly deny: readonly DeniedEndpoint[] };
  readonly logLimit: number;
}

/** A request as the simulator reads it. */
interface Incoming {
  readonly now: number;
  readonly method: string;
  /** Decoded, without trailing slashes (`/` at least). */
  readonly path: string;
  /** The path with a trailing id as `{id}`. */
  readonly route: string;
  readonly query: URLSearchParams;
}

function readRequest(req: SimRequest): Incoming {
  const now = req.receivedAt ?? Date.now();
  const url = new URL(req.pathAndQuery, "http://simulator.invalid");
  const method = req.method.toUpperCase();
  let path = decodeURIComponent(url.pathname).replace(/\/+$/, "");
  if (path === "") path = "/";
  return { now, method, path, route: routeOf(path), query: url.searchParams };
}

function countRequest(sim: Simulation, { method, route }: Incoming): void {
  const counters = sim.state.counters;
  counters.requests++;
  counters.byEndpoint[route] = (counters.byEndpoint[route] ?? 0) + 1;
  counters.byRoute[`${method} ${route}`] = (counters.byRoute[`${method} ${route}`] ?? 0) + 1;
}

/** Logs the request with how it ended (keeping at most `logLimit`) and hands the reply back. */
function logged(sim: Simulation, incoming: Incoming, faults: readonly FactsFaultType[], reply: SimReply): SimReply {
  const { logLimit, state } = sim;
  if (logLimit > 0) {
    if (state.requestLog.length >= logLimit) state.requestLog = state.requestLog.slice(Math.ceil(logLimit / 2));
    state.requestLog.push({
      at: incoming.now,
      method: incoming.method,
      path: incoming.path,
      route: incoming.route,
      query: Object.fromEntries(incoming.query),
      outcome: reply.type === "response" ? reply.status : reply.type === "drop" ? "dropped" : "no answer",
      faults,
    });
  }
  return reply;
}

/** The latency of one answer: fixed, or drawn from the seeded range. */
function latency(sim: Simulation): number {
  const l = sim.options.latencyMs ?? 0;
  if (typeof l === "number") return l;
  const [min, max] = l;
  return min + sim.random.next() * (max - min);
}

/**
 * One request through the simulator: 1. the gateway (keys, rate limit); 2. scripted faults and latency;
 * 3. FACTS itself (api-version, permissions, the route table), with the faults that change its answer.
 */
async function handleRequest(sim: Simulation, req: SimRequest): Promise<SimReply> {
  const incoming = readRequest(req);
  const { now, method, path, route, query } = incoming;
  countRequest(sim, incoming);
  const fired: FactsFaultType[] = [];
  const refused = gateway(sim.state, sim.options.keys, sim.limiter, (name) => req.header(name), now);
  if (refused !== null) return logged(sim, incoming, fired, respond(refused));

  const pageParam = param(query, "Page");
  const faults = sim.schedule.pick({ method, path, route, page: pageParam === null ? null : Number(pageParam) });
  for (const f of faults) fired.push(f.type);
  const delay = latency(sim) + faults.reduce((ms, f) => ms + (f.type === "latency" ? f.ms : 0), 0);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  const fault = faults.find((f) => f.type !== "latency");
  const instead = faultReply(fault);
  if (instead !== null) return logged(sim, incoming, fired, instead);

  const checked = factsChecks(sim.state, sim.checks, method, path, query);
  if (checked !== null) return logged(sim, incoming, fired, respond(checked));
  const reply = answer(sim.state, { method, path, query, origin: req.origin, bodyText: req.body, now });
  return logged(sim, incoming, fired, withFault(sim.state, path, reply, fault));
}

/** The tables of a school option: a generated school's, or the tables given. */
function tablesOf(school: FactsSimulatorOptions["school"]): Readonly<Record<string, readonly Row[]>> {
  return ("tables" in school && "model" in school ? school.tables : school) as Readonly<Record<string, readonly Row[]>>;
}

function statsOf(sim: Simulation): FactsSimulatorStats {
  const { counters, refusedBy } = sim.state;
  return {
    requests: counters.requests,
    byEndpoint: { ...counters.byEndpoint },
    byRoute: { ...counters.byRoute },
    rateLimited: counters.rateLimited,
    rateLimitedBy: [...refusedBy],
    windows: sim.limiter.windows,
    maxPerWindow: sim.limiter.maxPerWindow(),
    unauthorized: counters.unauthorized,
    forbidden: counters.forbidden,
    faults: sim.schedule.fired(),
    writes: {
      created: counters.created,
      updated: counters.updated,
      deleted: counters.deleted,
      attendancePosted: counters.attendancePosted,
    },
  };
}

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
  const random = seededRandom(seed);
  const limiter = createRateLimiter(
    options.rateLimit === false ? [] : (options.rateLimit?.windows ?? FACTS_RATE_LIMIT),
  );
  const schedule = createFaultSchedule(options.faults ?? [], seed + 1);
  const settings = {
    defaultPageSize: Math.max(1, options.defaultPageSize ?? 50),
    maxPageSize: Math.max(1, options.maxPageSize ?? 1000),
    studentHoursId: options.studentHoursPersonId ?? "studentId",
    visibleAfter: Math.max(0, options.writeVisibleAfterMs ?? 0),
  };
  const state = newState(settings, options.serviceHours ?? [], limiter.windows.length);
  const sim: Simulation = {
    state,
    options,
    limiter,
    schedule,
    random,
    checks: { requireApiVersion: options.requireApiVersion ?? true, deny: options.permissions?.deny ?? [] },
    logLimit: Math.max(0, options.logLimit ?? 100_000),
  };
  const load = (school: FactsSimulatorOptions["school"]) => loadTables(state, tablesOf(school));
  load(options.school);

  return {
    handle: (req) => handleRequest(sim, req),
    load,
    table: (endpoint) => state.tables.get(endpoint.toLowerCase()) ?? [],
    setTable(endpoint, rows) {
      state.tables.set(endpoint.toLowerCase(), [...rows]);
      load(Object.fromEntries([...state.tables].map(([k, v]) => [k, v])));
    },
    stats: () => statsOf(sim),
    resetStats() {
      state.counters = newCounters();
      limiter.reset();
      state.requestLog = [];
      state.refusedBy = limiter.windows.map(() => 0);
    },
    log: () => state.requestLog,
    serviceHours: () =>
      [...state.hours.values()]
        .map((h) => h.record)
        .sort((a, b) => (a.role === b.role ? a.serviceHoursId - b.serviceHoursId : a.role === "student" ? -1 : 1)),
    attendance: () =>
      [...state.attendance.values()].map((a) => a.record).sort((a, b) => a.attendanceId - b.attendanceId),
    faults: { add: (...rules) => schedule.add(...rules), clear: () => schedule.clear() },
  };
}
