/**
 * Validation of what the pure API is given. `review` and `plan` are called by programs, not people, so
 * bad input is a programmer error: they throw one {@link RosterInputError} that lists every bad record
 * at once. {@link checkPlanInput} answers the same list without throwing.
 *
 * @module
 */

import { addAccount, addPerson, SHAPE_ONLY } from "./hash.js";
import type { Account, PlanInput, SourcePerson } from "./types.js";
import { PERSON_STATUSES, ROLES } from "./types.js";

/** One thing wrong with the input: which record, where in it, and what. */
export interface InputProblem {
  /** The record, named by its id when it has one: `person 1042`, `account a7`, `profile`, `decisions`. */
  readonly record: string;
  /** Where in the input: `people[3].email`, `profile.fieldMap[0].target`… */
  readonly path: string;
  readonly message: string;
}

/**
 * Thrown by the pure API when its input is malformed (nulls where strings belong, duplicate ids, unknown
 * roles…). `problems` lists every bad record, not just the first.
 */
export class RosterInputError extends Error {
  /** Tag shared with the other error unions of the SDK. */
  readonly type = "InvalidInput" as const;
  /** Every problem found. */
  readonly problems: readonly InputProblem[];

  constructor(problems: readonly InputProblem[]) {
    const shown = problems
      .slice(0, 5)
      .map((p) => `${p.record} (${p.path}): ${p.message}`)
      .join("; ");
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : "";
    super(`Invalid roster input, ${problems.length} problem(s): ${shown}${more}`);
    this.name = "RosterInputError";
    this.problems = problems;
  }
}

/** Target names the plan uses for built-in account fields; a field map may not write to them. */
export const RESERVED_TARGETS: readonly string[] = ["email", "firstName", "lastName", "familyGroupId"];

const isString = (v: unknown): v is string => typeof v === "string";
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const ROLE_SET: ReadonlySet<string> = new Set(ROLES);
const STATUS_SET: ReadonlySet<string> = new Set(PERSON_STATUSES);

function checkFieldValues(value: unknown, record: string, path: string, problems: InputProblem[]): void {
  if (!isObject(value)) {
    problems.push({ record, path, message: "must be an object of string or null values" });
    return;
  }
  for (const key in value) {
    const v = value[key];
    if (v !== null && typeof v !== "string") {
      problems.push({ record, path: `${path}.${key}`, message: "must be a string or null" });
    }
  }
}

/** What names a record: the key of its id and the word its problems call it by (`person 1042`). */
interface RecordKind {
  readonly idKey: "sourceId" | "accountId";
  readonly noun: string;
}

const PERSON: RecordKind = { idKey: "sourceId", noun: "person" };
const ACCOUNT: RecordKind = { idKey: "accountId", noun: "account" };

/** An id seen before in `seen` is a problem of the record at `at` (then named by it); remembers the id. */
function checkUnique(seen: Set<string>, id: string, kind: RecordKind, at: string, problems: InputProblem[]): void {
  if (seen.has(id)) {
    problems.push({
      record: `${kind.noun} ${id}`,
      path: `${at}.${kind.idKey}`,
      message: `is a duplicate ${kind.idKey}`,
    });
  }
  seen.add(id);
}

/**
 * The labelled checks of a person or an account at `at`, in the order of its fields: that it is an object
 * (else that is its one problem), its id, what `checkFields` checks, then its `fields`. Its problems go under
 * `{noun} {id}`, or under `at` when the id is unusable. Answers whether it added no problem.
 */
function checkRecord(
  value: unknown,
  at: string,
  kind: RecordKind,
  problems: InputProblem[],
  checkFields: (value: Record<string, unknown>, record: string, at: string, problems: InputProblem[]) => void,
): boolean {
  if (!isObject(value)) {
    problems.push({ record: at, path: at, message: "must be an object" });
    return false;
  }
  const before = problems.length;
  const id = value[kind.idKey];
  const record = isString(id) && id !== "" ? `${kind.noun} ${id}` : at;
  if (!isString(id) || id === "") {
    problems.push({ record, path: `${at}.${kind.idKey}`, message: "must be a non-empty string" });
  }
  checkFields(value, record, at, problems);
  checkFieldValues(value.fields, record, `${at}.fields`, problems);
  return problems.length === before;
}

