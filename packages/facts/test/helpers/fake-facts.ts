import { HttpResponse, http } from "msw";

/**
 * A small FACTS of this package's own unit tests (the full simulator lives in `src/testing`): list
 * endpoints with real envelopes, `Page`/`PageSize`, Sieve `field==a|b` filters (an unknown column
 * filters to nothing, as FACTS does), service-hours writes (`201` with no body), a request log and a
 * fault hook.
 */
export const BASE = "https://facts.test";

/** Key values shaped like real ones (32 and 108 characters), so redaction is tested with real lengths. */
export const KEYS = {
  subscriptionKey: "5f0c1e9a7b2d4c6e8a0b1c2d3e4f5a6b",
  apiKey: `FK-${"9a8b7c6d5e4f3a2b1c0d".repeat(5)}abcde`,
} as const;

export interface FakeRequest {
  readonly method: string;
  readonly endpoint: string;
  readonly query: URLSearchParams;
  readonly headers: Headers;
  readonly at: number;
  readonly body: unknown;
}

/** What a fault does to a request: answer instead, or apply it and then lose the response. */
export type FaultAction = Response | "apply-then-drop" | "drop" | undefined;
export type Fault = (request: FakeRequest, n: number) => FaultAction | Promise<FaultAction>;

type Row = Record<string, unknown>;

export interface FakeFacts {
  readonly tables: Map<string, Row[]>;
  readonly requests: FakeRequest[];
  fault: Fault | undefined;
  /** Applied before every page read (to change data between pages). */
  beforePage: ((endpoint: string, page: number) => void) | undefined;
  readonly handlers: ReturnType<typeof http.all>[];
  /** Requests to a path (any method). */
  count(endpoint?: string, method?: string): number;
}

function matches(row: Row, filters: string | null): boolean {
  if (!filters) return true;
  for (const clause of filters.split(/(?<!\\),/)) {
    const m = /^([A-Za-z0-9_.]+)==(.*)$/.exec(clause);
    if (m === null) return false;
    const [, field, values] = m as unknown as [string, string, string];
    if (!(field in row)) return false;
    const wanted = values.split(/(?<!\\)\|/).map((v) => v.replace(/\\([,|\\])/g, "$1"));
    if (!wanted.includes(String(row[field]))) return false;
  }
  return true;
}

export function fakeFacts(initial: Record<string, Row[]> = {}): FakeFacts {
  const tables = new Map<string, Row[]>(Object.entries(initial).map(([k, v]) => [k, [...v]]));
  for (const p of ["/Students/ServiceHours", "/Parents/ServiceHours"]) if (!tables.has(p)) tables.set(p, []);
  const requests: FakeRequest[] = [];
  let nextHourId = 5000;
  const fake: FakeFacts = {
    tables,
    requests,
    fault: undefined,
    beforePage: undefined,
    handlers: [],
    count: (endpoint, method) =>
      requests.filter((r) => (endpoint === undefined || r.endpoint === endpoint) && (!method || r.method === method))
        .length,
  };

  const apply = (method: string, endpoint: string, query: URLSearchParams, body: unknown): Response => {
    const hours = /^\/(Students|Parents)\/ServiceHours(?:\/(\d+))?$/.exec(endpoint);
    if (hours && method !== "GET") {
      const table = tables.get(`/${hours[1]}/ServiceHours`) as Row[];
      const id = hours[2] === undefined ? null : Number(hours[2]);
      if (method === "POST") {
        table.push({ ...(body as Row), serviceHoursId: nextHourId++, createdBy: 7 });
        return new HttpResponse(null, { status: 201 });
      }
      // FACTS has no DELETE (or any other method here): the gateway's unknown-route answer.
      if (method !== "PUT" && method !== "PATCH")
        return HttpResponse.json({ statusCode: 404, message: "Resource not found" }, { status: 404 });
      const at = table.findIndex((r) => r.serviceHoursId === id);
      if (at < 0) return HttpResponse.json({ error: { code: "NotFound", message: "Not Found" } }, { status: 404 });
      // PATCH takes a JSON Patch array (`replace` of top-level fields).
      const changes: Row =
        method === "PATCH"
          ? Array.isArray(body)
            ? Object.fromEntries((body as Row[]).map((op) => [String(op.path).replace(/^\//, ""), op.value]))
            : {}
          : (body as Row);
      if (method === "PATCH" && !Array.isArray(body))
        return HttpResponse.json({ error: { code: "BadArgument", message: "JSON Patch expected" } }, { status: 400 });
      table[at] = { ...(table[at] as Row), ...changes, serviceHoursId: id };
      return HttpResponse.json(table[at]);
    }
    const table = tables.get(endpoint);
    if (table === undefined || method !== "GET") {
      return HttpResponse.json({ statusCode: 404, message: "Resource not found" }, { status: 404 });
    }
    if (!("Page" in Object.fromEntries(query))) return HttpResponse.json(table);
    const page = Number(query.get("Page") ?? 1);
    const pageSize = Math.min(1000, Number(query.get("PageSize") ?? 50));
    fake.beforePage?.(endpoint, page);
    // `/UserDefinedGroups?type=STUDENT` lists the groups of that type (see src/udf-groups.ts).
    const type = endpoint === "/UserDefinedGroups" ? query.get("type") : null;
    const rows = (tables.get(endpoint) ?? []).filter(
      (r) =>
        matches(r, query.get("Filters")) &&
        (type === null || String(r.groupType ?? "").toUpperCase() === type.toUpperCase()),
    );
    const pageCount = Math.ceil(rows.length / pageSize);
    return HttpResponse.json({
      results: rows.slice((page - 1) * pageSize, page * pageSize),
      currentPage: page,
      pageCount,
      pageSize,
      rowCount: rows.length,
      nextPage: page < pageCount ? `${BASE}${endpoint}?Page=${page + 1}&PageSize=${pageSize}` : "",
    });
  };

  fake.handlers.push(
    http.all(`${BASE}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const text = request.method === "GET" || request.method === "DELETE" ? "" : await request.text();
      const req: FakeRequest = {
        method: request.method,
        endpoint: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        at: Date.now(),
        body: text === "" ? undefined : (JSON.parse(text) as unknown),
      };
      requests.push(req);
      const action = await fake.fault?.(req, requests.length);
      if (action instanceof Response) return action;
      if (action === "drop") return HttpResponse.error();
      const response = apply(req.method, req.endpoint, req.query, req.body);
      if (action === "apply-then-drop") return HttpResponse.error();
      return response;
    }),
  );
  return fake;
}

/**
 * An RFC 7807 problem as FACTS's .NET answers a `403` or a `500` (`detail` is where a stack trace lands).
 *
 * @example
 * ```ts
 * fake.fault = (req) => (req.endpoint === "/Students" ? problemResponse(403, "Forbidden", null) : undefined);
 * ```
 */
export function problemResponse(status: 403 | 500, title: string, detail: string | null): Response {
  return HttpResponse.json(
    {
      type: `https://tools.ietf.org/html/rfc7231#section-${status === 403 ? "6.5.3" : "6.6.1"}`,
      title,
      status,
      detail,
    },
    { status },
  );
}

/** A page envelope, for faults that answer with a hand-made page. */
export function envelope(results: unknown[], page = 1, pageCount = 1, rowCount = results.length): Row {
  return { results, currentPage: page, pageCount, pageSize: 1000, rowCount, nextPage: "" };
}
