/**
 * The one pass that review and plan share: validate, normalise emails (R1), scope (R2), duplicates
 * (R3), selections (R4) and matching (R6), into flat arrays indexed by the person's position. Internal:
 * the public surface is `review` and `plan`.
 *
 * @internal
 * @module
 */

import { duplicateFingerprint, resolutionState } from "./duplicates.js";
import { isValidEmail, normaliseEmail } from "./email.js";
import { type AccountIndex, findAccountCode, indexAccounts } from "./matching.js";
import { errorFingerprint } from "./novelty.js";
import { firstListedParents, scopeReason, scopeRules, studentScopeReason } from "./scope.js";
import type { Account, DuplicateGroup, PlanInput, Reason, ReviewStatus, SourcePerson } from "./types.js";
import {
  checkAccount,
  checkPerson,
  checkPlanInput,
  checkSettings,
  type InputProblem,
  RosterInputError,
} from "./validate.js";

/** Status codes, in the order of {@link STATUS_NAMES}. */
export const IMPORTABLE = 0;
/** A data error keeps the person out. */
export const EXCLUDED = 1;
/** The admin's choice keeps the person out. */
export const SKIPPED = 2;
/** Outside the profile's scope. */
export const OUT_OF_SCOPE = 3;
/** Status names by code. */
export const STATUS_NAMES: readonly ReviewStatus[] = ["importable", "excluded", "skipped", "out-of-scope"];
/** Flag codes: none, red, gray. */
export const RED = 1;
/** Resolved duplicate. */
export const GRAY = 2;

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
  readonly fingerprint: (string | null)[];
  /**
   * For writes that depend on an email this plan frees: the round in which they may run (0 needs
   * nothing freed). `null` when no write depends on another.
   */
  readonly round: Int32Array | null;
  readonly groups: DuplicateGroup[];
  readonly index: AccountIndex;
  readonly counts: { importable: number; excluded: number; skipped: number; outOfScope: number };
}

function nulls<T>(n: number): (T | null)[] {
  const list: (T | null)[] = [];
  for (let i = 0; i < n; i++) list.push(null);
  return list;
}

function fail(input: PlanInput, problems: InputProblem[]): never {
  throw new RosterInputError(problems.length > 0 ? problems : checkPlanInput(input));
}

/**
 * Analyse a plan input. Throws {@link RosterInputError} listing every bad record.
 * @internal
 */
