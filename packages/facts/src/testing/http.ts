import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { FactsSimulator } from "./model.js";

/** Options of {@link startFactsServer}. */
export interface FactsServerOptions {
  /** Port on 127.0.0.1; default 0 (any free port). */
  readonly port?: number | undefined;
  /** Host to listen on. Default `127.0.0.1`. */
  readonly host?: string | undefined;
}

/** A running simulator over real HTTP. */
export interface FactsServer {
  /** The base URL to give `createFactsClient({ baseUrl })`, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends every open connection (including requests a `timeout` fault holds). */
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

/**
 * Serves a simulator over node:http on a loopback port: the client under test talks real HTTP (keep-alive,
 * dropped sockets, timeouts), and every request goes through the same model as {@link factsHandlers}.
 *
 * @example
 * ```ts
 * const server = await startFactsServer(sim, { port: 0 });
 * const client = createFactsClient({ ...keys, baseUrl: server.url });
 * await server.close();
 * ```
 */
export async function startFactsServer(sim: FactsSimulator, options: FactsServerOptions = {}): Promise<FactsServer> {
  const host = options.host ?? "127.0.0.1";
  let origin = "";
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    // Counted when it arrives, as a gateway counts it, not when its body has been read.
    const receivedAt = Date.now();
    const body = await readBody(req);
    const reply = await sim.handle({
      method: req.method ?? "GET",
      pathAndQuery: req.url ?? "/",
      origin,
      body,
      receivedAt,
      header: (name) => {
        const v = req.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
      },
    });
    if (reply.type === "hang") return; // the client's timeout (or close()) ends it
    if (reply.type === "drop") {
      req.socket.destroy();
      return;
    }
    res.writeHead(reply.status, { ...reply.headers, "content-length": String(Buffer.byteLength(reply.body)) });
    res.end(reply.body);
  };
  const server = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ statusCode: 500, message: "The simulator failed." }));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host}:${port}`;
  return {
    url: origin,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
