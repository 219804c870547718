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
import { addAccount, addPerson, lastEmailHashSeen, lastEmailKindSeen, newSetDigest, type SetDigest } from "./hash.js";
import { indexIds } from "./id-index.js";
import { chooseAccount } from "./matching.js";
import { errorFingerprint } from "./novelty.js";
import { firstListedParents, scopeChildOf, scopeReason, scopeRules, studentScopeReason } from "./scope.js";
import { scratchInt32, scratchTable } from "./scratch.js";
import { isSelected } from "./selection.js";
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

/**
 * A record the plan hash's walk refused (it checks each record's shape as it reads it): the validator
 * names what is wrong. Should the two ever disagree, the record is still reported, never let through.
 */
function malformed(
  check: (value: unknown, i: number, problems: InputProblem[]) => boolean,
  value: unknown,
  i: number,
  problems: InputProblem[],
  at: string,
): void {
  if (check(value, i, problems)) problems.push({ record: at, path: at, message: "is malformed" });
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

function analyseNow(input: PlanInput): Analysis {
  const problems: InputProblem[] = [];
  if (typeof input !== "object" || input === null || !Array.isArray(input.people) || !Array.isArray(input.accounts)) {
    fail(input, checkPlanInput(input));
  }
  checkSettings(input, problems);
  // With broken settings the record checks below still run, so that one error lists everything.
  const { people, accounts, profile, decisions } = input;
  const n = people.length;
  const m = accounts.length;

  // Pass 1 — people: check and digest for the plan hash (R11) in one read of each record, then R1's
  // email (judged in that same read when the address needs no normalising).
  const peopleDigest = newSetDigest();
  // Per-person arrays are allocated once at their final size (filled, so that V8 keeps them packed):
  // grown by push, a million-element array leaves twice its size in garbage behind.
  const email: string[] = new Array<string>(n).fill("");
  const emailKind = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = people[i];
    if (!addPerson(peopleDigest, p)) {
      malformed(checkPerson, p, i, problems, `people[${i}]`);
      continue;
    }
    // The digest judged an already clean address as it read it; others go through R1's normalisation.
    const seen = lastEmailKindSeen();
    if (seen >= 0) {
      email[i] = p.email as string;
      emailKind[i] = seen;
    } else {
      const e = normaliseEmail(p.email);
      email[i] = e;
      emailKind[i] = e === "" ? 1 : isValidEmail(e) ? 0 : 2;
    }
  }
  // On any problem, the full check runs again so that the error lists everything in input order.
  if (problems.length > 0) fail(input, []);

  // The sourceId index (entry = position); a repeated id fails with the full list of problems.
  const { index: ids, duplicates } = indexIds(people);
  if (duplicates.length > 0) fail(input, []);

  // Pass 2 — accounts: check, link to people through the sourceId index, own emails (smallest accountId
  // wins when the host holds one address twice), note the accounts named by manual merges. One walk
  // over the accounts: a bad one is only noted here (the full check lists it, with everything else).
  const linked = new Int32Array(n).fill(-1);
  const accountPerson = new Int32Array(m).fill(-1);
  const accountEmails: string[] = new Array<string>(m).fill("");
  const emails = scratchTable(1, m + n);
  const owner = scratchInt32(2, m + n, -1);
  const firstPerson = scratchInt32(3, m + n, -1);
  // The email table entry of each account's email: a linked person who kept that email finds it here
  // without hashing and probing the table again.
  const accountEntry = scratchInt32(6, m, -1);
  const reservedBy = new Map<string, string>();
  for (const sourceId in decisions.merges) {
    const accountId = decisions.merges[sourceId];
    if (typeof accountId === "string") reservedBy.set(accountId, sourceId);
  }
  const mergeTargets = new Map<string, number>();
  const accountsDigest = newSetDigest();
  const accountIds = new Set<string>();
  for (let j = 0; j < m; j++) {
    const a = accounts[j];
    if (!addAccount(accountsDigest, a)) {
      malformed(checkAccount, a, j, problems, `accounts[${j}]`);
      continue;
    }
    if (accountIds.size === accountIds.add(a.accountId).size) {
      problems.push({
        record: `account ${a.accountId}`,
        path: `accounts[${j}].accountId`,
        message: "is a duplicate accountId",
      });
    }
    const seen = lastEmailKindSeen();
    const e = seen >= 0 ? a.email : normaliseEmail(a.email);
    accountEmails[j] = e;
    if (a.sourceId !== undefined) {
      const pi = ids.find(a.sourceId);
      if (pi >= 0) {
        if (linked[pi] !== -1) {
          problems.push({
            record: `account ${a.accountId}`,
            path: `accounts[${j}].sourceId`,
            message: `person ${a.sourceId} is linked to another account too`,
          });
        }
        linked[pi] = j;
        accountPerson[j] = pi;
      }
    }
    if (e !== "") {
      const entry = seen >= 0 ? emails.addHashed(e, lastEmailHashSeen()) : emails.add(e);
      accountEntry[j] = entry;
      const held = owner[entry] as number;
      if (held < 0 || (accounts[held] as Account).accountId > a.accountId) owner[entry] = j;
    }
    if (reservedBy.size > 0 && reservedBy.has(a.accountId)) mergeTargets.set(a.accountId, j);
  }
  if (problems.length > 0) fail(input, []);

  // R2: scope. Parents need the student scope of their children first.
  const rules = scopeRules(profile);
  const reason: (Reason | null)[] = new Array<Reason | null>(n).fill(null);
  let scopeChild: (string | null)[] | null = null;
  if (profile.role === "student") {
    for (let i = 0; i < n; i++) {
      const p = people[i] as SourcePerson;
      reason[i] = p.role === "student" ? studentScopeReason(p, rules) : "wrong-role";
    }
  } else {
    const childOk = scratchInt32(5, n, 0);
    for (let i = 0; i < n; i++) {
      const p = people[i] as SourcePerson;
      if (p.role === "student" && studentScopeReason(p, rules) === null) childOk[i] = 1;
    }
    const childInScope = (id: string): boolean => {
      const j = ids.find(id);
      return j >= 0 && childOk[j] === 1;
    };
    const firstListed = rules.listedFirstOnly ? firstListedParents(people) : new Map<string, string>();
    scopeChild = new Array<string | null>(n).fill(null);
    for (let i = 0; i < n; i++) {
      const p = people[i] as SourcePerson;
      const why = scopeReason(p, rules, childInScope, firstListed);
      reason[i] = why;
      if (why === null) scopeChild[i] = scopeChildOf(p, childInScope);
    }
  }

  // R3: group in-scope people with a valid email by that email, in the same table as the accounts'.
  const personEntry = scratchInt32(4, n, -1);
  let shared: Map<number, number[]> | null = null;
  for (let i = 0; i < n; i++) {
    if (reason[i] !== null || emailKind[i] !== 0) continue;
    const e = email[i] as string;
    const l = linked[i] as number;
    const entry = l >= 0 && accountEmails[l] === e ? (accountEntry[l] as number) : emails.add(e);
    personEntry[i] = entry;
    const first = firstPerson[entry] as number;
    if (first < 0) {
      firstPerson[entry] = i;
      continue;
    }
    shared ??= new Map();
    const group = shared.get(entry);
    if (group === undefined) shared.set(entry, [first, i]);
    else group.push(i);
  }
  const flag = new Uint8Array(n);
  const fingerprint = new Map<number, string>();
  const status = new Uint8Array(n);
  const groups: DuplicateGroup[] = [];
  const duplicateReason = new Map<number, Reason>();
  if (shared !== null) {
    for (const [entry, positions] of shared) {
      const e = emails.keys[entry] as string;
      const members = positions.map((i) => (people[i] as SourcePerson).sourceId).sort();
      const resolution = decisions.duplicates[e];
      const state = resolutionState(resolution, members);
      const chosen = state === "resolved" ? (resolution?.chosen ?? null) : null;
      const red = state !== "resolved";
      const groupFingerprint = red ? duplicateFingerprint(e, members, state === "stale") : null;
      groups.push({ email: e, members, chosen, stale: state === "stale", flag: red ? "red" : "gray" });
      for (const i of positions) {
        if ((people[i] as SourcePerson).sourceId === chosen) continue;
        duplicateReason.set(i, red ? "duplicate-unresolved" : "duplicate-other-selected");
        flag[i] = red ? RED : GRAY;
        if (groupFingerprint !== null) fingerprint.set(i, groupFingerprint);
      }
    }
    groups.sort((x, y) => (x.email < y.email ? -1 : x.email > y.email ? 1 : 0));
  }

  // R1, R3, R4, R6: one status per person.
  const selected = new Uint8Array(n);
  const target = new Int32Array(n).fill(-1);
  const match = new Uint8Array(n);
  // Reading an absent key of a large object is a string-table probe; skip it when nobody chose yet.
  let anySelection = false;
  for (const _ in decisions.selections) {
    anySelection = true;
    break;
  }
  const merges = decisions.merges;
  const byDefault = profile.defaultSelection;
  const counts = { importable: 0, excluded: 0, skipped: 0, outOfScope: 0 };
  const pending: number[] = [];
  let mergedFrom: Map<number, number> | null = null;
  let releasedEmails: string[] | null = null;
  for (let i = 0; i < n; i++) {
    const p = people[i] as SourcePerson;
    const sid = p.sourceId;
    // R4 is selection.ts's `isSelected`; with no choice recorded at all, everyone has the default.
    const selectedNow = anySelection ? isSelected(sid, decisions, profile) : byDefault;
    if (selectedNow) selected[i] = 1;
    if (reason[i] !== null) {
      status[i] = OUT_OF_SCOPE;
      counts.outOfScope++;
      continue;
    }
    const kind = emailKind[i];
    let excludedFor: Reason | null = null;
    if (kind === 1) excludedFor = "missing-email";
    else if (kind === 2) excludedFor = "invalid-email";
    else if (flag[i] !== 0) excludedFor = duplicateReason.get(i) ?? null;
    if (excludedFor === null) {
      const e = email[i] as string;
      let merge = -1;
      if (mergeTargets.size > 0) {
        const accountId = merges[sid];
        if (typeof accountId === "string") merge = mergeTargets.get(accountId) ?? -1;
      }
      const holder = owner[personEntry[i] as number] as number;
      let l = linked[i] as number;
      let duplicate = -1;
      if (
        l >= 0 &&
        merge >= 0 &&
        merge !== l &&
        isMergeAfterTheFact(accounts[l] as Account, accounts[merge] as Account)
      ) {
        // R6 after the fact: the admin merged a person who already has a sync-made account into the account
        // they had before; the duplicate is archived (`merged`) and releases its email before any write.
        duplicate = l;
        l = -1;
        mergedFrom ??= new Map();
        mergedFrom.set(i, duplicate);
        const released = accountEmails[duplicate] as string;
        if (released !== "") {
          releasedEmails ??= [];
          releasedEmails.push(released);
        }
      }
      const code = chooseAccount(accounts, sid, l, merge, holder, reservedBy);
      const t = code < 0 ? -1 : code >> 2;
      const taken = holder >= 0 && holder !== t && holder !== duplicate;
      if (selectedNow && (taken || (t >= 0 && accountEmails[t] !== e))) {
        // Takes an email someone holds, or moves an account's email: settled below, once it is
        // known which emails this plan frees.
        target[i] = t;
        if (t >= 0) match[i] = code & 3;
        pending.push(i);
        continue;
      }
      if (taken) {
        excludedFor = "email-in-use";
        fingerprint.set(i, errorFingerprint("email-in-use", [sid, (accounts[holder] as Account).accountId]));
      } else if (selectedNow) {
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
    if (kind !== 0) fingerprint.set(i, errorFingerprint(excludedFor, [sid]));
  }

  const holderOf = (e: string): number | undefined => {
    const entry = emails.find(e);
    const h = entry < 0 ? -1 : (owner[entry] as number);
    return h < 0 ? undefined : h;
  };
  const round = settleEmails(pending, email, target, accountEmails, holderOf, releasedEmails ?? []);
  for (const i of pending) {
    const settled = round.get(i) ?? -1;
    if (settled >= 0) {
      status[i] = IMPORTABLE;
      counts.importable++;
      continue;
    }
    const p = people[i] as SourcePerson;
    const holder = -2 - settled;
    status[i] = EXCLUDED;
    reason[i] = "email-in-use";
    flag[i] = RED;
    fingerprint.set(
      i,
      errorFingerprint("email-in-use", [p.sourceId, holder >= 0 ? (accounts[holder] as Account).accountId : "new"]),
    );
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
    scopeChild,
    mergedFrom,
    flag,
    selected,
    target,
    match,
    linked,
    accountPerson,
    accountEmails,
    fingerprint,
    groups,
    counts,
    peopleDigest,
    accountsDigest,
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
  ownerOf: (email: string) => number | undefined,
  released: readonly string[],
): Map<number, number> {
  const result = new Map<number, number>();
  if (pending.length === 0) return result;
  // Emails whose holder changes in this plan: −1 freed, −2 taken by a new account, ≥ 0 an account.
  // Duplicates merged after the fact release theirs before any write (their archives come first).
  const changed = new Map<string, number>();
  for (const e of released) changed.set(e, -1);
  const holder = (e: string): number | undefined => (changed.has(e) ? changed.get(e) : ownerOf(e));
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

/**
 * A manual merge names another account than the one the person is linked to (R6): followed when the
 * linked one is a managed account (a sync made or linked it: the duplicate) and the chosen one is free.
 */
function isMergeAfterTheFact(duplicate: Account, chosen: Account): boolean {
  return duplicate.managed && chosen.sourceId === undefined && !(chosen.archived && chosen.managed);
}

function roundsOf(n: number, pending: readonly number[], rounds: ReadonlyMap<number, number>): Int32Array | null {
  let any = false;
  for (const r of rounds.values()) if (r > 0) any = true;
  if (!any) return null;
  const round = new Int32Array(n);
  for (const i of pending) round[i] = Math.max(0, rounds.get(i) ?? 0);
  return round;
}
