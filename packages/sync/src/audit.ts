import type { AuditKind, AuditStatus, JsonValue } from "@rostersync/core";
import { type Result, ResultAsync } from "neverthrow";
import type { SyncContext } from "./context.js";
import { type SyncError, storeFailed } from "./errors.js";

/** What writing an audit record needs (`newId` makes audit ids). @internal */
export type AuditContext = Pick<SyncContext, "tenantId" | "store" | "clock" | "newId" | "logger">;

/** One audit record to write, without its id and time. @internal */
export interface AuditEntry {
  readonly kind: AuditKind;
  readonly actor: string | undefined;
  readonly status: AuditStatus;
  readonly counts: JsonValue;
  readonly outcomes?: JsonValue | undefined;
  readonly planHash?: string | undefined;
  /** The step's own id (an export run); default: the audit id. */
  readonly runId?: string | undefined;
  readonly reason?: string | undefined;
}

/** Who acts when the host does not say. */
export const DEFAULT_ACTOR = "host";

/**
 * Appends an audit record for a step that wrote (or refused to) (issue 15 item 9; docs/applying.md).
 * A failing store is an error: a write nobody can account for is not acceptable. @internal
 */
export async function appendAudit(ctx: AuditContext, entry: AuditEntry): Promise<Result<void, SyncError>> {
  const auditId = ctx.newId();
  return await ctx.store
    .appendAudit(ctx.tenantId, {
      auditId,
      kind: entry.kind,
      runId: entry.runId ?? auditId,
      at: new Date(ctx.clock.now()).toISOString(),
      actor: entry.actor ?? DEFAULT_ACTOR,
      planHash: entry.planHash ?? "",
      status: entry.status,
      counts: entry.counts,
      outcomes: entry.outcomes ?? {},
      ...(entry.reason === undefined ? {} : { reason: entry.reason }),
    })
    .map(() => undefined)
    .mapErr(storeFailed);
}

/**
 * Audits a refusal or a stop, keeping the answer the caller gets: the refusal is what the caller needs to
 * see, so an audit the store could not take is logged instead of replacing it. @internal
 */
export async function auditBesides(ctx: AuditContext, entry: AuditEntry): Promise<void> {
  const audited = await ResultAsync.fromPromise(
    appendAudit(ctx, entry),
    (thrown): SyncError => ({
      type: "StoreFailed",
      message: String(thrown),
      cause: { type: "Thrown", message: String(thrown) },
    }),
  ).andThen((result) => result);
  audited.match(
    () => undefined,
    (error) => ctx.logger?.warn?.("audit record not written", { kind: entry.kind, error: error.message }),
  );
}

/** `Type: message` of an error, for an audit record's `reason`. @internal */
export const reasonOf = (error: { readonly type: string; readonly message: string }): string =>
  `${error.type}: ${error.message}`;
