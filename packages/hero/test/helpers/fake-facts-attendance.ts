// A small in-memory FACTS attendance API (GET/POST /People/StudentAttendance, PUT/PATCH by id) with
// fault injection, for the FACTS sink's tests and benchmark, speaking FACTS's definition: answers are
// StudentAttendanceDto (studentReference / classReference, integer column), POST answers 200 with the
// record, PUT changes only the code, reason and flags, PATCH takes a JSON Patch array, setByAdmin and
// updated are required. Rows are kept flat (filters name studentId, as FACTS's Sieve maps them).
// No relative imports: the benchmark loads it with Node's type stripping.

export interface AttendanceRow {
  attendanceId: number;
  studentId: number;
  classId: number;
  attendanceDate: string;
  column: number;
  attendanceCode: string;
  attendanceEventReason: string;
  setByAdmin: boolean;
  updated: boolean;
}

/** A row as FACTS answers it (`StudentAttendanceDto`). */
export function dto(row: AttendanceRow): Record<string, unknown> {
  const { studentId, classId, ...rest } = row;
  return { ...rest, studentReference: { studentId }, classReference: { classId } };
}

export interface FakeFactsOptions {
  /** Answer a create with the new record (true, default, as FACTS does) or with an empty 200 (false). */
  readonly returnCreated?: boolean;
  /** Probability that a POST is applied but its answer is lost (a 502 or a dropped connection). */
  readonly lostCreate?: number;
  /** Probability that any request is refused with 429 before anything happens. */
  readonly rateLimit?: number;
  /** Probability that a GET fails with 503 before anything happens. */
  readonly readFailure?: number;
  /** Seed of the fault generator. */
  readonly seed?: number;
  /** Largest page size the API accepts. */
  readonly maxPageSize?: number;
}

export interface FakeFacts {
  readonly rows: Map<number, AttendanceRow>;
  readonly requests: { GET: number; POST: number; PUT: number; PATCH: number; other: number };
  /** Faults injected so far. */
  readonly faults: { lostCreate: number; rateLimited: number; readFailure: number };
  /** Rows returned by every GET so far. */
  readonly reads: { rows: number };
  handle(request: Request): Promise<Response>;
  /** A `fetch` over {@link FakeFacts.handle}; a lost answer becomes a network error. */
  fetch: typeof fetch;
  /** Rows per slot (student, class, date, column): more than one means a duplicate. */
  duplicates(): number;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

/** Thrown by `handle` when a write is applied but its answer is lost. */
export class LostAnswer extends Error {}

function splitUnescaped(text: string, separator: string): string[] {
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\\" && i + 1 < text.length) {
      current += text[i + 1];
      i++;
    } else if (c === separator) {
      out.push(current);
      current = "";
    } else current += c;
  }
  out.push(current);
  return out;
}

/** Compiles a Sieve filter (`,` AND, `|` OR, `== >= <=`) once per request. */
function compile(filters: string): (row: AttendanceRow) => boolean {
  if (filters === "") return () => true;
  // Split on unescaped commas, keeping escapes for the value split below.
  const clauses: string[] = [];
  let current = "";
  for (let i = 0; i < filters.length; i++) {
    const c = filters[i] as string;
    if (c === "\\" && i + 1 < filters.length) {
      current += c + filters[i + 1];
      i++;
    } else if (c === ",") {
      clauses.push(current);
      current = "";
    } else current += c;
  }
  clauses.push(current);
  const tests = clauses.map((clause): ((row: AttendanceRow) => boolean) => {
    const m = /^(\w+)(==|>=|<=)(.*)$/s.exec(clause);
    if (m === null) return () => false;
    const [, field, op, raw] = m as unknown as [string, string, string, string];
    const fieldOf = (row: AttendanceRow) => (row as unknown as Record<string, unknown>)[field];
    if (op === "==") {
      const values = new Set(splitUnescaped(raw, "|"));
      return (row) => {
        const v = fieldOf(row);
        return v !== undefined && values.has(String(v));
      };
    }
    const bound = splitUnescaped(raw, "|")[0] ?? "";
    return (row) => {
      const v = fieldOf(row);
      if (v === undefined) return false; // FACTS: an unknown column filters to nothing
      return op === ">=" ? String(v) >= bound : String(v) <= bound;
    };
  });
  return (row) => tests.every((t) => t(row));
}

