/**
 * Scripted faults applied to a request: the ones that answer instead of FACTS (timeouts, drops, `429`,
 * `5xx`, HTML pages, any status) and the ones that change FACTS's answer (wrong types, missing fields,
 * a shrinking table, a lost or truncated response). Also the serialisation of answers.
 *
 * @internal
 * @module
 */

import { type FactsFault, htmlErrorPage, stackTrace, withoutField, withWrongType } from "../faults.js";
import type { SimReply } from "../model.js";
import { rateLimited } from "./gateway.js";
import { json, problem, type Reply, type Row } from "./replies.js";
import type { SimState } from "./state.js";

/** An answer as sent: JSON bodies serialised with their content type. */
export function respond(reply: Reply): SimReply {
  return {
    type: "response",
    status: reply.status,
    headers:
      reply.body === undefined
        ? reply.headers
        : { "content-type": "application/json; charset=utf-8", ...reply.headers },
    body: reply.body === undefined ? "" : JSON.stringify(reply.body),
  };
}

/** The answer of a fault that answers instead of FACTS; `null` for the others (and for none). */
export function faultReply(fault: FactsFault | undefined): SimReply | null {
  switch (fault?.type) {
    case "timeout":
      return { type: "hang" };
    case "drop":
      return { type: "drop" };
    case "rateLimit":
      return respond(rateLimited(fault.retryAfterSeconds ?? 1));
    case "serverError":
      return respond(
        problem(
          fault.status ?? 500,
          "An error occurred while processing your request.",
          stackTrace("System.NullReferenceException: Object reference not set to an instance of an object."),
        ),
      );
    case "html":
      return {
        type: "response",
        status: fault.status ?? 502,
        headers: { "content-type": "text/html" },
        body: htmlErrorPage(fault.status ?? 502),
      };
    case "status":
      return respond(json(fault.status, fault.body));
    default:
      return null;
  }
}

/** Changes one record of a page (wrongType / missingField), or the body itself when it is not a page. */
export function corrupt(reply: Reply, fault: FactsFault & { type: "wrongType" | "missingField" }): Reply {
  const change = (r: Row) =>
    fault.type === "wrongType" ? withWrongType(r, fault.field) : withoutField(r, fault.field);
  const b = reply.body;
  if (b !== null && typeof b === "object" && Array.isArray((b as Row).results)) {
    const results = [...((b as Row).results as Row[])];
    const at = Math.floor(results.length / 2);
    if (results[at] !== undefined) results[at] = change(results[at] as Row);
    return { ...reply, body: { ...(b as Row), results } };
  }
  if (Array.isArray(b) && b.length > 0) return { ...reply, body: [change(b[0] as Row), ...b.slice(1)] };
  if (b !== null && typeof b === "object") return { ...reply, body: change(b as Row) };
  return reply;
}

/** A `shrink` fault: the first `rows` rows of the path's table are gone (after this answer was built). */
export function shrink(state: SimState, path: string, rows: number): void {
  const table = state.tables.get(path.toLowerCase());
  if (table !== undefined) table.splice(0, Math.min(rows, table.length));
}

/**
 * FACTS's answer with the fault that changes it: corrupted records, a table that shrinks after the
 * answer, a response lost on the way, or one cut in half.
 */
export function withFault(state: SimState, path: string, reply: Reply, fault: FactsFault | undefined): SimReply {
  let changed = reply;
  if (fault?.type === "wrongType" || fault?.type === "missingField") changed = corrupt(changed, fault);
  if (fault?.type === "shrink") shrink(state, path, fault.rows ?? 1);
  if (fault?.type === "lostResponse") return { type: "drop" };
  const out = respond(changed);
  if (fault?.type === "truncate" && out.type === "response") {
    return { ...out, body: out.body.slice(0, Math.max(1, Math.floor(out.body.length / 2))) };
  }
  return out;
}
