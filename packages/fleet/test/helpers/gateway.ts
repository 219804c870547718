// One HTTP front for many schools' FACTS simulators, routed by each school's API key, with one rate limiter
// for the subscription key in front of them all: what FACTS does for a vendor's key. It counts what FACTS
// would count (arrivals, 429s, the busiest window) and the minimal requests of each read (⌈rows ÷ page⌉ per
// endpoint, from each first page's rowCount). Plain erasable TypeScript: the benchmark runs it with node.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRateLimiter, type FactsSimulator, type RateLimitWindow } from "@rostersync/facts/testing";

/** A running gateway. */
export interface Gateway {
  readonly routes: Map<string, FactsSimulator>;
  readonly limiter: ReturnType<typeof createRateLimiter>;
  /** Requests per API key. */
  readonly perKey: Map<string, number>;
  readonly state: { limiting: boolean; refused: number; requests: number; minimal: number };
  /** When each request arrived while limiting (ms since the epoch): the benchmark's timeline. */
  readonly arrivals: number[];
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** Starts nothing yet: set routes, then `listen()`. */
export function startGateway(windows: readonly RateLimitWindow[], pageSize = 1000): Gateway {
  const routes = new Map<string, FactsSimulator>();
  const limiter = createRateLimiter(windows);
  const perKey = new Map<string, number>();
  const state = { limiting: false, refused: 0, requests: 0, minimal: 0 };
  const arrivals: number[] = [];
  let origin = "";
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  };
  const server: Server = createServer(async (req, res) => {
    const receivedAt = Date.now();
    const key = String(req.headers["facts-api-key"] ?? "");
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
    if (state.limiting) {
      state.requests++;
      arrivals.push(receivedAt);
      const admission = limiter.admit(receivedAt);
      if (!admission.admitted) {
        state.refused++;
        res.writeHead(429, { "retry-after": String(admission.retryAfterSeconds) }).end("{}");
        return;
      }
    }
    const sim = routes.get(key);
    const body = await read(req);
    if (sim === undefined) {
      res.writeHead(401).end("{}");
      return;
    }
    const reply = await sim.handle({
      method: req.method ?? "GET",
      pathAndQuery: req.url ?? "/",
      origin,
      body,
      receivedAt,
      header: (h) => {
        const v = req.headers[h.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
      },
    });
    if (reply.type !== "response") {
      req.socket.destroy();
      return;
    }
    if (state.limiting && reply.status === 200 && req.method === "GET") {
      // A paged endpoint counts ⌈rows ÷ page⌉ at its first page; anything else one request.
      let minimal = 1;
      if (reply.body.includes('"rowCount"')) {
        try {
          const page = JSON.parse(reply.body) as { currentPage?: number; rowCount?: number };
          minimal =
            page.currentPage === 1 && typeof page.rowCount === "number"
              ? Math.max(1, Math.ceil(page.rowCount / pageSize))
              : 0;
        } catch {
          // not a page
        }
      }
      state.minimal += minimal;
    }
    res.writeHead(reply.status, reply.headers).end(reply.body);
  });
  return {
    routes,
    limiter,
    perKey,
    state,
    arrivals,
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return origin;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
