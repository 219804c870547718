/**
 * The interactive review app's two hooks in the handler: the page itself (`GET {basePath}/`) and the school's
 * FACTS API key typed in by the admin (`PUT {basePath}/key`). Both are optional: a host that builds its own
 * screens passes neither. See the package README, "The review app".
 *
 * @module
 */

/** What the handler tells the page about itself when it renders it. */
export interface ReviewAppContext {
  /** The handler's `basePath`: the page calls its API under it. */
  readonly basePath: string;
  /** The header the page must send on every state-changing request (CSRF). */
  readonly csrfHeader: string;
  /** Whether the admin can enter the school's API key in the page (the handler has a {@link ApiKeyStore}). */
  readonly keyEntry: boolean;
}

/** A rendered page and the Content-Security-Policy it must be served with. */
export interface ReviewAppDocument {
  readonly html: string;
  /** Sent as the `content-security-policy` header of `GET {basePath}/`. */
  readonly contentSecurityPolicy: string;
}

/** Renders the review app: `renderReviewApp` of `@rostersync/review-page` fits as it is. */
export type ReviewAppRenderer = (context: ReviewAppContext) => ReviewAppDocument;

/**
 * Where the host keeps a school's FACTS API key when the admin enters it in the review app. The handler
 * calls `save` with the key and never keeps, logs, answers or echoes it; the host stores it as it stores its
 * other secrets and builds the school's `Sync` with it from then on (its `resolve` answers a sync over the
 * new key at the next request: drop any sync it cached with the old one).
 *
 * @example
 * ```ts
 * const keys: ApiKeyStore = {
 *   async save({ tenantId, apiKey }) {
 *     await secrets.put(`facts-key:${tenantId}`, apiKey); // the host's secret store
 *     syncs.delete(tenantId); // the next resolve builds the sync with the new key
 *   },
 * };
 * createRosterHandler({ basePath, resolve, app: renderReviewApp, keys });
 * ```
 */
export interface ApiKeyStore {
  /** Stores the key for the admin's school (`tenantId` is the resolved sync's, never the request's). */
  save(input: { readonly tenantId: string; readonly actor: string; readonly apiKey: string }): void | Promise<void>;
}

/** The headers of the app page: its own CSP, no framing, no referrer, no caching. */
export function appHeaders(csp: string): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": csp,
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
  };
}
