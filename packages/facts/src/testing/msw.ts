import { HttpResponse, http, type RequestHandler } from "msw";
import type { FactsSimulator } from "./model.js";

/** Options of {@link factsHandlers}. */
export interface FactsHandlersOptions {
  /** The base URL the client is given. Default `https://api.factsmgt.com`. */
  readonly baseUrl?: string | undefined;
}

/**
 * msw request handlers over a simulator: the same model as {@link startFactsServer}, without a socket.
 * A `timeout` fault holds the request until the client aborts it; `drop` and `lostResponse` answer with
 * a network error.
 *
 * @example
 * ```ts
 * const server = setupServer(...factsHandlers(sim, { baseUrl: "https://sim.facts.test" }));
 * server.listen({ onUnhandledFrame: "error" });
 * ```
 */
export function factsHandlers(sim: FactsSimulator, options: FactsHandlersOptions = {}): RequestHandler[] {
  const base = (options.baseUrl ?? "https://api.factsmgt.com").replace(/\/+$/, "");
  const prefix = new URL(base).pathname.replace(/\/+$/, "");
  return [
    http.all(`${base}/*`, async ({ request }) => {
      const receivedAt = Date.now();
      const url = new URL(request.url);
      const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
      const body = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
      const reply = await sim.handle({
        method: request.method,
        pathAndQuery: `${path}${url.search}`,
        origin: base,
        body,
        receivedAt,
        header: (name) => request.headers.get(name),
      });
      if (reply.type === "drop") return HttpResponse.error();
      if (reply.type === "hang") {
        await new Promise<void>((resolve) => {
          if (request.signal.aborted) resolve();
          request.signal.addEventListener("abort", () => resolve(), { once: true });
        });
        return HttpResponse.error();
      }
      return new HttpResponse(reply.body === "" ? null : reply.body, {
        status: reply.status,
        headers: reply.headers,
      });
    }),
  ];
}
