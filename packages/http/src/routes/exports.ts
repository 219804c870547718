/**
 * CSV exports: the invite list of the last run and the review's error report.
 *
 * @internal
 * @module
 */

import { csvCell, errorReportCsv } from "@rostersync/core";
import type { ApplyResult } from "@rostersync/sync";
import { handlerCodes, problemResponse } from "../problem.js";
import { csv } from "../respond.js";
import { type Route, reviewOrRefuse } from "./context.js";

/** The invite list of a run as CSV (CRLF lines, cells quoted as needed). */
export function invitesCsv(run: ApplyResult): string {
  const header = ["email", "firstName", "lastName", "sourceId", "accountId", "reason"];
  const lines = [header.join(",")];
  for (const i of run.inviteCandidates) {
    lines.push(
      [i.email, i.firstName ?? "", i.lastName ?? "", i.sourceId, i.accountId, i.reason].map(csvCell).join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** `GET /invites.csv`: who to invite after the last run in this process. */
export const getInvitesCsv: Route = ({ school }) => {
  if (school.lastRun === null) {
    return problemResponse(handlerCodes.NoRun, "No sync has run here yet: the invite list comes from a sync.");
  }
  return csv(invitesCsv(school.lastRun), "invites.csv");
};

/** `GET /errors.csv`: the review's error report. */
export const getErrorsCsv: Route = ({ school }) => {
  const review = reviewOrRefuse(school);
  if (review instanceof Response) return review;
  return csv(errorReportCsv(review), "error-report.csv");
};
