/**
 * The interactive review app's two routes: the page itself and the API key the admin types into it.
 *
 * @internal
 * @module
 */

import { appHeaders } from "../app.js";
import { handlerCodes, problemResponse } from "../problem.js";
import { json } from "../respond.js";
import { keyBody } from "../schemas.js";
import { bodyOf, type Route } from "./context.js";

/** `GET /`: the app, with its Content-Security-Policy; a `404` when the host serves none. */
export const getApp: Route = ({ settings }) => {
  if (settings.app === undefined) return problemResponse(handlerCodes.NotFound, "No operation GET /.");
  const page = settings.app({
    basePath: settings.basePath,
    csrfHeader: settings.csrfHeader,
    keyEntry: settings.keys !== undefined,
  });
  return new Response(page.html, { status: 200, headers: appHeaders(page.contentSecurityPolicy) });
};

/** `PUT /key`: hands the typed key to the host's store only (never answered, logged or kept). */
export const putKey: Route = async (context) => {
  const keys = context.settings.keys;
  if (keys === undefined) return problemResponse(handlerCodes.NotFound, "No operation PUT /key.");
  const body = await bodyOf(context, keyBody);
  if (body instanceof Response) return body;
  await keys.save({ tenantId: context.sync.tenantId, actor: context.actor, apiKey: body.apiKey });
  return json({ saved: true });
};