/**
 * Check one source person; pushes its problems and answers whether it is usable.
 * @internal
 */
export function checkPerson(p: unknown, i: number, problems: InputProblem[]): p is SourcePerson {
  // Fast path: a well-formed person allocates nothing; the labelled checks below only run on a bad one.
  // The plan hash's walk checks the same shape as it reads the record (one copy of the rules).
  if (addPerson(SHAPE_ONLY, p)) return true;
  return checkRecord(p, `people[${i}]`, PERSON, problems, checkPersonFields);
}

/** The labelled checks of a person that is an object, between its id and its `fields`. */
function checkPersonFields(p: Record<string, unknown>, record: string, at: string, problems: InputProblem[]): void {
  if (!isString(p.role) || !ROLE_SET.has(p.role)) {
    problems.push({ record, path: `${at}.role`, message: `must be one of ${ROLES.join(", ")}` });
  }
  if (!isString(p.firstName)) problems.push({ record, path: `${at}.firstName`, message: "must be a string" });
  if (!isString(p.lastName)) problems.push({ record, path: `${at}.lastName`, message: "must be a string" });
  if (p.email !== null && !isString(p.email))
    problems.push({ record, path: `${at}.email`, message: "must be a string or null" });
  if (!isString(p.schoolCode)) problems.push({ record, path: `${at}.schoolCode`, message: "must be a string" });
  if (p.gradeLevel != null && !isString(p.gradeLevel)) {
    problems.push({ record, path: `${at}.gradeLevel`, message: "must be a string, null or absent" });
  }
  if (!isString(p.status) || !STATUS_SET.has(p.status)) {
    problems.push({ record, path: `${at}.status`, message: `must be one of ${PERSON_STATUSES.join(", ")}` });
  }
  if (p.birthDate != null && !isString(p.birthDate)) {
    problems.push({ record, path: `${at}.birthDate`, message: "must be a string, null or absent" });
  }
  const families = p.families;
  if (!Array.isArray(families)) {
    problems.push({ record, path: `${at}.families`, message: "must be an array" });
  } else {
    for (let f = 0; f < families.length; f++) {
      const link: unknown = families[f];
      if (!isObject(link) || !isString(link.familyId) || link.familyId === "") {
        problems.push({ record, path: `${at}.families[${f}].familyId`, message: "must be a non-empty string" });
      } else if (link.relationship != null && !isString(link.relationship)) {
        problems.push({ record, path: `${at}.families[${f}].relationship`, message: "must be a string or absent" });
      } else if (link.parentOrder != null && typeof link.parentOrder !== "number") {
        problems.push({ record, path: `${at}.families[${f}].parentOrder`, message: "must be a number or absent" });
      } else {
        for (const key of ["listedFirst", "custody"] as const) {
          if (link[key] != null && typeof link[key] !== "boolean") {
            problems.push({ record, path: `${at}.families[${f}].${key}`, message: "must be a boolean or absent" });
          }
        }
      }
    }
  }
  const studentIds = p.studentIds;
  if (!Array.isArray(studentIds) || !studentIds.every(isString)) {
    problems.push({ record, path: `${at}.studentIds`, message: "must be an array of strings" });
  }
}

/**
 * Check one account; pushes its problems and answers whether it is usable.
 * @internal
 */
export function checkAccount(a: unknown, i: number, problems: InputProblem[]): a is Account {
  if (addAccount(SHAPE_ONLY, a)) return true;
  return checkRecord(a, `accounts[${i}]`, ACCOUNT, problems, checkAccountFields);
}

