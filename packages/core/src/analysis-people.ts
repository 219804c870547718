/**
 * The analysis's passes over the people once the records are read (see `analysis.ts`): scope (R2),
 * duplicates by email (R3), one status per person with selections and matching (R1, R3, R4, R6), and the
 * settling of emails that change hands within one plan (R3, R8). Each pass takes what the earlier ones
 * produced and returns what it adds.
 *
 * @internal
 * @module
 */

import { EXCLUDED, GRAY, IMPORTABLE, OUT_OF_SCOPE, RED, SKIPPED } from "./analysis-codes.js";
import type { AccountsRead, PeopleRead } from "./analysis-read.js";
import { duplicateFingerprint, resolutionState } from "./duplicates.js";
import type { IdIndex } from "./id-index.js";
import { chooseAccount } from "./matching.js";
import { errorFingerprint } from "./novelty.js";
import { firstListedParents, scopeChildOf, scopeReason, scopeRules, studentScopeReason } from "./scope.js";
import { scratchInt32 } from "./scratch.js";
import { isSelected } from "./selection.js";
import { settleEmails } from "./settle-emails.js";
import type { Account, Decisions, DuplicateGroup, Reason, SourcePerson, SyncProfile } from "./types.js";

/** R2's answer per person. */
export interface Scoped {
  /** Why a person is out of scope, `null` when in scope; later passes add exclusions and `unselected`. */
  readonly reason: (Reason | null)[];
  /** Parents profiles: the child that puts each in-scope parent in scope; `null` for students profiles. */
  readonly scopeChild: (string | null)[] | null;
}

/** R2: scope. Parents need the student scope of their children first. */
export function scopePeople(people: readonly SourcePerson[], profile: SyncProfile, ids: IdIndex): Scoped {
  const n = people.length;
  const rules = scopeRules(profile);
  const reason: (Reason | null)[] = new Array<Reason | null>(n).fill(null);
  if (profile.role === "student") {
    for (let i = 0; i < n; i++) {
      const p = people[i] as SourcePerson;
      reason[i] = p.role === "student" ? studentScopeReason(p, rules) : "wrong-role";
    }
    return { reason, scopeChild: null };
  }
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
  const scopeChild = new Array<string | null>(n).fill(null);
  for (let i = 0; i < n; i++) {
    const p = people[i] as SourcePerson;
    const why = scopeReason(p, rules, childInScope, firstListed);
    reason[i] = why;
    if (why === null) scopeChild[i] = scopeChildOf(p, childInScope);
  }
  return { reason, scopeChild };
}

/** The people's entries in the shared email table, and who shares one. */
export interface EmailGroups {
  /** Per person: their email's entry in the accounts' email table, −1 when not grouped. */
  readonly personEntry: Int32Array;
  /** Email entry → the positions of the people who share it (two or more); `null` when nobody does. */
  readonly shared: Map<number, number[]> | null;
}

/**
 * R3: group in-scope people with a valid email by that email, in the same table as the accounts' (which
 * this adds their emails to).
 */
export function groupByEmail(people: PeopleRead, scoped: Scoped, read: AccountsRead): EmailGroups {
  const { email, emailKind } = people;
  const { reason } = scoped;
  const { linked, accountEmails, accountEntry, emails } = read;
  const n = email.length;
  const firstPerson = scratchInt32(3, accountEmails.length + n, -1);
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
  return { personEntry, shared };
}

/** R3's verdict on the people who share an email. */
export interface DuplicateFlags {
  /** Flag per person (0 none, {@link RED}, {@link GRAY}); later passes flag exclusions red. */
  readonly flag: Uint8Array;
  /** Error fingerprints by position; later passes add the exclusions'. */
  readonly fingerprint: Map<number, string>;
  /** The groups, by email. */
  readonly groups: DuplicateGroup[];
  /** Why each duplicate that is not the chosen one is kept out. */
  readonly duplicateReason: Map<number, Reason>;
}

/**
 * R3: each group of people sharing an email is resolved by the admin's choice (gray: the others are
 * kept out) or not (red: all are kept out, with the group's fingerprint).
 */
export function flagDuplicates(
  people: readonly SourcePerson[],
  groups: EmailGroups,
  read: AccountsRead,
  resolutions: Decisions["duplicates"],
): DuplicateFlags {
  const flag = new Uint8Array(people.length);
  const fingerprint = new Map<number, string>();
  const list: DuplicateGroup[] = [];
  const duplicateReason = new Map<number, Reason>();
  if (groups.shared === null) return { flag, fingerprint, groups: list, duplicateReason };
  for (const [entry, positions] of groups.shared) {
    const e = read.emails.keys[entry] as string;
    const members = positions.map((i) => (people[i] as SourcePerson).sourceId).sort();
    const resolution = resolutions[e];
    const state = resolutionState(resolution, members);
    const chosen = state === "resolved" ? (resolution?.chosen ?? null) : null;
    const red = state !== "resolved";
    const groupFingerprint = red ? duplicateFingerprint(e, members, state === "stale") : null;
    list.push({ email: e, members, chosen, stale: state === "stale", flag: red ? "red" : "gray" });
    for (const i of positions) {
      if ((people[i] as SourcePerson).sourceId === chosen) continue;
      duplicateReason.set(i, red ? "duplicate-unresolved" : "duplicate-other-selected");
      flag[i] = red ? RED : GRAY;
      if (groupFingerprint !== null) fingerprint.set(i, groupFingerprint);
    }
  }
  list.sort((x, y) => (x.email < y.email ? -1 : x.email > y.email ? 1 : 0));
  return { flag, fingerprint, groups: list, duplicateReason };
}

