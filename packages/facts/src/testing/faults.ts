import { type SeededRandom, seededRandom } from "@rostersync/core/testing";

/**
 * What an injected fault does to a request.
 *
 * - `latency`: answers normally, `ms` later.
 * - `rateLimit`: `429` with `Retry-After` (a storm is a rule with `times`).
 * - `serverError`: `500` (or `status`) with an RFC 7807 body whose `detail` is a .NET stack trace.
 * - `timeout`: never answers (until the client gives up).
 * - `drop`: the connection is dropped before anything is applied.
 * - `truncate`: the JSON body is cut in half.
 * - `html`: a proxy's HTML error page (`502` by default).
 * - `wrongType`: one record of the page has a field of the wrong type (`field`, default its first).
 * - `missingField`: one record of the page lacks a field (`field`, default its first).
 * - `shrink`: answers normally, then the listing loses `rows` rows (default 1): the next page disagrees.
 * - `lostResponse`: the request is applied, then the connection is dropped (a write whose outcome is lost).
 * - `status`: any status with any JSON body.
 */
export type FactsFault =
  | { readonly type: "latency"; readonly ms: number }
  | { readonly type: "rateLimit"; readonly retryAfterSeconds?: number | undefined }
  | { readonly type: "serverError"; readonly status?: number | undefined }
  | { readonly type: "timeout" }
  | { readonly type: "drop" }
  | { readonly type: "truncate" }
  | { readonly type: "html"; readonly status?: number | undefined }
  | { readonly type: "wrongType"; readonly field?: string | undefined }
  | { readonly type: "missingField"; readonly field?: string | undefined }
  | { readonly type: "shrink"; readonly rows?: number | undefined }
  | { readonly type: "lostResponse" }
  | { readonly type: "status"; readonly status: number; readonly body?: unknown };

/** The kinds of {@link FactsFault}. */
export type FactsFaultType = FactsFault["type"];

/**
 * When a fault fires. Every condition given must hold; `nth`, `from` and `times` count the requests this
 * rule's other conditions matched (1-based), so `{ endpoint: "/People", nth: 2 }` is the second request
 * to `/People`.
 */
export interface FaultRule {
  readonly fault: FactsFault;
  /** HTTP method, e.g. `"POST"`. Default: any. */
  readonly method?: string | undefined;
  /**
   * The endpoint: a path (`"/Students"`, matched exactly, ids included: `"/Students/ServiceHours/12"`), a
   * route with `{id}` (`"/Students/ServiceHours/{id}"`), or a RegExp on the path. Default: any.
   */
  readonly endpoint?: string | RegExp | undefined;
  /** Only requests for this `Page` of a list. */
  readonly page?: number | undefined;
  /** Only the nth matching request(s). */
  readonly nth?: number | readonly number[] | undefined;
  /** Only matching requests from the nth on. */
  readonly from?: number | undefined;
  /** Fires at most this many times. */
  readonly times?: number | undefined;
  /** Fires with this probability (seeded by the simulator's `seed`). */
  readonly probability?: number | undefined;
}

/** One request as fault rules see it. */
export interface FaultTarget {
  readonly method: string;
  /** The path, e.g. `/Students/ServiceHours/12`. */
  readonly path: string;
  /** The route, e.g. `/Students/ServiceHours/{id}`. */
  readonly route: string;
  readonly page: number | null;
}

/** A fault script: rules in order; the first whose conditions hold fires (latency faults stack with one other). */
export interface FaultSchedule {
  /** The faults that fire for this request (at most one that is not `latency`). */
  pick(target: FaultTarget): FactsFault[];
  add(...rules: FaultRule[]): void;
  clear(): void;
  /** How many times each fault type fired. */
  fired(): Readonly<Partial<Record<FactsFaultType, number>>>;
}

interface LiveRule {
  readonly rule: FaultRule;
  seen: number;
  fired: number;
}

const matchesEndpoint = (rule: FaultRule, target: FaultTarget): boolean => {
  const e = rule.endpoint;
  if (e === undefined) return true;
  if (typeof e === "string") return e === target.path || e === target.route;
  e.lastIndex = 0;
  return e.test(target.path);
};

/** Creates a fault schedule from rules, with a seeded random source for `probability`. */
export function createFaultSchedule(rules: readonly FaultRule[] = [], seed = 1): FaultSchedule {
  const random: SeededRandom = seededRandom(seed);
  let live: LiveRule[] = rules.map((rule) => ({ rule, seen: 0, fired: 0 }));
  const counts: Partial<Record<FactsFaultType, number>> = {};
  return {
    pick(target) {
      const out: FactsFault[] = [];
      let main = false;
      for (const l of live) {
        const r = l.rule;
        if (r.method !== undefined && r.method.toUpperCase() !== target.method) continue;
        if (!matchesEndpoint(r, target)) continue;
        if (r.page !== undefined && r.page !== target.page) continue;
        l.seen++;
        if (r.nth !== undefined && !(typeof r.nth === "number" ? [r.nth] : r.nth).includes(l.seen)) continue;
        if (r.from !== undefined && l.seen < r.from) continue;
        if (r.times !== undefined && l.fired >= r.times) continue;
        if (r.probability !== undefined && !random.chance(r.probability)) continue;
        const isLatency = r.fault.type === "latency";
        if (!isLatency && main) continue;
        l.fired++;
        counts[r.fault.type] = (counts[r.fault.type] ?? 0) + 1;
        out.push(r.fault);
        if (!isLatency) main = true;
      }
      return out;
    },
    add(...more) {
      live = [...live, ...more.map((rule) => ({ rule, seen: 0, fired: 0 }))];
    },
    clear() {
      live = [];
    },
    fired: () => ({ ...counts }),
  };
}

/** A .NET-looking stack trace, as FACTS puts in the `detail` of a `500`. */
export function stackTrace(what: string): string {
  return [
    what,
    "   at Sieve.Services.SieveProcessor`3.ApplyFiltering[TEntity](TSieveModel model, IQueryable`1 result)",
    "   at FACTS.Api.Controllers.PeopleController.Get(SieveModel sieveModel) in D:\\a\\1\\s\\src\\Controllers\\PeopleController.cs:line 88",
    "   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.TaskOfIActionResultExecutor.Execute(ActionContext context)",
  ].join("\r\n");
}

/** The HTML page a proxy in front of FACTS answers with when the API behind it fails. */
export function htmlErrorPage(status: number): string {
  return `<!DOCTYPE html>\n<html><head><title>${status} Bad Gateway</title></head><body><h1>${status} Bad Gateway</h1><p>The upstream server returned an invalid response.</p><hr><address>Microsoft-Azure-Application-Gateway/v2</address></body></html>`;
}

/** A copy of a value with one field of the wrong type. */
export function withWrongType(record: Record<string, unknown>, field?: string): Record<string, unknown> {
  const key = field ?? Object.keys(record)[0];
  if (key === undefined) return record;
  const value = record[key];
  const wrong =
    typeof value === "number"
      ? `${value}x`
      : typeof value === "string"
        ? 42
        : typeof value === "boolean"
          ? "yes"
          : value === null
            ? { unexpected: true }
            : "not-an-object";
  return { ...record, [key]: wrong };
}

/** A copy of a record without one field. */
export function withoutField(record: Record<string, unknown>, field?: string): Record<string, unknown> {
  const key = field ?? Object.keys(record)[0];
  if (key === undefined) return record;
  const { [key]: _, ...rest } = record;
  return rest;
}