export function analyse(input: PlanInput): Analysis {
  const problems: InputProblem[] = [];
  if (typeof input !== "object" || input === null || !Array.isArray(input.people) || !Array.isArray(input.accounts)) {
    fail(input, checkPlanInput(input));
  }
  checkSettings(input, problems);
  // With broken settings the person checks below still run, so that one error lists everything.
  const { people, accounts, profile, decisions } = input;
  const n = people.length;
  const personIndex = new Map<string, number>();
  // Arrays are grown by push: `new Array(n)` for large n makes a slow dictionary-backed array in V8.
  const email: string[] = [];
  const emailKind = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = people[i];
    if (!checkPerson(p, i, problems)) {
      email.push("");
      continue;
    }
    const size = personIndex.size;
    personIndex.set(p.sourceId, i);
    if (personIndex.size === size) {
      problems.push({
        record: `person ${p.sourceId}`,
        path: `people[${i}].sourceId`,
        message: "is a duplicate sourceId",
      });
    }
    const e = normaliseEmail(p.email);
    email.push(e);
    emailKind[i] = e === "" ? 1 : isValidEmail(e) ? 0 : 2;
  }
  for (let i = 0; i < accounts.length; i++) checkAccount(accounts[i], i, problems);
  // On any problem, the full check runs again so that the error lists everything in input order.
  if (problems.length > 0) fail(input, []);
  const index = indexAccounts(accounts, decisions, undefined, (i, sourceId) => {
    problems.push({
      record: `account ${(accounts[i] as Account).accountId}`,
      path: `accounts[${i}].sourceId`,
      message: `person ${sourceId} is linked to another account too`,
    });
  });
  if (problems.length > 0) fail(input, []);

  // R2: scope. Parents need the student scope of their children first.
  const rules = scopeRules(profile);
  const reason: (Reason | null)[] = [];
  if (profile.role === "student") {
    for (let i = 0; i < n; i++) {
      const p = people[i] as SourcePerson;
      reason.push(p.role === "student" ? studentScopeReason(p, rules) : "wrong-role");
    }
  } else {
    const childOk = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const p = people[i] as SourcePerson;
      if (p.role === "student" && studentScopeReason(p, rules) === null) childOk[i] = 1;
    }
    const childInScope = (id: string): boolean => {
      const j = personIndex.get(id);
      return j !== undefined && childOk[j] === 1;
    };
    const firstListed = rules.listedFirstOnly ? firstListedParents(people) : new Map<string, string>();
    for (let i = 0; i < n; i++) reason.push(scopeReason(people[i] as SourcePerson, rules, childInScope, firstListed));
  }

  // R3: group in-scope people with a valid email by that email.
  const firstByEmail = new Map<string, number>();
  const shared = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    if (reason[i] !== null || emailKind[i] !== 0) continue;
    const e = email[i] as string;
    const size = firstByEmail.size;
    firstByEmail.set(e, i);
    if (firstByEmail.size !== size) continue;
    // Already there: restore the first member and record the group.
    const group = shared.get(e);
    if (group === undefined) {
      const first = firstByEmail.get(e) as number;
      shared.set(e, [first, i]);
    } else group.push(i);
  }
  // `set` above overwrote the first member's position; fix the first member of every group.
  const flag = new Uint8Array(n);
  const fingerprint = nulls<string>(n);
  const status = new Uint8Array(n);
  const groups: DuplicateGroup[] = [];
  const duplicateReason = nulls<Reason>(n);
  if (shared.size > 0) {
    const firstOf = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      if (reason[i] !== null || emailKind[i] !== 0) continue;
      const e = email[i] as string;
      if (shared.has(e) && !firstOf.has(e)) firstOf.set(e, i);
    }
    for (const [e, positions] of shared) {
      const first = firstOf.get(e) as number;
      positions[0] = first;
      const members = [...new Set(positions)].map((i) => (people[i] as SourcePerson).sourceId).sort();
      const resolution = decisions.duplicates[e];
      const state = resolutionState(resolution, members);
      const chosen = state === "resolved" ? (resolution?.chosen ?? null) : null;
      const red = state !== "resolved";
      const groupFingerprint = red ? duplicateFingerprint(e, members, state === "stale") : null;
      groups.push({ email: e, members, chosen, stale: state === "stale", flag: red ? "red" : "gray" });
      for (const i of positions) {
        const id = (people[i] as SourcePerson).sourceId;
        if (id === chosen) continue;
        duplicateReason[i] = red ? "duplicate-unresolved" : "duplicate-other-selected";
        flag[i] = red ? RED : GRAY;
        fingerprint[i] = groupFingerprint;
      }
    }
    groups.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  }

  // R1, R3, R4, R6: one status per person.
  const selected = new Uint8Array(n);
  const target = new Int32Array(n).fill(-1);
  const match = new Uint8Array(n);
  const linked = new Int32Array(n).fill(-1);
  const accountPerson = new Int32Array(accounts.length).fill(-1);
  const selections = decisions.selections;
  const byEmail = index.byEmail;
  const bySourceId = index.bySourceId;
  const fallback = profile.defaultSelection;
  const counts = { importable: 0, excluded: 0, skipped: 0, outOfScope: 0 };
  const accountEmails = index.emails;
  const pending: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = people[i] as SourcePerson;
    const sid = p.sourceId;
    const l = bySourceId.get(sid);
    if (l !== undefined) {
      linked[i] = l;
      accountPerson[l] = i;
    }
    const choice = selections[sid];
    const isSelected = typeof choice === "boolean" ? choice : fallback;
    if (isSelected) selected[i] = 1;
    if (reason[i] !== null) {
      status[i] = OUT_OF_SCOPE;
      counts.outOfScope++;
      continue;
    }
    const kind = emailKind[i];
    let excludedFor: Reason | null = null;
    if (kind === 1) excludedFor = "missing-email";
    else if (kind === 2) excludedFor = "invalid-email";
    else excludedFor = duplicateReason[i] ?? null;
    if (excludedFor === null) {
      const e = email[i] as string;
      const code = findAccountCode(index, sid, e, decisions);
      const t = code < 0 ? -1 : code >> 2;
      const owner = byEmail.get(e);
      const taken = owner !== undefined && owner !== t;
      if (isSelected && (taken || (t >= 0 && accountEmails[t] !== e))) {
        // Takes an email someone holds, or moves an account's email: settled below, once it is
        // known which emails this plan frees.
        target[i] = t;
        if (t >= 0) match[i] = code & 3;
        pending.push(i);
        continue;
      }
      if (taken) {
        excludedFor = "email-in-use";
        fingerprint[i] = errorFingerprint("email-in-use", [sid, (accounts[owner] as Account).accountId]);
      } else if (isSelected) {
        target[i] = t;
        if (t >= 0) match[i] = code & 3;
        status[i] = IMPORTABLE;
        counts.importable++;
        continue;
      } else {
        status[i] = SKIPPED;
        reason[i] = "unselected";
        counts.skipped++;
        continue;
      }
    }
    status[i] = EXCLUDED;
    reason[i] = excludedFor;
    counts.excluded++;
    if (flag[i] === 0) flag[i] = RED;
    if (kind !== 0) fingerprint[i] = errorFingerprint(excludedFor, [sid]);
  }

  const round = settleEmails(pending, email, target, accountEmails, byEmail);
  for (const i of pending) {
    const settled = round.get(i) ?? -1;
    if (settled >= 0) {
      status[i] = IMPORTABLE;
      counts.importable++;
      continue;
    }
    const p = people[i] as SourcePerson;
    const owner = -2 - settled;
    status[i] = EXCLUDED;
    reason[i] = "email-in-use";
    flag[i] = RED;
    fingerprint[i] = errorFingerprint("email-in-use", [
      p.sourceId,
      owner >= 0 ? (accounts[owner] as Account).accountId : "new",
    ]);
    target[i] = -1;
    match[i] = 0;
    counts.excluded++;
  }

  return {
    input,
    people,
    accounts,
    email,
    emailKind,
    status,
    round: roundsOf(n, pending, round),
    reason,
    flag,
    selected,
    target,
    match,
    linked,
    accountPerson,
    fingerprint,
    groups,
    index,
    counts,
  };
}

