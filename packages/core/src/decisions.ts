/**
 * Decision helpers: every one returns new {@link Decisions} and leaves the old ones untouched, so they
 * can be stored, compared and undone.
 *
 * @module
 */

import { normaliseEmail } from "./email.js";
import { recordSeen, seenInReview } from "./novelty.js";
import { filterRows, type RowFilter } from "./review.js";
import type { Decisions, ReviewReport } from "./types.js";
import { RosterInputError } from "./validate.js";

const asList = (ids: string | readonly string[]): readonly string[] => (typeof ids === "string" ? [ids] : ids);

/**
 * A copy of an id-keyed table with no prototype: a key such as `__proto__` or `constructor` is an ordinary
 * key of it (on a plain object, writing `__proto__` would set the prototype and store nothing).
 */
function table<T>(from: Readonly<Record<string, T>>): Record<string, T> {
  const copy = Object.create(null) as Record<string, T>;
  for (const key of Object.keys(from)) copy[key] = from[key] as T;
  return copy;
}

function withSelections(decisions: Decisions, ids: readonly string[], selected: boolean): Decisions {
  const selections = table(decisions.selections);
  for (const id of ids) selections[id] = selected;
  return { ...decisions, selections };
}

/**
 * Select one or many people (R4): they are synced while importable.
 *
 * @example
 * ```ts
 * decisions = select(decisions, ["1042", "1043"]);
 * ```
 */
export function select(decisions: Decisions, sourceIds: string | readonly string[]): Decisions {
  return withSelections(decisions, asList(sourceIds), true);
}

/** Unselect one or many people (R4): they are skipped on this and every later sync until selected. */
export function unselect(decisions: Decisions, sourceIds: string | readonly string[]): Decisions {
  return withSelections(decisions, asList(sourceIds), false);
}

/**
 * Select (or, with `selected: false`, unselect) every row of a review that matches a filter (R4).
 *
 * @example
 * ```ts
 * decisions = selectAll(decisions, report, { gradeLevel: "12" }, false); // skip the seniors
 * ```
 */
export function selectAll(decisions: Decisions, report: ReviewReport, filter: RowFilter, selected = true): Decisions {
  return withSelections(
    decisions,
    filterRows(report, filter).map((row) => row.sourceId),
    selected,
  );
}

/**
 * Resolve a duplicate-email group (R3): `sourceId` is imported, the other members are excluded (gray).
 * The group's current member set is recorded; if it changes, the resolution goes stale. Throws
 * {@link RosterInputError} when the report has no such group or the person is not in it.
 *
 * @example
 * ```ts
 * decisions = resolveDuplicate(decisions, "family@example.com", "1042", report);
 * ```
 */
export function resolveDuplicate(
  decisions: Decisions,
  email: string,
  sourceId: string,
  report: ReviewReport,
): Decisions {
  const key = normaliseEmail(email);
  const group = report.duplicateGroups.find((g) => g.email === key);
  if (group === undefined || !group.members.includes(sourceId)) {
    throw new RosterInputError([
      {
        record: `duplicate ${key}`,
        path: "duplicates",
        message:
          group === undefined
            ? "the review has no duplicate group for this email"
            : `person ${sourceId} is not in the group`,
      },
    ]);
  }
  return {
    ...decisions,
    duplicates: Object.assign(table(decisions.duplicates), {
      [key]: { chosen: sourceId, members: [...group.members].sort() },
    }),
  };
}

/** Forget a duplicate resolution: the group is red again. */
export function unresolveDuplicate(decisions: Decisions, email: string): Decisions {
  const duplicates = table(decisions.duplicates);
  delete duplicates[normaliseEmail(email)];
  return { ...decisions, duplicates };
}

/**
 * Link a person to an existing account with another email (R6): the admin's merge, e.g. after looking
 * at the merge candidates. The account keeps its hours.
 *
 * @example
 * ```ts
 * decisions = manualMerge(decisions, "1042", "acct-77");
 * ```
 */
export function manualMerge(decisions: Decisions, sourceId: string, accountId: string): Decisions {
  const merges = table<string>({});
  // One account takes one person: a new merge into the same account replaces the old one.
  for (const [id, target] of Object.entries(decisions.merges)) if (target !== accountId) merges[id] = target;
  merges[sourceId] = accountId;
  return { ...decisions, merges };
}

/** Forget a manual merge. */
export function removeMerge(decisions: Decisions, sourceId: string): Decisions {
  const merges = table(decisions.merges);
  delete merges[sourceId];
  return { ...decisions, merges };
}