/** One status per person, with their match. */
export interface Judged {
  readonly status: Uint8Array;
  readonly selected: Uint8Array;
  /** Account position the person is matched with, −1 for none (importable and pending people). */
  readonly target: Int32Array;
  /** Match kind code for importable and pending people with a target. */
  readonly match: Uint8Array;
  readonly counts: { importable: number; excluded: number; skipped: number; outOfScope: number };
  /** Selected people whose write takes or moves an email: settled by {@link settlePending}. */
  readonly pending: number[];
  /** Person → the duplicate account merged into their target after the fact (R6); `null` for none. */
  readonly mergedFrom: Map<number, number> | null;
  /** Emails the duplicates merged after the fact release before any write. */
  readonly releasedEmails: string[];
}

/** Whether anyone chose yet: reading an absent key of a large object is a string-table probe. */
function anyKey(record: object): boolean {
  for (const _ in record) return true;
  return false;
}

/**
 * R1, R3, R4, R6: one status per person. Out-of-scope people keep their reason; people with a bad or
 * shared email are excluded; the others are matched with an account and are importable, skipped
 * (unselected), excluded (`email-in-use`), or pending when their write takes or moves an email (settled
 * once it is known which emails this plan frees). Fills in `scoped.reason`, `flags.flag` and
 * `flags.fingerprint` for the people it keeps out.
 */
export function judgePeople(
  people: readonly SourcePerson[],
  accounts: readonly Account[],
  input: { readonly profile: SyncProfile; readonly decisions: Decisions },
  read: PeopleRead,
  accountsRead: AccountsRead,
  scoped: Scoped,
  groups: EmailGroups,
  flags: DuplicateFlags,
): Judged {
  const n = people.length;
  const { email, emailKind } = read;
  const { linked, accountEmails, owner, reservedBy, mergeTargets } = accountsRead;
  const { reason } = scoped;
  const { personEntry } = groups;
  const { flag, fingerprint, duplicateReason } = flags;
  const status = new Uint8Array(n);
  const selected = new Uint8Array(n);
  const target = new Int32Array(n).fill(-1);
  const match = new Uint8Array(n);
  const { decisions, profile } = input;
  const anySelection = anyKey(decisions.selections);
  const merges = decisions.merges;
  const byDefault = profile.defaultSelection;
  const counts = { importable: 0, excluded: 0, skipped: 0, outOfScope: 0 };
  const pending: number[] = [];
  let mergedFrom: Map<number, number> | null = null;
  const releasedEmails: string[] = [];
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
        if (released !== "") releasedEmails.push(released);
      }
      const code = chooseAccount(accounts, sid, l, merge, holder, reservedBy);
      const t = code < 0 ? -1 : code >> 2;
      const taken = holder >= 0 && holder !== t && holder !== duplicate;
      if (selectedNow && (taken || (t >= 0 && accountEmails[t] !== e))) {
        // Takes an email someone holds, or moves an account's email: settled once it is known which
        // emails this plan frees.
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
  return { status, selected, target, match, counts, pending, mergedFrom, releasedEmails };
}

/**
 * Settles the pending people of {@link judgePeople} (R3, R8): importable when their email is free by
 * some round, excluded (`email-in-use`) otherwise. Updates `judged` (status, target, match, counts),
 * `scoped.reason` and `flags`; answers the round per person for the plan's order, or `null` when no
 * write depends on another.
 */
export function settlePending(
  people: readonly SourcePerson[],
  accounts: readonly Account[],
  read: PeopleRead,
  accountsRead: AccountsRead,
  judged: Judged,
  scoped: Scoped,
  flags: DuplicateFlags,
): Int32Array | null {
  const { pending, status, target, match, counts } = judged;
  const { reason } = scoped;
  const { flag, fingerprint } = flags;
  const { emails, owner, accountEmails } = accountsRead;
  const round = settleEmails(pending, read.email, target, accountEmails, emails, owner, judged.releasedEmails);
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
  return roundsOf(people.length, pending, round);
}

/**
 * A manual merge names another account than the one the person is linked to (R6): followed when the
 * linked one is a managed account (a sync made or linked it: the duplicate) and the chosen one is free.
 */
export function isMergeAfterTheFact(duplicate: Account, chosen: Account): boolean {
  return duplicate.managed && chosen.sourceId === undefined && !(chosen.archived && chosen.managed);
}

/** The settling round per person, `null` when every write is in round 0. */
export function roundsOf(
  n: number,
  pending: readonly number[],
  rounds: ReadonlyMap<number, number>,
): Int32Array | null {
  let any = false;
  for (const r of rounds.values()) if (r > 0) any = true;
  if (!any) return null;
  const round = new Int32Array(n);
  for (const i of pending) round[i] = Math.max(0, rounds.get(i) ?? 0);
  return round;
}
