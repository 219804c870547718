/**
 * R3/R8 with emails that change hands within one plan (see {@link settleEmails}).
 *
 * @internal
 * @module
 */

import type { StringTable } from "./string-table.js";

/**
 * The account that owns an email before the plan: `owner` is indexed by the entry of `emails`;
 * `undefined` when no account holds the email.
 */
export function ownerOf(emails: StringTable, owner: Int32Array, email: string): number | undefined {
  const entry = emails.find(email);
  const h = entry < 0 ? -1 : (owner[entry] as number);
  return h < 0 ? undefined : h;
}

/** Who holds an email at this point of the plan: a change the plan made, else the owner before it. */
function holderOf(
  changed: Map<string, number>,
  emails: StringTable,
  owner: Int32Array,
  email: string,
): number | undefined {
  return changed.has(email) ? changed.get(email) : ownerOf(emails, owner, email);
}

/**
 * R3/R8 with emails that change hands within one plan. A person whose email an account holds can take
 * it once that account moves to its own person's new email; an account can move to an email once its
 * holder moved away. Settled in rounds: a write of round r only needs the frees of earlier rounds, so
 * applying the plan in round order never hits the host's unique-email rule, and planning again after the
 * apply finds nothing new (convergence). Cycles (two accounts swapping emails) never settle: they stay
 * conflicts. Answers, per pending person, the round (≥ 0), or `-2 - owner` for a conflict with the
 * account at `owner`.
 *
 * @param pending positions of the people whose write takes or moves an email
 * @param email normalised email per person
 * @param target account position per person, −1 for a new account
 * @param accountEmails normalised email per account
 * @param emails the email table, with `owner` the account owning each entry (−1 none)
 * @param released emails freed before any write (duplicates merged after the fact)
 */
export function settleEmails(
  pending: readonly number[],
  email: readonly string[],
  target: Int32Array,
  accountEmails: readonly string[],
  emails: StringTable,
  owner: Int32Array,
  released: readonly string[],
): Map<number, number> {
  const result = new Map<number, number>();
  if (pending.length === 0) return result;
  // Emails whose holder changes in this plan: −1 freed, −2 taken by a new account, ≥ 0 an account.
  // Duplicates merged after the fact release theirs before any write (their archives come first).
  const changed = new Map<string, number>();
  for (const e of released) changed.set(e, -1);
  let open = pending;
  for (let r = 0; open.length > 0; r++) {
    const ready: number[] = [];
    const waiting: number[] = [];
    for (const i of open) {
      const h = holderOf(changed, emails, owner, email[i] as string);
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
        if (old !== e && holderOf(changed, emails, owner, old) === t) changed.set(old, -1);
        changed.set(e, t);
      } else changed.set(e, -2);
    }
    open = waiting;
  }
  for (const i of open) {
    const h = holderOf(changed, emails, owner, email[i] as string);
    result.set(i, h !== undefined && h >= 0 ? -2 - h : -1);
  }
  return result;
}
