/**
 * The route table: one entry per `METHOD /path` below the handler's base path.
 *
 * @internal
 * @module
 */

import { getApp, putKey } from "./app.js";
import type { Route } from "./context.js";
import { getErrorsCsv, getInvitesCsv } from "./exports.js";
import { getAudit, postHours } from "./hours.js";
import { getPlan, postAcknowledge, postApply, postResume } from "./plan.js";
import { getDecisions, getReview, postDecisions, postRefresh } from "./review.js";
import { getAccess, getCatalogue, getSetup, postFamilyOverride, putSetup } from "./setup.js";

export type { Route, RouteContext, RouteSettings, SchoolState } from "./context.js";

/** Every route by `METHOD /path` (the method in upper case, the path below the base path). */
export const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  // the review app
  ["GET /", getApp],
  ["PUT /key", putKey],
  // setup
  ["GET /catalogue", getCatalogue],
  ["GET /access", getAccess],
  ["GET /setup", getSetup],
  ["PUT /setup", putSetup],
  ["POST /family-overrides", postFamilyOverride],
  // review and decisions
  ["POST /refresh", postRefresh],
  ["GET /review", getReview],
  ["GET /decisions", getDecisions],
  ["POST /decisions", postDecisions],
  // plan and apply
  ["GET /plan", getPlan],
  ["POST /acknowledge", postAcknowledge],
  ["POST /apply", postApply],
  ["POST /resume", postResume],
  // exports
  ["GET /invites.csv", getInvitesCsv],
  ["GET /errors.csv", getErrorsCsv],
  // hours and audit
  ["POST /hours", postHours],
  ["GET /audit", getAudit],
]);
