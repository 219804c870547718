/**
 * `@rostersync/http`: a school admin's whole sync workflow as one web-standard handler,
 * `(request: Request) => Promise<Response>`, for any host (node:http, Express, Hono, Next.js route
 * handlers, Fastify…). The host authenticates; the handler guards against CSRF, validates every body, answers
 * errors as `application/problem+json` and refuses stale decision saves.
 *
 * @packageDocumentation
 */

export type {
  ApiKeyStore,
  ReviewAppContext,
  ReviewAppDocument,
  ReviewAppRenderer,
} from "./app.js";
export {
  createRosterHandler,
  decisionsTag,
  type ResolveContext,
  type Resolved,
  type RosterHandler,
  type RosterHandlerOptions,
} from "./handler.js";
export { type NodeListenerOptions, toNodeListener } from "./node.js";
export { type HandlerCode, handlerCodes, type Problem } from "./problem.js";
export * from "./schemas.js";