/**
 * R3/R8 with emails that change hands within one plan. A person whose email an account holds can take
 * it once that account moves to its own person's new email; an account can move to an email once its
 * holder moved away. Settled in rounds: a write of round r only needs the frees of earlier rounds, so
 * applying the plan in round order never hits the host's unique-email rule, and planning again after the
 * apply finds nothing new (convergence). Cycles (two accounts swapping emails) never settle: they stay
 * conflicts. Answers, per pending person, the round (≥ 0), or `-2 - owner` for a conflict with the
 * account at `owner`.
 */
function settleEmails(
  pending: readonly number[],
  email: readonly string[],
  target: Int32Array,
  accountEmails: readonly string[],
  byEmail: ReadonlyMap<string, number>,
): Map<number, number> {
  const result = new Map<number, number>();
  if (pending.length === 0) return result;
  // Emails whose holder changes in this plan: −1 freed, −2 taken by a new account, ≥ 0 an account.
  const changed = new Map<string, number>();
  const holder = (e: string): number | undefined => (changed.has(e) ? changed.get(e) : byEmail.get(e));
  let open = pending;
  for (let r = 0; open.length > 0; r++) {
    const ready: number[] = [];
    const waiting: number[] = [];
    for (const i of open) {
      const h = holder(email[i] as string);
      if (h === undefined || h === -1 || h === target[i]) ready.push(i);
      else waiting.push(i);
    }
    if (ready.length === 0) break;
    // Apply the round's changes only after the round, so that a round never depends on itself.
    for (const i of ready) {
      result.set(i, r);
      const t = target[i] as number;
      const e = email[i] as string;
      if (t >= 0) {
        const old = accountEmails[t] as string;
        if (old !== e && holder(old) === t) changed.set(old, -1);
        changed.set(e, t);
      } else changed.set(e, -2);
    }
    open = waiting;
  }
  for (const i of open) {
    const h = holder(email[i] as string);
    result.set(i, h !== undefined && h >= 0 ? -2 - h : -1);
  }
  return result;
}

function roundsOf(n: number, pending: readonly number[], rounds: ReadonlyMap<number, number>): Int32Array | null {
  let any = false;
  for (const r of rounds.values()) if (r > 0) any = true;
  if (!any) return null;
  const round = new Int32Array(n);
  for (const i of pending) round[i] = Math.max(0, rounds.get(i) ?? 0);
  return round;
}
