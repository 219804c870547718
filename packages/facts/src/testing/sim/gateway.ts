/**
 * What answers before FACTS itself: the API gateway's key checks and rate limit, then FACTS's
 * `api-version` and permission checks.
 *
 * @internal
 * @module
 */

import type { DeniedEndpoint, FactsKeys } from "../model.js";
import type { RateLimiter } from "../rate-limit.js";
import { badRequest, json, param, permissionOf, problem, type Reply, routeOf } from "./replies.js";
import type { SimState } from "./state.js";

/** Whether a deny list refuses a request (by permission, `METHOD /path`, path or matcher). */
export function isDenied(deny: readonly DeniedEndpoint[], method: string, path: string): boolean {
  const route = routeOf(path);
  return deny.some((d) => {
    if (typeof d === "string") {
      if (d.includes(":")) return d.toLowerCase() === permissionOf(method, path).toLowerCase();
      const [m, e] = d.includes(" ") ? (d.split(" ", 2) as [string, string]) : [undefined, d];
      return (m === undefined || m.toUpperCase() === method) && (e === path || e === route);
    }
    if (d.permission !== undefined) return d.permission.toLowerCase() === permissionOf(method, path).toLowerCase();
    if (d.method !== undefined && d.method.toUpperCase() !== method) return false;
    if (typeof d.endpoint === "string") return d.endpoint === path || d.endpoint === route;
    d.endpoint.lastIndex = 0;
    return d.endpoint.test(path);
  });
}

/** The `429` FACTS's gateway answers. */
export function rateLimited(retryAfterSeconds: number): Reply {
  return json(
    429,
    { statusCode: 429, message: `Rate limit is exceeded. Try again in ${retryAfterSeconds} seconds.` },
    { "retry-after": String(retryAfterSeconds) },
  );
}

/**
 * The gateway: both keys (a `401` each, with the gateway's or FACTS's body), then the rate limit (a
 * refused request is not counted against it). `null` lets the request through. Counts what it refuses.
 */
export function gateway(
  state: SimState,
  keys: FactsKeys | undefined,
  limiter: RateLimiter,
  header: (name: string) => string | null,
  now: number,
): Reply | null {
  const sub = header("ocp-apim-subscription-key");
  const key = header("facts-api-key");
  if (!sub || (keys !== undefined && sub !== keys.subscriptionKey)) {
    state.counters.unauthorized++;
    return json(401, {
      statusCode: 401,
      message: sub
        ? "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."
        : "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
    });
  }
  if (!key || (keys !== undefined && key !== keys.apiKey)) {
    state.counters.unauthorized++;
    return json(401, {
      error: {
        code: "Unauthorized",
        message: "The Facts-Api-Key is missing or not valid.",
        target: "Facts-Api-Key",
        details: null,
      },
    });
  }
  const admission = limiter.admit(now);
  if (admission.admitted) return null;
  state.counters.rateLimited++;
  for (const i of admission.full) state.refusedBy[i] = (state.refusedBy[i] ?? 0) + 1;
  return rateLimited(admission.retryAfterSeconds);
}

/** FACTS's own checks before the route: `api-version=1` (when required), then the key's permissions. */
export function factsChecks(
  state: SimState,
  settings: { readonly requireApiVersion: boolean; readonly deny: readonly DeniedEndpoint[] },
  method: string,
  path: string,
  query: URLSearchParams,
): Reply | null {
  if (settings.requireApiVersion && param(query, "api-version") !== "1") {
    return badRequest([{ target: "api-version", message: "The api-version query parameter is required (1)." }]);
  }
  if (isDenied(settings.deny, method, path)) {
    state.counters.forbidden++;
    const permission = permissionOf(method, path);
    return problem(403, "Forbidden", `The API key does not have the "${permission}" permission.`);
  }
  return null;
}
