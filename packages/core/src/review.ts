/**
 * The review: one row per person with their status, reasons, flag and New? marks (R1–R5), the totals
 * at the top of the page, the duplicate groups and the error fingerprints to remember.
 *
 * @module
 */

import { type Analysis, analyse, EXCLUDED, GRAY, IMPORTABLE, OUT_OF_SCOPE, SKIPPED, STATUS_NAMES } from "./analysis.js";
import { knownErrors } from "./novelty.js";
import type { Flag, PlanInput, Reason, ReviewReport, ReviewRow, ReviewStatus, SourcePerson } from "./types.js";

const NO_REASONS: readonly Reason[] = Object.freeze([]);
const singleReasons = new Map<Reason, readonly Reason[]>();
/** One shared frozen list per reason: a million rows need not mean a million arrays. */
export function reasonList(reason: Reason | null): readonly Reason[] {
  if (reason === null) return NO_REASONS;
  let list = singleReasons.get(reason);
  if (list === undefined) {
    list = Object.freeze([reason]);
    singleReasons.set(reason, list);
  }
  return list;
}

const FLAG_NAMES: readonly (Flag | null)[] = [null, "red", "gray"];
const NO_FAMILIES: readonly string[] = Object.freeze([]);

/**
 * Review a source snapshot against the school's setup and decisions (docs/concepts.md, R1–R5 in docs/rules.md). Pure; throws
 * {@link RosterInputError} when the input is malformed.
 *
 * @example
 * ```ts
 * const report = review({ people, accounts, profile, decisions: EMPTY_DECISIONS });
 * report.totals.toSync; // people who will be synced
 * filterRows(report, { newErrorsOnly: true }); // what needs the admin this time
 * ```
 */
export function review(input: PlanInput): ReviewReport {
  return reviewFrom(analyse(input));
}

/**
 * Build the review from a finished analysis.
 * @internal
 */
export function reviewFrom(a: Analysis): ReviewReport {
  const { people, status, input } = a;
  const n = people.length;
  const reviewed = new Set(input.decisions.reviewed);
  const known = knownErrors(input.lastRun, input.decisions);
  const anyReviewed = reviewed.size > 0;
  // R5: people seen in scope with a data error last time; without it now, they are "fixed".
  const hadErrors = input.decisions.reviewedWithErrors;
  const withErrors = hadErrors !== undefined && hadErrors.length > 0 ? new Set(hadErrors) : null;
  const scopeChild = a.scopeChild;
  // R5: who is new (not reviewed before), and the families with a new in-scope parent, whose reviewed
  // parents are context rows. Before anyone was reviewed everybody is new and there is no context row:
  // that first review skips the pass.
  const isNew = anyReviewed ? new Uint8Array(n) : null;
  let newParentFamilies: Set<string> | null = null;
  if (isNew !== null) {
    for (let i = 0; i < n; i++) {
      const p = people[i] as SourcePerson;
      if (reviewed.has(p.sourceId)) continue;
      isNew[i] = 1;
      if (p.role === "parent" && status[i] !== OUT_OF_SCOPE) {
        newParentFamilies ??= new Set();
        for (const link of p.families) newParentFamilies.add(link.familyId);
      }
    }
  }
  // Allocated at its final size: grown by push, a million rows would leave twice the array in garbage.
  const rows = new Array<ReviewRow>(n);
  let duplicatesRed = 0;
  let duplicatesGray = 0;
  let missingEmails = 0;
  let invalidEmails = 0;
  let newPeople = 0;
  let fixedPeople = 0;
  let newErrors = 0;
  const errorSet = new Set<string>();
  let lastFamily = "";
  let lastFamilyList: readonly string[] = NO_FAMILIES;
  for (let i = 0; i < n; i++) {
    const p = people[i] as SourcePerson;
    const s = status[i] as number;
    const reason = a.reason[i] ?? null;
    // Only excluded people have an error fingerprint: the others skip the map lookup.
    const fingerprint = s !== EXCLUDED || a.flag[i] === GRAY ? null : (a.fingerprint.get(i) ?? null);
    const rowIsNew = isNew === null || isNew[i] === 1;
    let familyContext = false;
    if (!rowIsNew && newParentFamilies !== null && p.role === "parent" && s !== OUT_OF_SCOPE) {
      for (const link of p.families) if (newParentFamilies.has(link.familyId)) familyContext = true;
    }
    const newError = fingerprint !== null && !known.has(fingerprint);
    const fixed = withErrors !== null && (s === IMPORTABLE || s === SKIPPED) && withErrors.has(p.sourceId);
    if (fixed) fixedPeople++;
    if (fingerprint !== null) errorSet.add(fingerprint);
    if (s !== OUT_OF_SCOPE && rowIsNew) newPeople++;
    if (newError) newErrors++;
    if (s === EXCLUDED) {
      if (reason === "duplicate-unresolved") duplicatesRed++;
      else if (reason === "duplicate-other-selected") duplicatesGray++;
      else if (reason === "missing-email") missingEmails++;
      else if (reason === "invalid-email") invalidEmails++;
    }
    const families = p.families;
    let familyIds = NO_FAMILIES;
    if (families.length === 1) {
      // Siblings next to each other share one frozen list; otherwise a fresh one (a shared index of
      // every family would cost more than the lists it saves).
      const id = (families[0] as (typeof families)[0]).familyId;
      if (id !== lastFamily) {
        lastFamily = id;
        lastFamilyList = Object.freeze([id]);
      }
      familyIds = lastFamilyList;
    } else if (families.length > 1) {
      familyIds = new Array(families.length);
      for (let f = 0; f < families.length; f++)
        (familyIds as string[])[f] = (families[f] as (typeof families)[0]).familyId;
    }
    rows[i] = {
      sourceId: p.sourceId,
      role: p.role,
      firstName: p.firstName,
      lastName: p.lastName,
      email: a.emailKind[i] === 0 ? (a.email[i] as string) : null,
      rawEmail: p.email,
      schoolCode: p.schoolCode,
      gradeLevel: p.gradeLevel ?? null,
      familyIds,
      status: STATUS_NAMES[s] as ReviewStatus,
      reasons: reasonList(reason),
      flag: FLAG_NAMES[a.flag[i] as number] ?? null,
      selected: a.selected[i] === 1,
      isNew: rowIsNew,
      isFamilyContext: familyContext,
      isFixed: fixed,
      scopeChildId: scopeChild === null ? null : (scopeChild[i] ?? null),
      errorFingerprint: fingerprint,
      isNewError: newError,
    };
  }
  const c = a.counts;
  return {
    role: input.profile.role,
    rows,
    totals: {
      people: n,
      importable: c.importable,
      excluded: c.excluded,
      skipped: c.skipped,
      outOfScope: c.outOfScope,
      duplicatesRed,
      duplicatesGray,
      missingEmails,
      invalidEmails,
      newPeople,
      fixedPeople,
      newErrors,
      toSync: c.importable,
      toSkip: c.skipped,
      toExclude: c.excluded,
    },
    duplicateGroups: a.groups,
    errorFingerprints: [...errorSet].sort(),
    // R5: a re-sync opens on what needs the admin this time; the first review shows everyone.
    openOn: anyReviewed || input.lastRun != null ? NEEDS_REVIEW : EVERYTHING,
  };
}

