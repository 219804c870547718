/**
 * The hours switch and the audit trail.
 *
 * @internal
 * @module
 */

import { syncProblem } from "../problem.js";
import { json } from "../respond.js";
import { hoursBody } from "../schemas.js";
import { bodyOf, changeProfile, type Route } from "./context.js";

/** `POST /hours`: turn hours sync on (checked by the sync, `force` to skip the history check) or off. */
export const postHours: Route = async (context) => {
  const { sync } = context;
  const body = await bodyOf(context, hoursBody);
  if (body instanceof Response) return body;
  if (body.enabled) {
    const r = await sync.enableHoursSync({ force: body.force === true });
    return r.isOk() ? json({ hoursSync: r.value.hoursSync }) : syncProblem(r.error);
  }
  const saved = await changeProfile(sync, (profile) => ({
    ...profile,
    hoursSync: { ...profile.hoursSync, enabled: false },
  }));
  return saved instanceof Response ? saved : json({ hoursSync: saved.hoursSync });
};

/** `GET /audit?limit=`: the latest audit records (50 by default, at most 500). */
export const getAudit: Route = async ({ url, sync }) => {
  const limit = Number.parseInt(url.searchParams.get("limit") ?? "50", 10);
  const r = await sync.audit({ limit: Number.isFinite(limit) && limit > 0 ? Math.min(limit, 500) : 50 });
  return r.isOk() ? json({ records: r.value }) : syncProblem(r.error);
};
