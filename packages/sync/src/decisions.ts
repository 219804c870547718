import type { Decisions, DuplicateGroup, ReviewReport } from "@rostersync/core";
import { normaliseEmail } from "@rostersync/core";

/**
 * A fluent way to change the admin's decisions inside `sync.decide(d => …)`. Every method returns the
 * draft, so calls chain; nothing is saved until the callback returns.
 *
 * @example
 * ```ts
 * await sync.decide((d) => d.resolveDuplicate("smith@example.org", "1042").unselect("2210"));
 * ```
 */
export interface DecisionsDraft {
  /** Import these people (R4). */
  select(...sourceIds: string[]): DecisionsDraft;
  /** Skip these people on this and every later sync until selected again (R4). */
  unselect(...sourceIds: string[]): DecisionsDraft;
  /** Pick `sourceId` as the one member of a duplicate-email group to import (R3). */
  resolveDuplicate(email: string, sourceId: string): DecisionsDraft;
  /** Link a person to an existing account with a different email (R6). */
  merge(sourceId: string, accountId: string): DecisionsDraft;
  /** Undo a manual merge. */
  unmerge(sourceId: string): DecisionsDraft;
  /** Mark people as reviewed, so they are no longer `New?` (R5). */
  markReviewed(...sourceIds: string[]): DecisionsDraft;
  /** Acknowledge the holds of the plan with this hash (R10). */
  acknowledgeHold(planHash: string): DecisionsDraft;
  /** The decisions as they stand now. */
  current(): Decisions;
}

/** Builds a draft over `decisions`; the review (when known) supplies duplicate groups' members. */
export function draftDecisions(decisions: Decisions, review: ReviewReport | null): DecisionsDraft {
  let next: Decisions = decisions;
  const groups = new Map<string, DuplicateGroup>();
  for (const g of review?.duplicateGroups ?? []) groups.set(g.email, g);
  const draft: DecisionsDraft = {
    select(...ids) {
      next = { ...next, selections: { ...next.selections, ...Object.fromEntries(ids.map((id) => [id, true])) } };
      return draft;
    },
    unselect(...ids) {
      next = { ...next, selections: { ...next.selections, ...Object.fromEntries(ids.map((id) => [id, false])) } };
      return draft;
    },
    resolveDuplicate(email, sourceId) {
      const key = normaliseEmail(email);
      const members = [...(groups.get(key)?.members ?? [sourceId])].sort();
      next = { ...next, duplicates: { ...next.duplicates, [key]: { chosen: sourceId, members } } };
      return draft;
    },
    merge(sourceId, accountId) {
      next = { ...next, merges: { ...next.merges, [sourceId]: accountId } };
      return draft;
    },
    unmerge(sourceId) {
      const { [sourceId]: _dropped, ...rest } = next.merges;
      next = { ...next, merges: rest };
      return draft;
    },
    markReviewed(...ids) {
      next = { ...next, reviewed: [...new Set([...next.reviewed, ...ids])] };
      return draft;
    },
    acknowledgeHold(planHash) {
      if (!next.acknowledgedHolds.includes(planHash)) {
        next = { ...next, acknowledgedHolds: [...next.acknowledgedHolds, planHash] };
      }
      return draft;
    },
    current: () => next,
  };
  return draft;
}
