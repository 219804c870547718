/**
 * Bench support: the request-budget bound, the testing kit's simulator in a worker thread (what the
 * benchmark runs against), and the older stand-in FACTS over node:http that `test/http.test.ts` still uses
 * (same envelopes, paging, `field==a|b` filters, 201-without-body creates, injected latency,
 * rolling-window counting with 429 + Retry-After).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { firstAfter } from "../src/sorted.ts";

export interface Window {
  readonly requests: number;
  readonly windowMs: number;
}

/** Start time of the last of `n` requests sent as early as the windows allow, from an empty budget. */
export function rateBoundMs(n: number, windows: readonly Window[]): number {
  const sent: number[] = [];
  let last = 0;
  for (let i = 0; i < n; i++) {
    let at = 0;
    for (const w of windows) {
      if (sent.length >= w.requests) at = Math.max(at, (sent[sent.length - w.requests] as number) + w.windowMs);
    }
    sent.push(at);
    last = at;
  }
  return last;
}

/**
 * The bound of docs/architecture.md, performance targets: `max(requests / rate limit, requests × latency / concurrency)`, with the rate term
 * computed exactly for rolling windows (plus one mean latency for the last response).
 */
export function boundMs(requests: number, windows: readonly Window[], meanLatencyMs: number, concurrency: number) {
  const rate = rateBoundMs(requests, windows) + meanLatencyMs;
  const latency = (requests * meanLatencyMs) / concurrency;
  return { rate, latency, bound: Math.max(rate, latency) };
}

type Row = Record<string, unknown>;

