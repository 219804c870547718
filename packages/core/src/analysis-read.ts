/**
 * The analysis's first two passes (see `analysis.ts`): one read of each person and of each account that
 * checks its shape, digests it for the plan hash (R11) and normalises its email (R1); the accounts' pass
 * also links them to people and owns their emails in the shared email table.
 *
 * @internal
 * @module
 */

import { isValidEmail, normaliseEmail } from "./email.js";
import { addAccount, addPerson, lastEmailHashSeen, lastEmailKindSeen, newSetDigest, type SetDigest } from "./hash.js";
import type { IdIndex } from "./id-index.js";
import { scratchInt32, scratchTable } from "./scratch.js";
import type { StringTable } from "./string-table.js";
import type { Account, Decisions, SourcePerson } from "./types.js";
import { checkAccount, checkPerson, type InputProblem } from "./validate.js";

/**
 * A record the plan hash's walk refused (it checks each record's shape as it reads it): the validator
 * names what is wrong. Should the two ever disagree, the record is still reported, never let through.
 */
export function malformed(
  check: (value: unknown, i: number, problems: InputProblem[]) => boolean,
  value: unknown,
  i: number,
  problems: InputProblem[],
  at: string,
): void {
  if (check(value, i, problems)) problems.push({ record: at, path: at, message: "is malformed" });
}

/** What the people's pass learns, by position. */
export interface PeopleRead {
  /** Digest of the people for the plan hash (R11). */
  readonly peopleDigest: SetDigest;
  /** Normalised email per person (`""` when missing). */
  readonly email: string[];
  /** 0 valid, 1 missing, 2 invalid (R1). */
  readonly emailKind: Uint8Array;
}

/**
 * Pass 1 — people: check and digest each record for the plan hash (R11) in one read, then judge R1's
 * email (in that same read when the address needs no normalising). A malformed record is added to
 * `problems` and skipped.
 */
export function readPeople(people: readonly SourcePerson[], problems: InputProblem[]): PeopleRead {
  const n = people.length;
  const peopleDigest = newSetDigest();
  // Per-person arrays are allocated once at their final size (filled, so that V8 keeps them packed):
  // grown by push, a million-element array leaves twice its size in garbage behind.
  const email: string[] = new Array<string>(n).fill("");
  const emailKind = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = people[i] as SourcePerson;
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
  return { peopleDigest, email, emailKind };
}

/** What the accounts' pass learns: links, email owners, manual merge targets. */
export interface AccountsRead {
  /** Digest of the accounts for the plan hash (R11). */
  readonly accountsDigest: SetDigest;
  /** Account linked to each person by `sourceId`, −1 for none. */
  readonly linked: Int32Array;
  /** Person linked to each account, −1 when none or gone from the source. */
  readonly accountPerson: Int32Array;
  /** Normalised email of each account. */
  readonly accountEmails: string[];
  /** The email table the accounts' emails are in; the people's pass over duplicates adds theirs. */
  readonly emails: StringTable;
  /** Per email table entry: the account that owns the email (smallest `accountId`), −1 for none. */
  readonly owner: Int32Array;
  /** Per account: its email's entry in {@link emails}, −1 when it has none. */
  readonly accountEntry: Int32Array;
  /** Account id → the person whose manual merge (R6) names it. */
  readonly reservedBy: Map<string, string>;
  /** Account id → position, for the accounts named by manual merges. */
  readonly mergeTargets: Map<string, number>;
}

/** Account id → the person whose manual merge names it. */
export function reservedAccounts(merges: Decisions["merges"]): Map<string, string> {
  const reservedBy = new Map<string, string>();
  for (const sourceId in merges) {
    const accountId = merges[sourceId];
    if (typeof accountId === "string") reservedBy.set(accountId, sourceId);
  }
  return reservedBy;
}

/**
 * Pass 2 — accounts: check, link to people through the sourceId index, own emails (smallest accountId
 * wins when the host holds one address twice), note the accounts named by manual merges. One walk over
 * the accounts: a bad one is only added to `problems` here (the full check lists it, with everything
 * else). `n` is the number of people; the email table is sized for their emails too.
 */
export function readAccounts(
  accounts: readonly Account[],
  n: number,
  ids: IdIndex,
  merges: Decisions["merges"],
  problems: InputProblem[],
): AccountsRead {
  const m = accounts.length;
  const linked = new Int32Array(n).fill(-1);
  const accountPerson = new Int32Array(m).fill(-1);
  const accountEmails: string[] = new Array<string>(m).fill("");
  const emails = scratchTable(1, m + n);
  const owner = scratchInt32(2, m + n, -1);
  // The email table entry of each account's email: a linked person who kept that email finds it here
  // without hashing and probing the table again.
  const accountEntry = scratchInt32(6, m, -1);
  const reservedBy = reservedAccounts(merges);
  const mergeTargets = new Map<string, number>();
  const accountsDigest = newSetDigest();
  const accountIds = new Set<string>();
  for (let j = 0; j < m; j++) {
    const a = accounts[j] as Account;
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
  return {
    accountsDigest,
    linked,
    accountPerson,
    accountEmails,
    emails,
    owner,
    accountEntry,
    reservedBy,
    mergeTargets,
  };
}