/** The labelled checks of an account that is an object, between its id and its `fields`. */
function checkAccountFields(a: Record<string, unknown>, record: string, at: string, problems: InputProblem[]): void {
  if (!isString(a.email)) problems.push({ record, path: `${at}.email`, message: "must be a string" });
  for (const key of ["firstName", "lastName", "birthDate"] as const) {
    if (a[key] != null && !isString(a[key])) {
      problems.push({ record, path: `${at}.${key}`, message: "must be a string, null or absent" });
    }
  }
  if (a.sourceId !== undefined && (!isString(a.sourceId) || a.sourceId === "")) {
    problems.push({ record, path: `${at}.sourceId`, message: "must be a non-empty string or absent" });
  }
  if (typeof a.archived !== "boolean") problems.push({ record, path: `${at}.archived`, message: "must be a boolean" });
  if (typeof a.managed !== "boolean") problems.push({ record, path: `${at}.managed`, message: "must be a boolean" });
  if (a.familyGroupId !== undefined && !isString(a.familyGroupId)) {
    problems.push({ record, path: `${at}.familyGroupId`, message: "must be a string or absent" });
  }
  if (typeof a.neverAccessed !== "boolean") {
    problems.push({ record, path: `${at}.neverAccessed`, message: "must be a boolean" });
  }
}

function checkStringArray(v: unknown, record: string, path: string, problems: InputProblem[]): void {
  if (!Array.isArray(v) || !v.every(isString)) problems.push({ record, path, message: "must be an array of strings" });
}

/**
 * Check the profile, decisions and last run (everything but the people and accounts).
 * @internal
 */
export function checkSettings(input: PlanInput, problems: InputProblem[]): void {
  const profile: unknown = input.profile;
  if (!isObject(profile)) problems.push({ record: "profile", path: "profile", message: "must be an object" });
  else checkProfile(profile, problems);
  const decisions: unknown = input.decisions;
  if (!isObject(decisions)) problems.push({ record: "decisions", path: "decisions", message: "must be an object" });
  else checkDecisions(decisions, problems);
  const lastRun: unknown = input.lastRun;
  if (lastRun !== undefined && lastRun !== null) {
    if (!isObject(lastRun)) {
      problems.push({ record: "lastRun", path: "lastRun", message: "must be an object or null" });
    } else {
      checkLastRun(lastRun, problems);
    }
  }
  const targetFields: unknown = input.targetFields;
  if (targetFields !== undefined) checkTargetFields(targetFields, problems);
}

/** The profile's fields, in order: role, scope, selection, parent subset, field map, thresholds, overrides. */
function checkProfile(profile: Record<string, unknown>, problems: InputProblem[]): void {
  if (!isString(profile.role) || !ROLE_SET.has(profile.role)) {
    problems.push({ record: "profile", path: "profile.role", message: `must be one of ${ROLES.join(", ")}` });
  }
  checkStringArray(profile.schools, "profile", "profile.schools", problems);
  checkStringArray(profile.gradeLevels, "profile", "profile.gradeLevels", problems);
  if (typeof profile.defaultSelection !== "boolean") {
    problems.push({ record: "profile", path: "profile.defaultSelection", message: "must be a boolean" });
  }
  const subset = profile.parentSubset;
  if (subset !== undefined && subset !== null) {
    if (!isObject(subset)) {
      problems.push({ record: "profile", path: "profile.parentSubset", message: "must be an object" });
    } else if (subset.relationships !== undefined) {
      checkStringArray(subset.relationships, "profile", "profile.parentSubset.relationships", problems);
    }
  }
  if (!Array.isArray(profile.fieldMap)) {
    problems.push({ record: "profile", path: "profile.fieldMap", message: "must be an array" });
  } else {
    checkFieldMap(profile.fieldMap, problems);
  }
  const thresholds = profile.thresholds;
  if (thresholds !== undefined && thresholds !== null) checkThresholds(thresholds, problems);
  const overrides = profile.familyOverrides;
  if (overrides !== undefined && overrides !== null)
    checkFieldValues(overrides, "profile", "profile.familyOverrides", problems);
}

