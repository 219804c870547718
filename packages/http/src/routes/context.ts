/**
 * What every route receives: the request, the admin's school sync and actor, what this process
 * remembers of the school, and the handler's limits.
 *
 * @internal
 * @module
 */

import type { ReviewReport, SyncProfile } from "@rostersync/core";
import type { ApplyResult, Sync } from "@rostersync/sync";
import type { z } from "zod";
import type { ApiKeyStore, ReviewAppRenderer } from "../app.js";
import { handlerCodes, problemResponse, syncProblem } from "../problem.js";
import { type ProgressSlot, readBody } from "../respond.js";

/** What this process remembers per school between requests (a review to page, the last run's invites). */
export interface SchoolState {
  review: ReviewReport | null;
  lastRun: ApplyResult | null;
}

/** The handler's limits and hooks a route needs. */
export interface RouteSettings {
  /** Largest review page. */
  readonly maxPageSize: number;
  /** Largest request body in bytes. */
  readonly maxBodyBytes: number;
  readonly onError?: ((error: unknown) => void) | undefined;
  /** Where the handler is mounted (for the review app's requests). */
  readonly basePath: string;
  /** The header state-changing requests carry (the review app sends it). */
  readonly csrfHeader: string;
  /** The interactive review app, when the host serves it. */
  readonly app?: ReviewAppRenderer | undefined;
  /** Where an API key typed into the app goes, when the host lets the admin type one. */
  readonly keys?: ApiKeyStore | undefined;
}

/** One authenticated request, as a route sees it. */
export interface RouteContext {
  readonly request: Request;
  readonly url: URL;
  /** The admin's school sync (from `resolve`). */
  readonly sync: Sync;
  /** Who acts (from `resolve`). */
  readonly actor: string;
  readonly school: SchoolState;
  /** Where `refresh` and `apply` progress goes (this request's event stream). */
  readonly progress: ProgressSlot;
  readonly settings: RouteSettings;
}

/** A route: answers one method and path. */
export type Route = (context: RouteContext) => Promise<Response> | Response;

/** The request's body checked against a schema, or the problem response to send. */
export function bodyOf<S extends z.ZodType>(context: RouteContext, schema: S): Promise<z.infer<S> | Response> {
  return readBody(context.request, schema, context.settings.maxBodyBytes);
}

/** The school's last review, or the `NoReview` problem when there is none in this process. */
export function reviewOrRefuse(school: SchoolState): ReviewReport | Response {
  return (
    school.review ??
    problemResponse(handlerCodes.NoReview, "There is no review yet: refresh the roster first (POST /refresh).")
  );
}

/** The `NoProfile` problem: the school has no setup yet. */
export const noProfile = (): Response =>
  problemResponse("NoProfile", "This school has no setup yet: save the setup first.");

/**
 * Reads the school's profile, changes it with `change` and saves it through the sync (which checks it):
 * the profile saved, or the problem to answer (`NoProfile` without a setup, else the sync's error).
 */
export async function changeProfile(
  sync: Sync,
  change: (profile: SyncProfile) => SyncProfile,
): Promise<SyncProfile | Response> {
  const current = await sync.profile();
  if (current.isErr()) return syncProblem(current.error);
  if (current.value === null) return noProfile();
  const saved = await sync.setup(change(current.value));
  return saved.isOk() ? saved.value : syncProblem(saved.error);
}
