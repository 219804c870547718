/**
 * The one pass that review and plan share: validate, normalise emails (R1), scope (R2), duplicates
 * (R3), selections (R4) and matching (R6), into flat arrays indexed by the person's position. Internal:
 * the public surface is `review` and `plan`.
 *
 * @internal
 * @module
 */

import { flagDuplicates, groupByEmail, judgePeople, scopePeople, settlePending } from "./analysis-people.js";
import { readAccounts, readPeople } from "./analysis-read.js";
import type { SetDigest } from "./hash.js";
import { indexIds } from "./id-index.js";
import type { Account, DuplicateGroup, PlanInput, Reason, SourcePerson } from "./types.js";
import { checkPlanInput, checkSettings, type InputProblem, RosterInputError } from "./validate.js";

export { EXCLUDED, GRAY, IMPORTABLE, OUT_OF_SCOPE, RED, SKIPPED, STATUS_NAMES } from "./analysis-codes.js";

/** Everything the review and the plan need to know per person. */
export interface Analysis {
  readonly input: PlanInput;
  readonly people: readonly SourcePerson[];
  readonly accounts: readonly Account[];
  /** Normalised email per person (`""` when missing). */
  readonly email: string[];
  /** 0 valid, 1 missing, 2 invalid (R1). */
  readonly emailKind: Uint8Array;
  readonly status: Uint8Array;
  /** The reason of a non-importable person (scope, exclusion or `unselected`). */
  readonly reason: (Reason | null)[];
  /**
   * Merges after the fact (R6): importable person's position → the position of the duplicate account they
   * are linked to now, archived (`merged`) into their target. `null` when there is none.
   */
  readonly mergedFrom: ReadonlyMap<number, number> | null;
  /** Parents profiles: the child that puts each in-scope parent in scope (R2); `null` for students profiles. */
  readonly scopeChild: (string | null)[] | null;
  readonly flag: Uint8Array;
  readonly selected: Uint8Array;
  /** Account position the person is matched with, −1 for none (importable people only). */
  readonly target: Int32Array;
  /** Match kind code (see `MATCH_KINDS`) for importable people with a target. */
  readonly match: Uint8Array;
  /** Account linked to the person by `sourceId`, −1 for none. */
  readonly linked: Int32Array;
  /** Person linked to each account, −1 when none or gone from the source. */
  readonly accountPerson: Int32Array;
  /** Error fingerprints of the excluded people, by position. */
  readonly fingerprint: Map<number, string>;
  /**
   * For writes that depend on an email this plan frees: the round in which they may run (0 needs
   * nothing freed). `null` when no write depends on another.
   */
  readonly round: Int32Array | null;
  readonly groups: DuplicateGroup[];
  /** Normalised email of each account. */
  readonly accountEmails: string[];
  readonly counts: { importable: number; excluded: number; skipped: number; outOfScope: number };
  /** Digests of the people and of the accounts for the plan hash (R11), taken while validating them. */
  readonly peopleDigest: SetDigest;
  readonly accountsDigest: SetDigest;
}

function fail(input: PlanInput, problems: InputProblem[]): never {
  throw new RosterInputError(problems.length > 0 ? problems : checkPlanInput(input));
}

interface CacheEntry {
  readonly analysis: Analysis;
  readonly parts: readonly unknown[];
}

// review(input) then plan(input) is the usual flow; the second call reuses the first one's analysis.
// Held weakly by the input object, and only while none of its parts was swapped or resized.
const cache = new WeakMap<PlanInput, CacheEntry>();

function partsOf(input: PlanInput): unknown[] {
  return [
    input.people,
    input.people.length,
    input.accounts,
    input.accounts.length,
    input.profile,
    input.decisions,
    input.lastRun,
    input.targetFields,
  ];
}

/**
 * The analysis of an input, shared by `review`, `plan` and `mergeCandidates` called with the same input
 * object. Inputs are treated as immutable: mutating records in place between calls is not supported.
 * @internal
 */
export function analyse(input: PlanInput): Analysis {
  const valid =
    typeof input === "object" && input !== null && Array.isArray(input.people) && Array.isArray(input.accounts);
  if (valid) {
    const hit = cache.get(input);
    if (hit !== undefined) {
      const parts = partsOf(input);
      if (parts.every((part, k) => part === hit.parts[k])) return hit.analysis;
    }
  }
  const analysis = analyseNow(input);
  cache.set(input, { analysis, parts: partsOf(input) });
  return analysis;
}

/**
 * The analysis's passes in order, each a module function with explicit inputs (see `analysis-read.ts` and
 * `analysis-people.ts`). Any problem with a record fails with the full check of the input, so that one
 * error lists everything in input order.
 */
function analyseNow(input: PlanInput): Analysis {
  const problems: InputProblem[] = [];
  if (typeof input !== "object" || input === null || !Array.isArray(input.people) || !Array.isArray(input.accounts)) {
    fail(input, checkPlanInput(input));
  }
  checkSettings(input, problems);
  // With broken settings the record checks below still run, so that one error lists everything.
  const { people, accounts, profile, decisions } = input;
  const read = readPeople(people, problems);
  if (problems.length > 0) fail(input, []);
  // The sourceId index (entry = position); a repeated id fails with the full list of problems.
  const { index: ids, duplicates } = indexIds(people);
  if (duplicates.length > 0) fail(input, []);
  const accountsRead = readAccounts(accounts, people.length, ids, decisions.merges, problems);
  if (problems.length > 0) fail(input, []);

  const scoped = scopePeople(people, profile, ids);
  const groups = groupByEmail(read, scoped, accountsRead);
  const flags = flagDuplicates(people, groups, accountsRead, decisions.duplicates);
  const judged = judgePeople(people, accounts, input, read, accountsRead, scoped, groups, flags);
  const round = settlePending(people, accounts, read, accountsRead, judged, scoped, flags);

  return {
    input,
    people,
    accounts,
    email: read.email,
    emailKind: read.emailKind,
    status: judged.status,
    round,
    reason: scoped.reason,
    scopeChild: scoped.scopeChild,
    mergedFrom: judged.mergedFrom,
    flag: flags.flag,
    selected: judged.selected,
    target: judged.target,
    match: judged.match,
    linked: accountsRead.linked,
    accountPerson: accountsRead.accountPerson,
    accountEmails: accountsRead.accountEmails,
    fingerprint: flags.fingerprint,
    groups: flags.groups,
    counts: judged.counts,
    peopleDigest: read.peopleDigest,
    accountsDigest: accountsRead.accountsDigest,
  };
}
