/**
 * The handler's plumbing, shared by every route: JSON and CSV answers, the CSRF checks, body reading and
 * long steps streamed as server-sent events.
 *
 * @internal
 * @module
 */

import type { ProgressListener, SyncError, SyncProgress } from "@rostersync/sync";
import type { Result } from "neverthrow";
import type { z } from "zod";
import { errorMembers, handlerCodes, problemResponse, syncProblem } from "./problem.js";

/** Methods that change nothing: they skip the CSRF checks. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD"]);

/** A JSON answer, never cached. */
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...headers,
    },
  });

/** A CSV download, never cached. */
export const csv = (body: string, filename: string): Response =>
  new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });

/** What the CSRF checks accept besides the request's own origin. */
export interface CsrfSettings {
  /** The header every state-changing request must carry (lower case). */
  readonly csrfHeader: string;
  readonly allowedOrigins: ReadonlySet<string>;
}

/** The CSRF checks of a state-changing request; `null` when it passes. */
export function csrfRefusal(request: Request, url: URL, settings: CsrfSettings): Response | null {
  const { csrfHeader, allowedOrigins } = settings;
  if (request.headers.get(csrfHeader) === null) {
    return problemResponse(
      handlerCodes.CsrfRefused,
      `A state-changing request must carry the ${csrfHeader} header (a cross-site form cannot send it).`,
    );
  }
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== url.origin && !allowedOrigins.has(origin)) {
    return problemResponse(handlerCodes.CsrfRefused, `Requests from ${origin} are not accepted here.`);
  }
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none" && !(origin !== null && allowedOrigins.has(origin))) {
    return problemResponse(handlerCodes.CsrfRefused, "Cross-site requests are not accepted here.");
  }
  return null;
}

/**
 * The body, checked against its schema: a problem response when it is too large, not JSON, or invalid
 * (every problem listed). An empty body is `{}`.
 */
export async function readBody<S extends z.ZodType>(
  request: Request,
  schema: S,
  maxBodyBytes: number,
): Promise<z.infer<S> | Response> {
  const type = request.headers.get("content-type") ?? "";
  const text = await request.text();
  if (text.length > maxBodyBytes) {
    return problemResponse(handlerCodes.InvalidRequest, `The body is larger than ${maxBodyBytes} bytes.`, {}, 413);
  }
  let raw: unknown = {};
  if (text.trim() !== "") {
    if (!type.toLowerCase().startsWith("application/json")) {
      return problemResponse(handlerCodes.UnsupportedMediaType, "Send the body as application/json.");
    }
    try {
      raw = JSON.parse(text);
    } catch {
      return problemResponse(handlerCodes.InvalidRequest, "The body is not valid JSON.");
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({
      path: i.path.map(String).join("."),
      message: i.message,
    }));
    return problemResponse(
      handlerCodes.InvalidRequest,
      `The request has ${problems.length} problem${problems.length === 1 ? "" : "s"}.`,
      { problems },
    );
  }
  return parsed.data;
}

/** Where a long step's progress goes: the request's event stream while one is open. */
export interface ProgressSlot {
  listener: ProgressListener | null;
}

/**
 * Answers a long step: with `Accept: text/event-stream`, `progress` events while it runs and one
 * `result` (or `error`, a problem body) event at the end; otherwise one JSON answer when it is done.
 * `onError` gets anything the step throws (the stream then ends with a bare `Internal` error).
 */
export function longStep<T>(
  request: Request,
  progress: ProgressSlot,
  work: () => PromiseLike<Result<T, SyncError>>,
  answer: (value: T) => unknown,
  onError: ((error: unknown) => void) | undefined,
): Promise<Response> | Response {
  const wantsStream = (request.headers.get("accept") ?? "").includes("text/event-stream");
  if (!wantsStream) {
    return Promise.resolve(work()).then((r) => (r.isOk() ? json(answer(r.value)) : syncProblem(r.error)));
  }
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const send = (event: string, data: unknown) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
        } catch {
          open = false; // the client went away; the step itself goes on (apply is resumable anyway)
        }
      };
      progress.listener = (p: SyncProgress) => send("progress", p);
      Promise.resolve(work()).then(
        (r) => {
          if (r.isOk()) send("result", answer(r.value));
          else send("error", { code: r.error.type, detail: r.error.message, ...errorMembers(r.error) });
          progress.listener = null;
          if (open) controller.close();
        },
        (e: unknown) => {
          onError?.(e);
          send("error", { code: handlerCodes.Internal, detail: "The server failed; it has been logged." });
          if (open) controller.close();
        },
      );
    },
  });
  return new Response(stream, {
    status: 200,
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
