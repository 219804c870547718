/**
 * Setup routes: the catalogue, "test the key", the profile, family overrides.
 *
 * @internal
 * @module
 */

import type { SyncProfile } from "@rostersync/core";
import { syncProblem } from "../problem.js";
import { json } from "../respond.js";
import { familyOverrideBody, profileBody } from "../schemas.js";
import { bodyOf, changeProfile, type Route } from "./context.js";

/** `GET /catalogue`: what the source offers to set up with. */
export const getCatalogue: Route = async ({ request, sync }) => {
  const r = await sync.catalogue({ signal: request.signal });
  return r.isOk() ? json(r.value) : syncProblem(r.error);
};

/** `GET /access`: test the keys. */
export const getAccess: Route = async ({ request, sync }) => {
  const r = await sync.checkAccess({ signal: request.signal });
  return r.isOk() ? json(r.value) : syncProblem(r.error);
};

/** `GET /setup`: the saved profile (`null` before setup). */
export const getSetup: Route = async ({ sync }) => {
  const r = await sync.profile();
  return r.isOk() ? json({ profile: r.value }) : syncProblem(r.error);
};

/** `PUT /setup`: save the profile; the review is stale afterwards. */
export const putSetup: Route = async (context) => {
  const body = await bodyOf(context, profileBody);
  if (body instanceof Response) return body;
  const r = await context.sync.setup(body as SyncProfile);
  if (r.isErr()) return syncProblem(r.error);
  context.school.review = null;
  return json({ profile: r.value });
};

/** `POST /family-overrides`: set (or, with `groupId: null`, remove) one family's group override. */
export const postFamilyOverride: Route = async (context) => {
  const { sync, school } = context;
  const body = await bodyOf(context, familyOverrideBody);
  if (body instanceof Response) return body;
  let overrides: Record<string, string> = {};
  const saved = await changeProfile(sync, (profile) => {
    overrides = { ...profile.familyOverrides };
    if (body.groupId === null) delete overrides[body.familyId];
    else overrides[body.familyId] = body.groupId;
    return { ...profile, familyOverrides: overrides };
  });
  if (saved instanceof Response) return saved;
  school.review = null;
  return json({ familyOverrides: overrides });
};