/** Each mapping has a source and a target that is not built in and not mapped twice. */
function checkFieldMap(fieldMap: readonly unknown[], problems: InputProblem[]): void {
  const targets = new Set<string>();
  fieldMap.forEach((m: unknown, i: number) => {
    const path = `profile.fieldMap[${i}]`;
    if (!isObject(m) || !isString(m.source) || !isString(m.target) || m.target === "") {
      problems.push({
        record: "profile",
        path,
        message: "must have a string source and a non-empty string target",
      });
      return;
    }
    if (RESERVED_TARGETS.includes(m.target)) {
      problems.push({
        record: "profile",
        path: `${path}.target`,
        message: `${m.target} is a built-in account field`,
      });
    }
    if (targets.has(m.target)) {
      problems.push({ record: "profile", path: `${path}.target`, message: `${m.target} is mapped twice` });
    }
    targets.add(m.target);
    if (m.createAs !== undefined && m.createAs !== "text" && m.createAs !== "dropdown") {
      problems.push({ record: "profile", path: `${path}.createAs`, message: "must be text or dropdown" });
    }
  });
}

/** R10's thresholds: each one present is a number ≥ 0. */
function checkThresholds(thresholds: unknown, problems: InputProblem[]): void {
  if (!isObject(thresholds)) {
    problems.push({ record: "profile", path: "profile.thresholds", message: "must be an object" });
    return;
  }
  for (const key of Object.keys(thresholds)) {
    const v = thresholds[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) {
      problems.push({ record: "profile", path: `profile.thresholds.${key}`, message: "must be a number ≥ 0" });
    }
  }
}

/** The decisions' tables, in order: selections, duplicates, merges, then the lists. */
function checkDecisions(decisions: Record<string, unknown>, problems: InputProblem[]): void {
  checkSelections(decisions.selections, problems);
  checkResolutions(decisions.duplicates, problems);
  checkMerges(decisions.merges, problems);
  checkStringArray(decisions.reviewed, "decisions", "decisions.reviewed", problems);
  checkStringArray(decisions.acknowledgedHolds, "decisions", "decisions.acknowledgedHolds", problems);
  if (decisions.reviewedErrors !== undefined) {
    checkStringArray(decisions.reviewedErrors, "decisions", "decisions.reviewedErrors", problems);
  }
  if (decisions.reviewedWithErrors !== undefined) {
    checkStringArray(decisions.reviewedWithErrors, "decisions", "decisions.reviewedWithErrors", problems);
  }
}

/** R4: a boolean per person. */
function checkSelections(selections: unknown, problems: InputProblem[]): void {
  if (!isObject(selections)) {
    problems.push({ record: "decisions", path: "decisions.selections", message: "must be an object" });
    return;
  }
  for (const key in selections) {
    if (typeof selections[key] !== "boolean") {
      problems.push({ record: `person ${key}`, path: `decisions.selections.${key}`, message: "must be a boolean" });
    }
  }
}

/** R3: a `{ chosen, members }` resolution per shared email. */
function checkResolutions(duplicates: unknown, problems: InputProblem[]): void {
  if (!isObject(duplicates)) {
    problems.push({ record: "decisions", path: "decisions.duplicates", message: "must be an object" });
    return;
  }
  for (const email in duplicates) {
    const r = duplicates[email];
    if (!isObject(r) || !isString(r.chosen) || !Array.isArray(r.members) || !r.members.every(isString)) {
      problems.push({
        record: `duplicate ${email}`,
        path: `decisions.duplicates.${email}`,
        message: "must be { chosen: string, members: string[] }",
      });
    }
  }
}

/** R6: an account id per person, no account the merge of two people. */
function checkMerges(merges: unknown, problems: InputProblem[]): void {
  if (!isObject(merges)) {
    problems.push({ record: "decisions", path: "decisions.merges", message: "must be an object" });
    return;
  }
  const targets = new Map<string, string>();
  for (const sourceId in merges) {
    const accountId = merges[sourceId];
    if (!isString(accountId) || accountId === "") {
      problems.push({
        record: `person ${sourceId}`,
        path: `decisions.merges.${sourceId}`,
        message: "must be an account id",
      });
      continue;
    }
    const other = targets.get(accountId);
    if (other !== undefined) {
      problems.push({
        record: `person ${sourceId}`,
        path: `decisions.merges.${sourceId}`,
        message: `account ${accountId} is already the merge of person ${other}`,
      });
    }
    targets.set(accountId, sourceId);
  }
}

