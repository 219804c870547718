/**
 * The plan: ordered, explained actions (createField, then add / link / update / restore, archive,
 * skip), their counts, the safety holds (R10) and the plan hash (R11).
 *
 * @module
 */

import { type Analysis, analyse, EXCLUDED, IMPORTABLE, OUT_OF_SCOPE, SKIPPED, STATUS_NAMES } from "./analysis.js";
import { archiveReason } from "./archive.js";
import { familyGroupId } from "./families.js";
import { askAtFirstLogin, fieldChanges, missingFields, newAccountFor } from "./fields.js";
import { planHashFrom, profileHashOf } from "./hash.js";
import { reasonList } from "./review.js";
import { holdsFor, thresholdsOf } from "./safety.js";
import { safetyCounts } from "./slices.js";
import type {
  Account,
  ArchiveAction,
  FieldChange,
  PlanAction,
  PlanCounts,
  PlanInput,
  Reason,
  SkipAction,
  SourcePerson,
  SyncPlan,
} from "./types.js";

const pairs = new Map<string, readonly Reason[]>();
/** A shared frozen `[reason, why]` list. */
function reasonPair(reason: Reason, why: Reason): readonly Reason[] {
  const key = `${reason}|${why}`;
  let list = pairs.get(key);
  if (list === undefined) {
    list = Object.freeze([reason, why]);
    pairs.set(key, list);
  }
  return list;
}

const MATCH_REASONS: readonly (readonly Reason[])[] = [
  reasonList("new-person"),
  reasonList("fields-changed"),
  reasonList("manual-merge"),
  reasonList("email-match"),
];

/** Keyed actions in key order; already-sorted input (the usual case) costs one scan. */
function sortByKey<T>(items: T[], key: (item: T) => string): T[] {
  let sorted = true;
  for (let i = 1; i < items.length && sorted; i++) if (key(items[i - 1] as T) > key(items[i] as T)) sorted = false;
  if (!sorted) items.sort((x, y) => (key(x) < key(y) ? -1 : 1));
  return items;
}

const sourceKey = (action: { readonly sourceId: string }): string => action.sourceId;
const accountKey = (action: ArchiveAction): string => action.accountId;

/**
 * Plan a sync (R6–R11 in docs/rules.md). Pure; throws {@link RosterInputError} when the input is malformed.
 * Within each group, actions are ordered by `sourceId` (archives by `accountId`), so the same input in
 * another order gives the same plan and the same hash.
 *
 * @example
 * ```ts
 * const p = plan({ people, accounts, profile, decisions, lastRun, targetFields });
 * if (isHeld(p, decisions)) console.log(p.holds.map((h) => h.message));
 * ```
 */
export function plan(input: PlanInput): SyncPlan {
  return planFrom(analyse(input));
}

/** Action counts as the plan's passes add to them. */
type Counts = { -readonly [K in keyof PlanCounts]: number };

/** The actions about the people of the source, before ordering. */
interface PeopleActions {
  /** add / link / update / restore. */
  readonly writes: PlanAction[];
  /** Archives (`merged`) of duplicates merged after the fact: they run before the writes. */
  readonly merges: ArchiveAction[];
  readonly skips: SkipAction[];
}

/**
 * Build the plan from a finished analysis: the people's actions, the archives (R7), the fields to create
 * (R8), in their order, with the safety holds (R10) and the plan hash (R11).
 * @internal
 */
export function planFrom(a: Analysis): SyncPlan {
  const { input, people, accounts } = a;
  const profile = input.profile;
  const n = people.length;
  const counts: Counts = { add: 0, link: 0, update: 0, restore: 0, archive: 0, skip: 0, createField: 0 };
  const { writes, merges, skips } = planPeople(a, counts);
  const { archives, archivedNow } = planArchives(a, counts);
  // R10's counts: the profile's own managed accounts and in-scope people, in total and per slice.
  const safety = safetyCounts(a, archivedNow);
  const creates = planCreates(a, writes.length > 0);
  counts.createField = creates.length;
  const actions = inOrder(a, creates, merges, writes, archives, skips);

  const planCounts: PlanCounts = counts;
  return {
    role: profile.role,
    planHash: planHashFrom(a.peopleDigest, a.accountsDigest, input),
    profileHash: profileHashOf(profile),
    actions,
    counts: planCounts,
    holds: holdsFor(
      {
        archives: counts.archive,
        updates: counts.update,
        managedAccounts: safety.own,
        allManagedAccounts: safety.all,
        sourceCount: n,
        inScopeCount: safety.inScope,
        slices: safety.slices,
        inScopeSlices: safety.inScopeSlices,
        lastRun: input.lastRun,
      },
      thresholdsOf(profile),
    ),
    askAtFirstLogin: askAtFirstLogin(profile, input.targetFields),
    sourceCount: n,
    accountCount: accounts.length,
    managedCount: safety.own - counts.archive + counts.add + counts.link + counts.restore,
    inScopeCount: safety.inScope,
    inScopeSlices: safety.inScopeSlices,
  };
}

