/**
 * R6 — merge candidates. A person who gets a new account because no account has their email may already
 * be in the host under another email. The SDK lists such accounts for the admin to merge by hand; it never
 * merges them itself. The same holds after the fact: once the duplicate account exists (the person is linked
 * to an account a sync made), the look-alike is still listed, and a manual merge links the person to it and
 * archives the duplicate (`merged`).
 *
 * @module
 */

import { analyse, IMPORTABLE } from "./analysis.js";
import { familyGroupId } from "./families.js";
import type { Account, PlanInput, SourcePerson } from "./types.js";

/**
 * Why an account looks like the same person: the same first and last name (always), a shared family, the
 * same birth date.
 */
export type MergeEvidence = "same-name" | "same-family" | "same-birth-date";

/** A person and an existing account that may be them. */
export interface MergeCandidate {
  readonly sourceId: string;
  readonly accountId: string;
  readonly personName: string;
  readonly personEmail: string | null;
  readonly accountEmail: string;
  /** `same-name` first, then what else agrees. */
  readonly evidence: readonly MergeEvidence[];
  /**
   * `strong`: the name and a family or a birth date agree. `weak`: only the name does (the host knows no
   * family or birth date to compare): look twice before merging.
   */
  readonly strength: "strong" | "weak";
  /**
   * The account a sync already made or linked for this person (merge after the fact): merging archives it
   * with reason `merged` and moves the person to `accountId`. `null` when the person has no account yet.
   */
  readonly duplicateAccountId: string | null;
}

const nameKey = (first: string | undefined, last: string | undefined): string =>
  `${(first ?? "").trim().normalize("NFC").toLowerCase()}\u0000${(last ?? "").trim().normalize("NFC").toLowerCase()}`;

const known = (value: string | null | undefined): value is string => value != null && value !== "";

/**
 * Merge candidates (R6): unlinked, active accounts with the same first and last name (case- and
 * accent-form-insensitive) as an importable person who will get a new account, or who is linked to a
 * managed account already (the duplicate exists: a merge after the fact). Evidence: `same-name`, plus
 * `same-family` (the account's family group is the one the person would get, or one of their family ids)
 * and `same-birth-date`. Name alone is a `weak` candidate; an account whose birth date is known and
 * different is no candidate. Sorted by `sourceId`, then `accountId`.
 *
 * @example
 * ```ts
 * for (const c of mergeCandidates(input))
 *   if (c.strength === "strong") decisions = manualMerge(decisions, c.sourceId, c.accountId);
 * ```
 */
export function mergeCandidates(input: PlanInput): MergeCandidate[] {
  const a = analyse(input);
  const byName = new Map<string, Account[]>();
  for (const account of input.accounts) {
    if (account.sourceId !== undefined || account.archived) continue;
    const key = nameKey(account.firstName, account.lastName);
    const list = byName.get(key);
    if (list === undefined) byName.set(key, [account]);
    else list.push(account);
  }
  const candidates: MergeCandidate[] = [];
  if (byName.size === 0) return candidates;
  for (let i = 0; i < a.people.length; i++) {
    if (a.status[i] !== IMPORTABLE) continue;
    const t = a.target[i] as number;
    // Kind 1: linked by sourceId. Kind 2 (manual merge) and 3 (same email) already found their account.
    let duplicate: Account | null = null;
    if (t >= 0) {
      const linked = a.accounts[t] as Account;
      if (a.match[i] !== 1 || !linked.managed) continue;
      duplicate = linked;
    }
    const p = a.people[i] as SourcePerson;
    const accounts = byName.get(nameKey(p.firstName, p.lastName));
    if (accounts === undefined) continue;
    const families = new Set(p.families.map((f) => f.familyId));
    const group = familyGroupId(p, input.profile);
    if (group !== undefined) families.add(group);
    for (const account of accounts) {
      if (known(p.birthDate) && known(account.birthDate) && account.birthDate !== p.birthDate) continue;
      const evidence: MergeEvidence[] = ["same-name"];
      if (account.familyGroupId !== undefined && families.has(account.familyGroupId)) evidence.push("same-family");
      if (known(p.birthDate) && account.birthDate === p.birthDate) evidence.push("same-birth-date");
      candidates.push({
        sourceId: p.sourceId,
        accountId: account.accountId,
        personName: `${p.firstName} ${p.lastName}`,
        personEmail: a.emailKind[i] === 0 ? (a.email[i] as string) : null,
        accountEmail: account.email,
        evidence,
        strength: evidence.length > 1 ? "strong" : "weak",
        duplicateAccountId: duplicate?.accountId ?? null,
      });
    }
  }
  return candidates.sort((x, y) =>
    x.sourceId < y.sourceId ? -1 : x.sourceId > y.sourceId ? 1 : x.accountId < y.accountId ? -1 : 1,
  );
}