/** A seeded FACTS-shaped school of about `people` people (40% students). */
export function generateTables(people: number, seed = 1): Record<string, Row[]> {
  let s = seed >>> 0 || 1;
  const rand = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
  const grades = ["K", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"];
  const t: Record<string, Row[]> = {
    "/SchoolConfigurations": [
      { configSchoolID: 1, schoolCode: "MAIN", schoolName: "Main", active: true, defaultYearId: 2025 },
    ],
    "/Academics/GradeLevels": grades.map((g, i) => ({
      gradeLevelId: i,
      gradeLevelName: g,
      sortOrder: i,
      finalGradeLevel: g === "12",
      graduationDate: null,
    })),
    "/Students": [],
    "/People": [],
    "/People/ParentStudent": [],
    "/People/PersonFamily": [],
    "/Families": [],
    "/UserDefinedGroups": [{ groupId: 1, groupName: "S", groupType: "STUDENT" }],
    "/UserDefinedFields": [{ fieldId: 1, groupId: 1, fieldName: "Bus", fieldType: 1, listItems: null }],
    "/UserDefinedData": [],
    "/Students/ServiceHours": [],
    "/Parents/ServiceHours": [],
  };
  let id = 100_000;
  let family = 0;
  let made = 0;
  /** A parent or student of the current family: their `/People` row and their `/People/PersonFamily` link. */
  const addMember = (personId: number, parent: boolean, familyOrder: number | null) => {
    const initial = parent ? "p" : "s";
    t["/People"]?.push({
      personId,
      firstName: `${initial.toUpperCase()}${personId}`,
      lastName: `Family ${family}`,
      email: `${initial}${personId}@x.test`,
    });
    t["/People/PersonFamily"]?.push({ personId, familyId: family, parent, student: !parent, familyOrder });
  };
  while (made < people) {
    family++;
    t["/Families"]?.push({ familyID: family, familyName: `Family ${family}`, familyUDID: `F${family}` });
    const parents = Math.min(people - made, 1 + Math.floor(rand() * 2));
    const parentIds: number[] = [];
    for (let p = 0; p < parents; p++) {
      const pid = id++;
      parentIds.push(pid);
      addMember(pid, true, p + 1);
      made++;
    }
    const kids = Math.min(people - made, 1 + Math.floor(rand() * 2));
    for (let k = 0; k < kids; k++) {
      const sid = id++;
      addMember(sid, false, null);
      t["/Students"]?.push({
        personStudentId: sid + 5_000_000,
        studentId: sid,
        configSchoolId: 1,
        schoolCode: "MAIN",
        school: { status: "Enrolled", gradeLevel: grades[Math.floor(rand() * grades.length)] },
      });
      for (const pid of parentIds) {
        t["/People/ParentStudent"]?.push({ parentID: pid, studentID: sid, relationship: "Parent", custody: true });
      }
      t["/UserDefinedData"]?.push({ fieldId: 1, linkedId: sid, data: `Route ${sid % 9}` });
      made++;
    }
  }
  return t;
}

export interface StandIn {
  /** Arrival time of every request counted (ms since the epoch). */
  readonly arrivals: readonly number[];
  readonly url: string;
  readonly tables: Record<string, Row[]>;
  /** Requests answered, 429s sent, and the most requests seen in any rolling window. */
  readonly stats: { requests: number; rejected: number; maxInWindow: number[] };
  close(): Promise<void>;
}

function matches(row: Row, filters: string | null): boolean {
  if (!filters) return true;
  for (const clause of filters.split(",")) {
    const m = /^([A-Za-z0-9_]+)==(.*)$/.exec(clause);
    if (m === null || !((m[1] as string) in row)) return false;
    if (!(m[2] as string).split("|").includes(String(row[m[1] as string]))) return false;
  }
  return true;
}

/** A stand-in FACTS over node:http on a loopback port. */
export async function startStandIn(
  tables: Record<string, Row[]>,
  options: { latencyMs: readonly [number, number]; windows: readonly Window[] },
): Promise<StandIn> {
  const arrivals: number[] = [];
  const stats = { requests: 0, rejected: 0, maxInWindow: options.windows.map(() => 0) };
  let nextHour = 1;
  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(text);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const now = Date.now();
    // Count on arrival, before the injected latency, as a gateway would.
    for (const [i, w] of options.windows.entries()) {
      const inWindow = arrivals.length - firstAfter(arrivals, now - w.windowMs);
      if (inWindow >= w.requests) {
        stats.rejected++;
        send(res, 429, { statusCode: 429, message: "Rate limit is exceeded." }, { "retry-after": "1" });
        return;
      }
      stats.maxInWindow[i] = Math.max(stats.maxInWindow[i] ?? 0, inWindow + 1);
    }
    arrivals.push(now);
    stats.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const [min, max] = options.latencyMs;
    await new Promise((r) => setTimeout(r, min + Math.random() * (max - min)));
    const url = new URL(req.url ?? "/", "http://x");
    const hours = /^\/(Students|Parents)\/ServiceHours(?:\/(\d+))?$/.exec(url.pathname);
    if (hours && req.method !== "GET") {
      const table = tables[`/${hours[1]}/ServiceHours`] as Row[];
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Row) : {};
      if (req.method === "POST") {
        table.push({ ...body, serviceHoursId: nextHour++ });
        send(res, 201);
        return;
      }
      const at = table.findIndex((r) => r.serviceHoursId === Number(hours[2]));
      if (at < 0) return send(res, 404, { statusCode: 404, message: "Not found" });
      if (req.method === "DELETE") {
        table.splice(at, 1);
        return send(res, 204);
      }
      table[at] = { ...table[at], ...body };
      return send(res, 200, table[at]);
    }
    const table = tables[url.pathname];
    if (table === undefined) return send(res, 404, { statusCode: 404, message: "Resource not found" });
    const page = Number(url.searchParams.get("Page") ?? 1);
    const size = Math.min(1000, Number(url.searchParams.get("PageSize") ?? 50));
    const filters = url.searchParams.get("Filters");
    const rows = filters ? table.filter((r) => matches(r, filters)) : table;
    const pageCount = Math.ceil(rows.length / size);
    send(res, 200, {
      results: rows.slice((page - 1) * size, page * size),
      currentPage: page,
      pageCount,
      pageSize: size,
      rowCount: rows.length,
      nextPage: "",
    });
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { statusCode: 500, message: "stand-in failed" }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    arrivals,
    url: `http://127.0.0.1:${port}`,
    tables,
    stats,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** What the simulator worker is started with. */
export interface SimWorkerData {
  readonly people: number;
  readonly seed: number;
  readonly latencyMs: readonly [number, number];
  readonly windows: readonly Window[];
}

/** What the simulator worker reports back. */
export interface SimReport {
  readonly url: string;
  readonly students: number;
  readonly parents: number;
  readonly minimalRosterRequests: number;
  readonly studentIds: string[];
}

/** What the simulator counted, sent when the run is over. */
export interface SimFinish {
  readonly stats: { requests: number; rejected: number; maxInWindow: number[] };
  readonly hours: number;
  readonly distinctMarkers: number;
}

/**
 * `@rostersync/facts/testing`'s simulator (a school generated from `seed`) served over HTTP from its own
 * thread, so that its clock and event loop are not the client's.
 */
export async function startSimulatorThread(
  people: number,
  seed: number,
  options: { latencyMs: readonly [number, number]; windows: readonly Window[] },
): Promise<{ report: SimReport; finish(): Promise<SimFinish> }> {
  const { Worker } = await import("node:worker_threads");
  const data: SimWorkerData = { people, seed, latencyMs: options.latencyMs, windows: options.windows };
  const worker = new Worker(new URL("./sim-worker.ts", import.meta.url), { workerData: data });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
  const report = await next<SimReport>();
  return {
    report,
    async finish() {
      const done = next<SimFinish>();
      worker.postMessage("finish");
      const result = await done;
      await worker.terminate();
      return result;
    },
  };
}