/**
 * R6, R9: one action per person in scope. Excluded and skipped people get a skip; importable ones an add
 * (no target), or a link / restore / update of their target (see {@link matchedWrite}).
 */
function planPeople(a: Analysis, counts: Counts): PeopleActions {
  const { input, people, accounts, status } = a;
  const profile = input.profile;
  const fieldMap = profile.fieldMap;
  const isParents = profile.role === "parent";
  const writes: PlanAction[] = [];
  const merges: ArchiveAction[] = [];
  const skips: SkipAction[] = [];
  const n = people.length;
  for (let i = 0; i < n; i++) {
    const s = status[i] as number;
    if (s === OUT_OF_SCOPE) continue;
    const p = people[i] as SourcePerson;
    if (s === EXCLUDED || s === SKIPPED) {
      const l = a.linked[i] as number;
      const reason = a.reason[i] as Reason;
      skips.push({
        type: "skip",
        actionId: `skip:${p.sourceId}`,
        reasons: l < 0 ? reasonList(reason) : reasonPair(reason, s === EXCLUDED ? "excluded-linked" : "skipped-linked"),
        sourceId: p.sourceId,
        accountId: l < 0 ? null : (accounts[l] as Account).accountId,
      });
      counts.skip++;
      continue;
    }
    if (s !== IMPORTABLE) continue;
    const email = a.email[i] as string;
    const groupId = isParents ? familyGroupId(p, profile) : undefined;
    const t = a.target[i] as number;
    if (t < 0) {
      writes.push({
        type: "add",
        actionId: `add:${p.sourceId}`,
        reasons: MATCH_REASONS[0] as readonly Reason[],
        sourceId: p.sourceId,
        account: newAccountFor(p, email, fieldMap, groupId),
      });
      counts.add++;
      continue;
    }
    const changes = fieldChanges(p, accounts[t] as Account, fieldMap, email, groupId, a.accountEmails[t] as string);
    matchedWrite(a, i, p, t, changes, writes, merges, counts);
  }
  return { writes, merges, skips };
}

/**
 * R6: the write of an importable person matched with the account at `t`: a link (restoring an archived
 * account no sync linked, and after a merge after the fact the archive of the duplicate), else a restore
 * of their archived account, else an update when fields changed (none when nothing did).
 */
function matchedWrite(
  a: Analysis,
  i: number,
  p: SourcePerson,
  t: number,
  changes: readonly FieldChange[],
  writes: PlanAction[],
  merges: ArchiveAction[],
  counts: Counts,
): void {
  const account = a.accounts[t] as Account;
  const kind = a.match[i] as number;
  if (kind !== 1) {
    // R6: an account the host archived and no sync ever linked is restored as it is linked.
    writes.push({
      type: "link",
      actionId: `link:${p.sourceId}`,
      reasons: account.archived
        ? reasonPair((MATCH_REASONS[kind] as readonly Reason[])[0] as Reason, "returning")
        : (MATCH_REASONS[kind] as readonly Reason[]),
      sourceId: p.sourceId,
      accountId: account.accountId,
      changes,
      ...(account.archived ? { restore: true as const } : {}),
    });
    counts.link++;
    const duplicate = a.mergedFrom?.get(i);
    if (duplicate !== undefined) {
      // R6 after the fact: the duplicate goes first, so that it has released the person and its email
      // before the link takes them.
      const from = a.accounts[duplicate] as Account;
      merges.push({
        type: "archive",
        actionId: `archive:${from.accountId}`,
        reasons: reasonList("merged"),
        accountId: from.accountId,
        sourceId: p.sourceId,
        mergedInto: account.accountId,
      });
      counts.archive++;
    }
  } else if (account.archived) {
    writes.push({
      type: "restore",
      actionId: `restore:${p.sourceId}`,
      reasons: changes.length > 0 ? reasonPair("returning", "fields-changed") : reasonList("returning"),
      sourceId: p.sourceId,
      accountId: account.accountId,
      changes,
    });
    counts.restore++;
  } else if (changes.length > 0) {
    writes.push({
      type: "update",
      actionId: `update:${p.sourceId}`,
      reasons: MATCH_REASONS[1] as readonly Reason[],
      sourceId: p.sourceId,
      accountId: account.accountId,
      changes,
    });
    counts.update++;
  }
}

