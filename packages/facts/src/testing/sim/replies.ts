/**
 * The simulator's answers and request helpers, shared by every route: FACTS's error bodies, JSON bodies,
 * JSON Patch, query parameters. The checks of a request body are in `body-checks.ts`.
 *
 * @internal
 * @module
 */

import type { FactsRow } from "../sieve.js";
import type { Problem } from "./body-checks.js";

/** A stored or served row. */
export type Row = FactsRow;

/** An answer before it is serialised. */
export interface Reply {
  readonly status: number;
  /** `undefined`: no body. */
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
  /** Applied after the answer is built (a `shrink` fault). */
  readonly after?: (() => void) | undefined;
}

/** A JSON answer. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  body,
  headers,
});

/** The gateway's `404` for a route FACTS does not have. */
export const notFoundRoute = (): Reply => json(404, { statusCode: 404, message: "Resource not found" });

/** An RFC 7807 problem (`403`, `500`). */
export const problem = (status: number, title: string, detail: string): Reply =>
  json(status, {
    type: `https://tools.ietf.org/html/rfc7231#section-${status === 403 ? "6.5.3" : "6.6.1"}`,
    title,
    status,
    detail,
    traceId: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
  });

/** FACTS's `400` with every problem. */
export const badRequest = (problems: readonly Problem[]): Reply =>
  json(400, {
    error: {
      code: "BadArgument",
      message: problems.map((p) => p.message).join(" "),
      target: problems[0]?.target ?? null,
      details: problems.map((p) => ({ code: "BadArgument", message: p.message, target: p.target })),
    },
  });

/** FACTS's `404` for a record that does not exist. */
export const notFoundRecord = (what: string, id: string, target: string): Reply =>
  json(404, { error: { code: "NotFound", message: `${what} ${id} was not found.`, target, details: null } });

/** The route of a path: trailing ids become `{id}`. */
export function routeOf(path: string): string {
  return path.replace(/\/(\d+)$/, "/{id}");
}

/** The FACTS permission a request needs (FACTS.md, Transport). */
export function permissionOf(method: string, path: string): string {
  if (method !== "GET") return "People: Write";
  const p = path.toLowerCase();
  if (p.startsWith("/academics")) return "Academics: Read";
  if (p.startsWith("/schoolconfigurations")) return "School Configuration: Read";
  return "People: Read";
}

/** A query parameter, by exact name first, then case-insensitively. */
export function param(query: URLSearchParams, name: string): string | null {
  const direct = query.get(name);
  if (direct !== null) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of query) if (k.toLowerCase() === lower) return v;
  return null;
}

/** The request body as JSON: `undefined` when empty, `{ ok: false }` when it is not JSON. */
export function parseBody(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * A JSON Patch document (`Operation[]`: `op`, `path`, `value`) applied to a record: `replace` / `add` of
 * the listed top-level fields. Anything else (an object body, another op, another path) is `null`.
 */
export function applyPatch(current: Row, body: unknown, editable: ReadonlySet<string>): Row | null {
  if (!Array.isArray(body)) return null;
  const next = { ...current };
  for (const op of body as unknown[]) {
    if (op === null || typeof op !== "object") return null;
    const o = op as Row;
    if ((o.op !== "replace" && o.op !== "add") || typeof o.path !== "string") return null;
    const field = o.path.replace(/^\//, "");
    const key = [...editable].find((k) => k.toLowerCase() === field.toLowerCase());
    if (key === undefined) return null;
    next[key] = o.value;
  }
  return next;
}
