import type { Decisions, SyncPlan, SyncStore } from "@rostersync/core";
import { fromThrowable, type ResultAsync } from "neverthrow";
import { type SyncError, storeFailed } from "./errors.js";

/**
 * What `sync.apply` is told to apply: a plan's hash, as a string or inside an object (a whole plan from
 * `sync.plan()` still fits). Only `planHash` is read, plus `tenantId` and `profileHash` when present, and
 * those only to refuse (`WrongTenant`, `ProfileMismatch`): the actions and holds `apply` executes are always
 * its own, planned again under the lock (see docs/applying.md).
 *
 * @example
 * ```ts
 * await sync.apply(plan);                 // a plan object: only plan.planHash is read
 * await sync.apply({ planHash });         // from a queue message
 * await sync.apply(planHash);             // the same
 * ```
 */
export type PlanReference =
  | string
  | SyncPlan
  | {
      readonly planHash: string;
      readonly tenantId?: string | undefined;
      readonly profileHash?: string | undefined;
    };

/** A reference, read: the hash, and what the caller claimed the plan was made for. @internal */
export interface ReadReference {
  readonly planHash: string;
  readonly tenantId: string | undefined;
  readonly profileHash: string | undefined;
}

/** Reads a {@link PlanReference} without trusting anything else on it; `null` when it is not one. @internal */
export function readReference(reference: unknown): ReadReference | null {
  if (typeof reference === "string") {
    return reference.length > 0 ? { planHash: reference, tenantId: undefined, profileHash: undefined } : null;
  }
  if (reference === null || typeof reference !== "object") return null;
  const { planHash, tenantId, profileHash } = reference as Record<string, unknown>;
  if (typeof planHash !== "string" || planHash.length === 0) return null;
  return {
    planHash,
    tenantId: typeof tenantId === "string" ? tenantId : undefined,
    profileHash: typeof profileHash === "string" ? profileHash : undefined,
  };
}

/**
 * The decisions a plan's hash is made from: without the acknowledged holds, so that storing an
 * acknowledgement never changes the hash it acknowledges. @internal
 */
export function forHashing(decisions: Decisions): Decisions {
  return decisions.acknowledgedHolds.length === 0 ? decisions : { ...decisions, acknowledgedHolds: [] };
}

/** Who acknowledged a plan's holds, and when. */
export interface Acknowledgement {
  readonly planHash: string;
  /** The host user who acknowledged (default `host`). */
  readonly actor: string;
  /** ISO 8601. */
  readonly at: string;
}

/** The store key (a watermark) keeping who acknowledged `planHash`. @internal */
export const acknowledgementKey = (planHash: string): string => `acknowledgement:${planHash}`;

/** Reads who acknowledged `planHash` (`null` when nobody did through `sync.acknowledge`). @internal */
export function readAcknowledgement(
  store: SyncStore,
  tenantId: string,
  planHash: string,
): ResultAsync<Acknowledgement | null, SyncError> {
  return store
    .getWatermark(tenantId, acknowledgementKey(planHash))
    .mapErr(storeFailed)
    .map((stored) => (stored === null ? null : parseAcknowledgement(planHash, stored)));
}

const parseJson = fromThrowable((text: string): unknown => JSON.parse(text));

/**
 * An acknowledgement as stored; what cannot be read of it (another writer, a hand edit) counts as the
 * host's, at an unknown time: the acknowledgement itself is in the decisions. @internal
 */
export function parseAcknowledgement(planHash: string, stored: string): Acknowledgement {
  const parsed = parseJson(stored).unwrapOr(null) as Partial<Record<keyof Acknowledgement, unknown>> | null;
  return {
    planHash,
    actor: typeof parsed?.actor === "string" ? parsed.actor : "host",
    at: typeof parsed?.at === "string" ? parsed.at : "",
  };
}