const EVERYTHING: RowFilter = Object.freeze({});
const NEEDS_REVIEW: RowFilter = Object.freeze({ needsReview: true });

/** Which review rows to show. Every given criterion must hold. */
export interface RowFilter {
  readonly status?: ReviewStatus | readonly ReviewStatus[] | undefined;
  readonly gradeLevel?: string | readonly string[] | undefined;
  readonly schoolCode?: string | readonly string[] | undefined;
  readonly flag?: Flag | undefined;
  /**
   * "With new users": in-scope new people, their family-context rows and people whose data error was
   * fixed (R5).
   */
  readonly newOnly?: boolean | undefined;
  /** What a re-sync opens on (R5): the `newOnly` rows and the rows with a new error. */
  readonly needsReview?: boolean | undefined;
  /** Rows whose error was not in the last reviewed report (R5). */
  readonly newErrorsOnly?: boolean | undefined;
  /** Case-insensitive match on name, email or sourceId. */
  readonly search?: string | undefined;
}

/**
 * A row of "with new users" (R5): in scope and new, family context or fixed. Out-of-scope people are
 * never reviewed, so they would stay new for ever: they are not listed here.
 */
const withNewUser = (row: ReviewRow): boolean =>
  row.status !== "out-of-scope" && (row.isNew || row.isFamilyContext || row.isFixed);

const oneOf = <T>(wanted: T | readonly T[] | undefined, value: T): boolean =>
  wanted === undefined || (Array.isArray(wanted) ? (wanted as readonly T[]).includes(value) : wanted === value);

/**
 * The rows of a review that match a filter, in report order.
 *
 * @example
 * ```ts
 * filterRows(report, { status: "excluded", gradeLevel: ["11", "12"] });
 * ```
 */
export function filterRows(report: ReviewReport, filter: RowFilter): ReviewRow[] {
  const search = filter.search?.trim().toLowerCase();
  return report.rows.filter(
    (row) =>
      oneOf(filter.status, row.status) &&
      oneOf(filter.gradeLevel, row.gradeLevel ?? "") &&
      oneOf(filter.schoolCode, row.schoolCode) &&
      (filter.flag === undefined || row.flag === filter.flag) &&
      (!filter.newOnly || withNewUser(row)) &&
      (!filter.needsReview || withNewUser(row) || row.isNewError) &&
      (!filter.newErrorsOnly || row.isNewError) &&
      (!search ||
        `${row.firstName} ${row.lastName}`.toLowerCase().includes(search) ||
        (row.rawEmail ?? "").toLowerCase().includes(search) ||
        row.sourceId.toLowerCase().includes(search)),
  );
}
