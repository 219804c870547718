/**
 * R6 — merge candidates. A person who will get a new account because no account has their email may
 * already be in the host under another email. The SDK lists such accounts (same name, and a shared
 * family or the same birth date) for the admin to merge by hand; it never merges them itself.
 *
 * @module
 */

import { analyse, IMPORTABLE } from "./analysis.js";
import { familyGroupId } from "./families.js";
import type { Account, PlanInput, SourcePerson } from "./types.js";

/** Why an account looks like the same person. */
export type MergeEvidence = "same-family" | "same-birth-date";

/** A person to be added and an existing account that may be them. */
export interface MergeCandidate {
  readonly sourceId: string;
  readonly accountId: string;
  readonly personName: string;
  readonly personEmail: string | null;
  readonly accountEmail: string;
  readonly evidence: readonly MergeEvidence[];
}

const nameKey = (first: string | undefined, last: string | undefined): string =>
  `${(first ?? "").trim().normalize("NFC").toLowerCase()}\u0000${(last ?? "").trim().normalize("NFC").toLowerCase()}`;

/**
 * Merge candidates (R6) for everyone the plan would add: unlinked, active accounts with the same first
 * and last name (case- and accent-form-insensitive) and either the family group the person would get
 * (or one of their family ids), or the same birth date. Sorted by `sourceId`, then `accountId`.
 *
 * @example
 * ```ts
 * for (const c of mergeCandidates(input)) decisions = manualMerge(decisions, c.sourceId, c.accountId);
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
  for (let i = 0; i < a.people.length; i++) {
    if (a.status[i] !== IMPORTABLE || a.target[i] !== -1) continue;
    const p = a.people[i] as SourcePerson;
    const accounts = byName.get(nameKey(p.firstName, p.lastName));
    if (accounts === undefined) continue;
    const families = new Set(p.families.map((f) => f.familyId));
    const group = familyGroupId(p, input.profile);
    if (group !== undefined) families.add(group);
    for (const account of accounts) {
      const evidence: MergeEvidence[] = [];
      if (account.familyGroupId !== undefined && families.has(account.familyGroupId)) evidence.push("same-family");
      if (p.birthDate != null && p.birthDate !== "" && account.birthDate === p.birthDate)
        evidence.push("same-birth-date");
      if (evidence.length === 0) continue;
      candidates.push({
        sourceId: p.sourceId,
        accountId: account.accountId,
        personName: `${p.firstName} ${p.lastName}`,
        personEmail: a.emailKind[i] === 0 ? (a.email[i] as string) : null,
        accountEmail: account.email,
        evidence,
      });
    }
  }
  return candidates.sort((x, y) =>
    x.sourceId < y.sourceId ? -1 : x.sourceId > y.sourceId ? 1 : x.accountId < y.accountId ? -1 : 1,
  );
}
