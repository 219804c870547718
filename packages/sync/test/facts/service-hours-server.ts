import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One service-hours record as the stand-in keeps it (FACTS's field names). */
export type HoursRow = Record<string, unknown> & { serviceHoursId: number; personId: number };

/** A request the stand-in saw. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
}

/** A running stand-in. */
export interface ServiceHoursServer {
  readonly url: string;
  /** Records by role path (`/Students/ServiceHours`, `/Parents/ServiceHours`), by id. */
  readonly tables: Map<string, Map<number, HoursRow>>;
  readonly requests: SeenRequest[];
  /** Decides, per write, to apply it and then drop the connection (the answer is lost). */
  loseAnswer: (request: SeenRequest) => boolean;
  /** Read-only list endpoints (`/Students`, `/People`…) and their rows, asked for on every request. */
  roster: () => ReadonlyMap<string, readonly Record<string, unknown>[]>;
  close(): Promise<void>;
}

const HOURS = /^\/(Students|Parents)\/ServiceHours(?:\/(\d+))?$/;

/** `personId==1|2,date==2026-01-01`: every clause must hold; values of a clause are alternatives. */
function matches(row: Record<string, unknown>, filters: string | null): boolean {
  if (filters === null || filters === "") return true;
  return filters.split(",").every((clause) => {
    const [field, values] = clause.split("==") as [string, string | undefined];
    if (values === undefined || !(field in row)) return false;
    return values.split("|").includes(String(row[field]));
  });
}

async function body(req: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text === "" ? {} : (JSON.parse(text) as unknown);
}

/**
 * A small FACTS over real HTTP, written for this package's tests: the roster's list endpoints (rows
 * supplied by the test), service hours with paged, Sieve-filtered reads; `POST` answering `201` with no body; `PUT` and
 * JSON-Patch `PATCH` by id (no DELETE: FACTS has none, it is the unknown-route `404`); and a hook that applies a write
 * and then drops the connection, which is how a timeout after sending looks to the client.
 */
export async function startServiceHoursServer(): Promise<ServiceHoursServer> {
  const tables = new Map<string, Map<number, HoursRow>>([
    ["/Students/ServiceHours", new Map()],
    ["/Parents/ServiceHours", new Map()],
  ]);
  let nextId = 70001;
  const requests: SeenRequest[] = [];
  const state: {
    loseAnswer: (r: SeenRequest) => boolean;
    roster: () => ReadonlyMap<string, readonly Record<string, unknown>[]>;
  } = { loseAnswer: () => false, roster: () => new Map() };

  /** One page of a list, in FACTS's envelope. */
  const page = (url: URL, all: readonly Record<string, unknown>[]) => {
    const current = Number(url.searchParams.get("Page") ?? 1);
    const size = Math.min(1000, Number(url.searchParams.get("PageSize") ?? 50));
    const rows = all.filter((r) => matches(r, url.searchParams.get("Filters")));
    const pageCount = Math.ceil(rows.length / size);
    return {
      results: rows.slice((current - 1) * size, current * size),
      currentPage: current,
      pageCount,
      pageSize: size,
      rowCount: rows.length,
      nextPage: current < pageCount ? `${url.pathname}?Page=${current + 1}&PageSize=${size}` : "",
    };
  };

  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const seen = { method: req.method ?? "GET", path: url.pathname };
    requests.push(seen);
    const m = HOURS.exec(url.pathname);
    const table = m ? tables.get(`/${m[1]}/ServiceHours`) : undefined;
    const list = state.roster().get(url.pathname);
    if (list !== undefined && seen.method === "GET") return json(res, 200, page(url, list));
    if (!m || table === undefined) return json(res, 404, { statusCode: 404, message: "Resource not found" });
    const id = m[2] === undefined ? null : Number(m[2]);
    const raw = seen.method === "POST" || seen.method === "PUT" || seen.method === "PATCH" ? await body(req) : {};
    const input: Record<string, unknown> = Array.isArray(raw)
      ? Object.fromEntries(
          (raw as { path: string; value: unknown }[]).map((op) => [op.path.replace(/^\//, ""), op.value]),
        )
      : (raw as Record<string, unknown>);
    let status = 200;
    let answer: unknown = null;
    if (seen.method === "GET" && id === null) {
      answer = page(url, [...table.values()]);
    } else if (seen.method === "POST" && id === null) {
      const row: HoursRow = { ...input, personId: Number(input.personId), serviceHoursId: nextId++, createdBy: 7 };
      table.set(row.serviceHoursId, row);
      status = 201;
    } else if (id !== null && (seen.method === "PUT" || seen.method === "PATCH" || seen.method === "GET")) {
      const row = table.get(id);
      if (row === undefined) return json(res, 404, { error: { code: "NotFound", message: "Not Found" } });
      if (seen.method === "PUT" || seen.method === "PATCH") {
        table.set(id, { ...row, ...input, serviceHoursId: id } as HoursRow);
        answer = table.get(id);
      } else {
        answer = row;
      }
    } else {
      return json(res, 404, { statusCode: 404, message: "Resource not found" });
    }
    if (seen.method !== "GET" && state.loseAnswer(seen)) {
      res.socket?.destroy();
      return;
    }
    if (status === 201 || status === 204) {
      res.writeHead(status);
      res.end();
    } else {
      json(res, status, answer);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tables,
    requests,
    get loseAnswer() {
      return state.loseAnswer;
    },
    set loseAnswer(f) {
      state.loseAnswer = f;
    },
    get roster() {
      return state.roster;
    },
    set roster(f) {
      state.roster = f;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