/**
 * R7: archive managed accounts whose person left the scope or the source. Answers the archives and, per
 * account, whether this plan archives it (for R10's counts).
 */
function planArchives(a: Analysis, counts: Counts): { archives: ArchiveAction[]; archivedNow: Uint8Array } {
  const { accounts, status } = a;
  const archives: ArchiveAction[] = [];
  const archivedNow = new Uint8Array(accounts.length);
  for (let j = 0; j < accounts.length; j++) {
    const account = accounts[j] as Account;
    if (account.sourceId === undefined || !account.managed || account.archived) continue;
    const pi = a.accountPerson[j] as number;
    // A duplicate merged after the fact is archived (`merged`) with the writes, before them.
    if (pi >= 0 && a.mergedFrom !== null && status[pi] === IMPORTABLE && a.mergedFrom.get(pi) === j) continue;
    const why =
      pi < 0
        ? archiveReason(account, null)
        : archiveReason(account, STATUS_NAMES[status[pi] as number] ?? null, a.reason[pi] ?? null);
    if (why === null) continue;
    archives.push({
      type: "archive",
      actionId: `archive:${account.accountId}`,
      reasons: reasonList(why),
      accountId: account.accountId,
      sourceId: account.sourceId,
    });
    archivedNow[j] = 1;
    counts.archive++;
  }
  return { archives, archivedNow };
}

/**
 * R8: fields to create first; dropdown options come from the people who will be written. With nobody
 * to write (a setup that matches no one in scope), no field is created: an empty dropdown helps nobody.
 */
function planCreates(a: Analysis, anyWrite: boolean): PlanAction[] {
  const wanted = anyWrite ? missingFields(a.input.profile, a.input.targetFields, importablePeople(a)) : [];
  return wanted.map(
    (field): PlanAction => ({
      type: "createField",
      actionId: `createField:${field.name}`,
      reasons: reasonList("field-missing"),
      field,
    }),
  );
}

/**
 * The plan's order: fields to create, archives of merged duplicates, writes (by `sourceId`, then by
 * settling round when some write waits for an email another frees), archives, skips. Sorts the lists in
 * place and answers `creates` with the others appended.
 */
function inOrder(
  a: Analysis,
  creates: PlanAction[],
  merges: ArchiveAction[],
  writes: PlanAction[],
  archives: ArchiveAction[],
  skips: SkipAction[],
): PlanAction[] {
  sortByKey(writes as { sourceId: string }[], sourceKey);
  if (a.round !== null) orderByRound(writes, a);
  sortByKey(archives, accountKey);
  sortByKey(merges, accountKey);
  sortByKey(skips, sourceKey);
  const actions = creates;
  for (const x of merges) actions.push(x);
  for (const w of writes) actions.push(w);
  for (const x of archives) actions.push(x);
  for (const k of skips) actions.push(k);
  return actions;
}

/**
 * Writes that take an email another write frees must run after it: stable-sort by settling round
 * (only when some write depends on another, which is rare).
 */
function orderByRound(writes: PlanAction[], a: Analysis): void {
  const round = a.round as Int32Array;
  const positionOf = new Map<string, number>();
  for (let i = 0; i < a.people.length; i++)
    if (round[i] !== 0) positionOf.set((a.people[i] as SourcePerson).sourceId, i);
  const roundOf = (w: PlanAction): number => {
    const i = "sourceId" in w && w.sourceId !== null ? positionOf.get(w.sourceId) : undefined;
    return i === undefined ? 0 : (round[i] as number);
  };
  const keyed = writes.map((w, k) => ({ w, r: roundOf(w), k }));
  keyed.sort((x, y) => x.r - y.r || x.k - y.k);
  for (let k = 0; k < keyed.length; k++) writes[k] = (keyed[k] as (typeof keyed)[number]).w;
}

function* importablePeople(a: Analysis): Generator<SourcePerson> {
  for (let i = 0; i < a.people.length; i++) if (a.status[i] === IMPORTABLE) yield a.people[i] as SourcePerson;
}