/** The host's existing fields (R8): `{ name, kind }` each. */
function checkTargetFields(targetFields: unknown, problems: InputProblem[]): void {
  if (!Array.isArray(targetFields)) {
    problems.push({ record: "targetFields", path: "targetFields", message: "must be an array" });
    return;
  }
  targetFields.forEach((f: unknown, i: number) => {
    if (!isObject(f) || !isString(f.name) || (f.kind !== "text" && f.kind !== "dropdown")) {
      problems.push({
        record: "targetFields",
        path: `targetFields[${i}]`,
        message: "must be { name, kind: text | dropdown }",
      });
    }
  });
}

/** A count R10 compares with: NaN, Infinity or a fraction would silently switch its hold off. */
const isCount = (v: unknown): boolean => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

function checkLastRun(lastRun: Record<string, unknown>, problems: InputProblem[]): void {
  if (!isCount(lastRun.sourceCount)) {
    problems.push({ record: "lastRun", path: "lastRun.sourceCount", message: "must be a whole number ≥ 0" });
  }
  for (const key of ["managedCount", "inScopeCount"] as const) {
    const v = lastRun[key];
    if (v !== undefined && !isCount(v)) {
      problems.push({ record: "lastRun", path: `lastRun.${key}`, message: "must be a whole number ≥ 0 or absent" });
    }
  }
  const slices = lastRun.inScopeSlices;
  if (slices !== undefined) {
    if (!isObject(slices) || Array.isArray(slices)) {
      problems.push({ record: "lastRun", path: "lastRun.inScopeSlices", message: "must be an object or absent" });
    } else {
      for (const key of Object.keys(slices)) {
        if (!isCount(slices[key])) {
          problems.push({
            record: "lastRun",
            path: `lastRun.inScopeSlices.${key}`,
            message: "must be a whole number ≥ 0",
          });
        }
      }
    }
  }
  checkStringArray(lastRun.errorFingerprints, "lastRun", "lastRun.errorFingerprints", problems);
}

/**
 * Every problem in a plan input, without throwing: nulls where strings belong, unknown roles and
 * statuses, duplicate `sourceId`s and `accountId`s, two accounts linked to one person, a field map writing a built-in
 * field… An empty list means `review` and `plan` will accept the input.
 *
 * @example
 * ```ts
 * const problems = checkPlanInput(input);
 * if (problems.length > 0) console.table(problems);
 * ```
 */
export function checkPlanInput(input: PlanInput): InputProblem[] {
  const problems: InputProblem[] = [];
  if (!isObject(input)) return [{ record: "input", path: "", message: "must be an object" }];
  checkSettings(input, problems);
  const people: unknown = input.people;
  const accounts: unknown = input.accounts;
  if (!Array.isArray(people)) problems.push({ record: "people", path: "people", message: "must be an array" });
  else {
    const seen = new Set<string>();
    people.forEach((p: unknown, i: number) => {
      if (checkPerson(p, i, problems)) checkUnique(seen, p.sourceId, PERSON, `people[${i}]`, problems);
    });
  }
  if (!Array.isArray(accounts)) problems.push({ record: "accounts", path: "accounts", message: "must be an array" });
  else {
    const linked = new Set<string>();
    const accountIds = new Set<string>();
    accounts.forEach((a: unknown, i: number) => {
      if (!checkAccount(a, i, problems)) return;
      // Two accounts with one id: every write by id would hit one of them, whichever the host picks.
      checkUnique(accountIds, a.accountId, ACCOUNT, `accounts[${i}]`, problems);
      if (a.sourceId !== undefined) {
        if (linked.has(a.sourceId)) {
          problems.push({
            record: `account ${a.accountId}`,
            path: `accounts[${i}].sourceId`,
            message: `person ${a.sourceId} is linked to another account too`,
          });
        }
        linked.add(a.sourceId);
      }
    });
  }
  return problems;
}
