/**
 * The shape of a FACTS route in the simulator: a path pattern and a handler over the state.
 *
 * @internal
 * @module
 */

import type { PageRequest } from "./paging.js";
import type { Reply } from "./replies.js";
import type { SimState } from "./state.js";

/** A request past the gateway, its body parsed. */
export interface RouteRequest extends PageRequest {
  readonly method: string;
  /** The path in lower case (FACTS's routes are case-insensitive). */
  readonly lower: string;
  /** The parsed JSON body, `undefined` when there is none. */
  readonly body: unknown;
  /** When the request arrived (ms since the epoch). */
  readonly now: number;
}

/** One entry of the route table: the first whose `pattern` matches the lower-case path answers. */
export interface SimRoute {
  readonly pattern: RegExp;
  handle(state: SimState, request: RouteRequest, match: RegExpExecArray): Reply;
}
