import type { IncomingMessage, ServerResponse } from "node:http";
import type { RosterHandler } from "./handler.js";

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /**
   * The public origin (`https://admin.example.org`) requests are made against. Default: `http://` and the
   * request's `Host` header. Set it behind a TLS-terminating proxy so the same-origin check compares the
   * browser's `Origin` with the origin it really used.
   */
  readonly origin?: string | undefined;
}

/**
 * Adapts the handler to `node:http` (and to Express, Connect and anything else that passes Node's
 * `IncomingMessage` / `ServerResponse`). Under Express, mount it before any body parser, since the handler
 * reads the body itself; the mount path is kept (`originalUrl`), so give the handler the full `basePath`.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * createServer(toNodeListener(handler)).listen(3000);
 * // Express: app.use("/api/rostersync", toNodeListener(handler));
 * ```
 */
export function toNodeListener(
  handler: RosterHandler,
  options: NodeListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const origin = options.origin ?? `http://${req.headers.host ?? "localhost"}`;
    const path = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? "/";
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const method = (req.method ?? "GET").toUpperCase();
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    let body: Uint8Array | undefined;
    if (method !== "GET" && method !== "HEAD") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = new Uint8Array(Buffer.concat(chunks));
    }
    const response = await handler(
      new Request(new URL(path, origin), {
        method,
        headers,
        signal: controller.signal,
        ...(body === undefined ? {} : { body }),
      }),
    );
    res.statusCode = response.status;
    response.headers.forEach((value, name) => {
      res.setHeader(name, value);
    });
    if (response.body === null) {
      res.end();
      return;
    }
    res.flushHeaders();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        res.write(value);
      }
    } finally {
      res.end();
    }
  };
}