/**
 * Mark a review as seen (R5): the people it showed **in scope** are no longer new, its errors no longer
 * new errors, and who had an error is remembered (fixed next time if the error is gone). Out-of-scope
 * people stay unreviewed: when they enter the scope (a promotion into a synced grade, a Pre-Enrolled
 * student who becomes Enrolled, their parents) they are New?.
 *
 * @example
 * ```ts
 * decisions = markReviewed(decisions, report);
 * ```
 */
export function markReviewed(decisions: Decisions, report: ReviewReport): Decisions {
  return recordSeen(decisions, seenInReview(report, decisions), { selections: false });
}

/**
 * Acknowledge a held plan (R10) by its hash. Only that exact plan may then be applied: any change to its
 * inputs gives another hash, which needs its own acknowledgement.
 */
export function acknowledgeHold(decisions: Decisions, planHash: string): Decisions {
  if (decisions.acknowledgedHolds.includes(planHash)) return decisions;
  return { ...decisions, acknowledgedHolds: [...decisions.acknowledgedHolds, planHash] };
}

/**
 * Record the selection newly seen people got from the profile's default (R4), so that a later change of
 * the default does not flip people the admin has already seen.
 */
export function recordDefaults(decisions: Decisions, report: ReviewReport): Decisions {
  let selections: Record<string, boolean> | null = null;
  for (const row of report.rows) {
    if (!row.isNew || row.status === "out-of-scope" || typeof decisions.selections[row.sourceId] === "boolean")
      continue;
    selections ??= table(decisions.selections);
    selections[row.sourceId] = row.selected;
  }
  return selections === null ? decisions : { ...decisions, selections };
}

/** Chainable decision helpers; `.done()` returns the new {@link Decisions}. */
export interface DecisionsBuilder {
  select(sourceIds: string | readonly string[]): DecisionsBuilder;
  unselect(sourceIds: string | readonly string[]): DecisionsBuilder;
  /** Needs the review the builder was made with. */
  selectAll(filter: RowFilter, selected?: boolean): DecisionsBuilder;
  /** Needs the review the builder was made with. */
  resolveDuplicate(email: string, sourceId: string): DecisionsBuilder;
  unresolveDuplicate(email: string): DecisionsBuilder;
  manualMerge(sourceId: string, accountId: string): DecisionsBuilder;
  removeMerge(sourceId: string): DecisionsBuilder;
  /** Needs the review the builder was made with. */
  markReviewed(): DecisionsBuilder;
  /** Needs the review the builder was made with. */
  recordDefaults(): DecisionsBuilder;
  acknowledgeHold(planHash: string): DecisionsBuilder;
  done(): Decisions;
}

/**
 * A chainable way to make several decisions at once. Pass the review for the helpers that need one.
 *
 * @example
 * ```ts
 * const next = decisionsBuilder(decisions, report)
 *   .resolveDuplicate("family@example.com", "1042")
 *   .unselect("1043")
 *   .done();
 * ```
 */
export function decisionsBuilder(decisions: Decisions, report?: ReviewReport): DecisionsBuilder {
  const needReport = (what: string): ReviewReport => {
    if (report === undefined) {
      throw new RosterInputError([{ record: "decisions", path: what, message: `${what} needs the review report` }]);
    }
    return report;
  };
  const next = (d: Decisions): DecisionsBuilder => decisionsBuilder(d, report);
  return {
    select: (ids) => next(select(decisions, ids)),
    unselect: (ids) => next(unselect(decisions, ids)),
    selectAll: (filter, selected = true) => next(selectAll(decisions, needReport("selectAll"), filter, selected)),
    resolveDuplicate: (email, sourceId) =>
      next(resolveDuplicate(decisions, email, sourceId, needReport("resolveDuplicate"))),
    unresolveDuplicate: (email) => next(unresolveDuplicate(decisions, email)),
    manualMerge: (sourceId, accountId) => next(manualMerge(decisions, sourceId, accountId)),
    removeMerge: (sourceId) => next(removeMerge(decisions, sourceId)),
    markReviewed: () => next(markReviewed(decisions, needReport("markReviewed"))),
    recordDefaults: () => next(recordDefaults(decisions, needReport("recordDefaults"))),
    acknowledgeHold: (planHash) => next(acknowledgeHold(decisions, planHash)),
    done: () => decisions,
  };
}