export function createFakeFacts(options: FakeFactsOptions = {}): FakeFacts {
  const rows = new Map<number, AttendanceRow>();
  const requests = { GET: 0, POST: 0, PUT: 0, PATCH: 0, other: 0 };
  const faults = { lostCreate: 0, rateLimited: 0, readFailure: 0 };
  const reads = { rows: 0 };
  let nextId = 70_000;
  let seed = options.seed ?? 1;
  const random = () => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const maxPageSize = options.maxPageSize ?? 1000;

  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    if (method in requests) requests[method as keyof typeof requests]++;
    else requests.other++;
    if (!request.headers.get("ocp-apim-subscription-key") || !request.headers.get("facts-api-key")) {
      return json(401, { statusCode: 401, message: "Access denied due to missing subscription key." });
    }
    if (url.searchParams.get("api-version") !== "1") return json(400, { error: { message: "api-version" } });
    if (options.rateLimit && random() < options.rateLimit) {
      faults.rateLimited++;
      return json(429, { statusCode: 429, message: "Rate limit is exceeded." }, { "retry-after": "0" });
    }
    const path = url.pathname.replace(/\/+$/, "");
    if (path === "/People/StudentAttendance" && method === "GET") {
      if (options.readFailure && random() < options.readFailure) {
        faults.readFailure++;
        return json(503, { type: "about:blank", title: "Service Unavailable", status: 503 });
      }
      const filters = url.searchParams.get("Filters") ?? "";
      const page = Number(url.searchParams.get("Page") ?? "1");
      const pageSize = Math.min(maxPageSize, Number(url.searchParams.get("PageSize") ?? "100"));
      const test = compile(filters);
      const all = [...rows.values()].filter(test);
      const pageCount = Math.max(1, Math.ceil(all.length / pageSize));
      const results = all.slice((page - 1) * pageSize, page * pageSize).map(dto);
      reads.rows += results.length;
      return json(200, {
        results,
        currentPage: page,
        pageCount,
        pageSize,
        rowCount: all.length,
        nextPage: page < pageCount ? `${url.origin}${url.pathname}?Page=${page + 1}` : "",
      });
    }
    if (path === "/People/StudentAttendance" && method === "POST") {
      const body = (await request.json()) as Record<string, unknown>;
      const wrong = [
        ...(["studentId", "classId", "column"] as const).filter((k) => !Number.isInteger(body[k])),
        ...(["setByAdmin", "updated"] as const).filter((k) => typeof body[k] !== "boolean"),
        ...(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(String(body.attendanceDate)) ? [] : ["attendanceDate"]),
      ];
      if (wrong.length > 0) return json(400, { error: { code: "Invalid", message: `invalid ${wrong.join(", ")}` } });
      const row: AttendanceRow = {
        attendanceId: nextId++,
        studentId: body.studentId as number,
        classId: body.classId as number,
        attendanceDate: `${String(body.attendanceDate).slice(0, 10)}T00:00:00`,
        column: body.column as number,
        attendanceCode: String(body.attendanceCode ?? ""),
        attendanceEventReason: String(body.attendanceEventReason ?? ""),
        setByAdmin: body.setByAdmin as boolean,
        updated: body.updated as boolean,
      };
      rows.set(row.attendanceId, row);
      if (options.lostCreate && random() < options.lostCreate) {
        faults.lostCreate++;
        if (random() < 0.5) throw new LostAnswer("connection reset after the write");
        return json(502, { type: "about:blank", title: "Bad Gateway", status: 502 });
      }
      return options.returnCreated === false ? new Response(null, { status: 200 }) : json(200, dto(row));
    }
    const byId = /^\/People\/StudentAttendance\/(\d+)$/.exec(path);
    if (byId && (method === "PUT" || method === "PATCH")) {
      const row = rows.get(Number(byId[1]));
      if (row === undefined) return json(404, { error: { code: "NotFound", message: "No such attendance." } });
      const body = (await request.json()) as unknown;
      // Only the code, the reason and the flags may change, by PUT (an object) or PATCH (a JSON Patch).
      const editable = ["attendanceCode", "attendanceEventReason", "setByAdmin", "updated", "notified", "lastCode"];
      let changes: Record<string, unknown>;
      if (method === "PATCH") {
        if (!Array.isArray(body)) return json(400, { error: { code: "Invalid", message: "JSON Patch expected" } });
        changes = Object.fromEntries(
          (body as { op: string; path: string; value: unknown }[]).map((op) => [op.path.replace(/^\//, ""), op.value]),
        );
        if (Object.keys(changes).some((k) => !editable.includes(k)))
          return json(400, { error: { code: "Invalid", message: "not an editable field" } });
      } else {
        const b = body as Record<string, unknown>;
        if (typeof b.setByAdmin !== "boolean" || typeof b.updated !== "boolean")
          return json(400, { error: { code: "Invalid", message: "setByAdmin and updated are required" } });
        changes = Object.fromEntries(Object.entries(b).filter(([k]) => editable.includes(k)));
      }
      const next = { ...row, ...changes, attendanceId: row.attendanceId } as AttendanceRow;
      rows.set(row.attendanceId, next);
      return json(200, dto(next));
    }
    return json(404, { statusCode: 404, message: "Resource not found" });
  };

  return {
    rows,
    requests,
    faults,
    reads,
    handle,
    fetch: async (input, init) => {
      const request = input instanceof Request && init === undefined ? input : new Request(input, init);
      try {
        return await handle(request);
      } catch (error) {
        if (error instanceof LostAnswer) throw new TypeError("fetch failed", { cause: error });
        throw error;
      }
    },
    duplicates() {
      const slots = new Map<string, number>();
      for (const r of rows.values()) {
        const key = `${r.studentId}|${r.classId}|${r.attendanceDate}|${r.column}`;
        slots.set(key, (slots.get(key) ?? 0) + 1);
      }
      return [...slots.values()].filter((n) => n > 1).length;
    },
  };
}
