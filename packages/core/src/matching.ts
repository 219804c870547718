/**
 * R6 — matching. For an importable person: the account linked to them (update / restore), else the
 * admin's manual merge (link), else an unlinked account with the same normalised email (link: the
 * account keeps its hours), else a new account (add). It never merges different emails by itself.
 *
 * @module
 */

import { normaliseEmail } from "./email.js";
import type { Account, Decisions } from "./types.js";

/** How a person found their account. */
export const MATCH_KINDS = ["none", "linked", "manual-merge", "email-match"] as const;
/** A match kind; see {@link MATCH_KINDS}. */
export type MatchKind = (typeof MATCH_KINDS)[number];

/** The accounts, indexed once for matching. Values are positions in the accounts array. */
export interface AccountIndex {
  readonly accounts: readonly Account[];
  /** `sourceId` → the account linked to it. */
  readonly bySourceId: Map<string, number>;
  /** Normalised email → the account that owns it (the smallest `accountId` if the host has two). */
  readonly byEmail: Map<string, number>;
  /** Normalised email of each account. */
  readonly emails: string[];
  /** `accountId` → position, for accounts named by a manual merge. */
  readonly mergeTargets: Map<string, number>;
  /** `accountId` → the `sourceId` whose manual merge reserves it. */
  readonly reservedBy: ReadonlyMap<string, string>;
}

/**
 * Index accounts for matching (R6). Accounts that fail `usable` (bad records) are left out;
 * `onDoubleLink` hears of a second account linked to the same person.
 *
 * @example
 * ```ts
 * const index = indexAccounts(accounts, decisions);
 * findAccount(index, "1042", "ann@school.org", decisions) // { account: 3, kind: "email-match" }
 * ```
 */
export function indexAccounts(
  accounts: readonly Account[],
  decisions: Decisions,
  usable?: (position: number) => boolean,
  onDoubleLink?: (position: number, sourceId: string) => void,
): AccountIndex {
  const bySourceId = new Map<string, number>();
  const byEmail = new Map<string, number>();
  const emails: string[] = [];
  const mergeTargets = new Map<string, number>();
  const reservedBy = new Map<string, string>();
  for (const sourceId in decisions.merges) {
    const accountId = decisions.merges[sourceId];
    if (typeof accountId === "string") reservedBy.set(accountId, sourceId);
  }
  const merging = reservedBy.size > 0;
  for (let i = 0; i < accounts.length; i++) {
    if (usable !== undefined && !usable(i)) {
      emails.push("");
      continue;
    }
    const a = accounts[i] as Account;
    const email = normaliseEmail(a.email);
    emails.push(email);
    if (a.sourceId !== undefined) {
      const size = bySourceId.size;
      bySourceId.set(a.sourceId, i);
      // Two accounts linked to one person is a host bug the plan cannot choose between.
      if (bySourceId.size === size && onDoubleLink !== undefined) onDoubleLink(i, a.sourceId);
    }
    if (email !== "") {
      const owner = byEmail.get(email);
      if (owner === undefined || (accounts[owner] as Account).accountId > a.accountId) byEmail.set(email, i);
    }
    if (merging && reservedBy.has(a.accountId)) mergeTargets.set(a.accountId, i);
  }
  return { accounts, bySourceId, byEmail, emails, mergeTargets, reservedBy };
}

/** The result of {@link findAccount}: the account's position (−1 for none) and how it was found. */
export interface AccountMatch {
  readonly account: number;
  readonly kind: MatchKind;
}

/**
 * Encode a match as one number (position × 4 + kind) so the planner's hot loop allocates nothing.
 * @internal
 */
export function findAccountCode(index: AccountIndex, sourceId: string, email: string, decisions: Decisions): number {
  const linked = index.bySourceId.get(sourceId) ?? -1;
  let merge = -1;
  if (linked < 0 && index.mergeTargets.size > 0) {
    const accountId = decisions.merges[sourceId];
    if (typeof accountId === "string") merge = index.mergeTargets.get(accountId) ?? -1;
  }
  const owner = email === "" ? -1 : (index.byEmail.get(email) ?? -1);
  return chooseAccount(index.accounts, sourceId, linked, merge, owner, index.reservedBy);
}

/**
 * The R6 order of preference, given the candidates already looked up: the linked account, else the
 * manual merge's account, else the unlinked owner of the email (−1 for none). Answers position × 4 +
 * kind, or −4 when a new account is needed.
 * @internal
 */
export function chooseAccount(
  accounts: readonly Account[],
  sourceId: string,
  linked: number,
  merge: number,
  emailOwner: number,
  reservedBy: ReadonlyMap<string, string>,
): number {
  if (linked >= 0) return linked * 4 + 1;
  // A merge into an account someone else is linked to, or one a sync archived, is not followed.
  if (merge >= 0 && linkable(accounts[merge] as Account)) return merge * 4 + 2;
  if (emailOwner < 0) return -4;
  const account = accounts[emailOwner] as Account;
  if (!linkable(account)) return -4;
  // An account the admin reserved for someone else by a manual merge is not auto-merged.
  const reserved = reservedBy.size > 0 ? reservedBy.get(account.accountId) : undefined;
  return reserved === undefined || reserved === sourceId ? emailOwner * 4 + 3 : -4;
}

/**
 * An account a sync may link: nobody's yet, and active, or archived by the host and never synced (not
 * managed): linking restores that one, with its hours. An account a sync archived stays archived.
 */
function linkable(account: Account): boolean {
  return account.sourceId === undefined && (!account.archived || !account.managed);
}

/**
 * The account a person should be matched with (R6): linked, else manual merge, else unlinked account
 * with the same normalised email; `account: -1` when a new account is needed.
 */
export function findAccount(index: AccountIndex, sourceId: string, email: string, decisions: Decisions): AccountMatch {
  const code = findAccountCode(index, sourceId, email, decisions);
  return code < 0 ? { account: -1, kind: "none" } : { account: code >> 2, kind: MATCH_KINDS[code & 3] as MatchKind };
}
