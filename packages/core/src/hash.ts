/**
 * R11 — stale plans. A plan carries a digest of everything it was made from (source snapshot, accounts,
 * decisions, profile, the host's fields and the last run); applying it after any of them changed fails
 * with `StalePlan`. The digest is a fast, non-cryptographic 64-bit hash (two 32-bit FNV-1a/Murmur-style
 * lanes) over a canonical walk of the data. It is order-independent where order carries no meaning
 * (people, accounts, object keys, the reviewed set), so re-reading the same roster in another order gives
 * the same hash. Runtime-agnostic: no `node:crypto`.
 *
 * @module
 */

import type { Account, Decisions, JsonValue, PlanInput, SourcePerson, SyncProfile } from "./types.js";

// The running lanes of the value being hashed. Module state keeps the hot loop free of allocations;
// every exported function starts and finishes its own walk synchronously.
let laneA = 0;
let laneB = 0;

const SEED_A = 0x811c9dc5;
const SEED_B = 0x9747b28c;
// Markers keep `null`, `undefined`, `""`, `true` and field boundaries apart.
const END = 0x1f;
const NULL = 0x1e;
const UNDEFINED = 0x1d;
const TRUE = 0x1c;
const FALSE = 0x1b;

function mix(code: number): void {
  laneA = Math.imul(laneA ^ code, 0x01000193);
  laneB = Math.imul(laneB ^ code, 0x5bd1e995);
  laneB ^= laneB >>> 15;
}

function text(s: string): void {
  let a = laneA;
  let b = laneB;
  const n = s.length;
  const even = n & ~1;
  // Two UTF-16 units per step: half the multiplications of a unit-at-a-time FNV, same inputs covered.
  for (let i = 0; i < even; i += 2) {
    const c = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  if (even !== n) {
    const c = s.charCodeAt(even);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  laneA = a;
  laneB = b;
  mix(END ^ (n << 8));
}

function optionalText(s: string | null | undefined): void {
  if (s === null) mix(NULL);
  else if (s === undefined) mix(UNDEFINED);
  else text(s);
}

function flag(v: boolean | undefined): void {
  mix(v === undefined ? UNDEFINED : v ? TRUE : FALSE);
}

/** Avalanche a lane so that summing many record hashes keeps their bits independent. */
function finish(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Hash an object of strings without depending on its key order: a sum of per-entry hashes. */
function textRecord(record: Readonly<Record<string, string | null>>): void {
  const outerA = laneA;
  const outerB = laneB;
  let sumA = 0;
  let sumB = 0;
  let count = 0;
  for (const key in record) {
    laneA = SEED_A;
    laneB = SEED_B;
    text(key);
    optionalText(record[key]);
    sumA = (sumA + finish(laneA)) | 0;
    sumB = (sumB + finish(laneB)) | 0;
    count++;
  }
  laneA = outerA;
  laneB = outerB;
  mix(count);
  mix(sumA);
  mix(sumB);
}

function person(p: SourcePerson): void {
  text(p.sourceId);
  text(p.role);
  text(p.firstName);
  text(p.lastName);
  optionalText(p.email);
  text(p.schoolCode);
  optionalText(p.gradeLevel);
  text(p.status);
  optionalText(p.birthDate);
  const families = p.families;
  mix(families.length);
  for (let f = 0; f < families.length; f++) {
    const link = families[f] as SourcePerson["families"][number];
    text(link.familyId);
    optionalText(link.relationship);
    flag(link.listedFirst);
    mix(link.parentOrder === undefined ? UNDEFINED : (link.parentOrder * 2654435761) | 0);
    flag(link.custody);
  }
  const children = p.studentIds;
  mix(children.length);
  for (let s = 0; s < children.length; s++) text(children[s] as string);
  textRecord(p.fields);
}

function account(a: Account): void {
  text(a.accountId);
  text(a.email);
  optionalText(a.firstName);
  optionalText(a.lastName);
  optionalText(a.birthDate);
  optionalText(a.sourceId);
  flag(a.archived);
  flag(a.managed);
  optionalText(a.familyGroupId);
  flag(a.neverAccessed);
  textRecord(a.fields);
}

/** A running order-independent digest of a collection. */
interface SetDigest {
  a: number;
  b: number;
  count: number;
}

function addToSet(digest: SetDigest): void {
  digest.a = (digest.a + finish(laneA)) | 0;
  digest.b = (digest.b + finish(laneB)) | 0;
  digest.count++;
}

function peopleDigest(people: readonly SourcePerson[], digest: SetDigest): void {
  for (let i = 0; i < people.length; i++) {
    laneA = SEED_A;
    laneB = SEED_B;
    person(people[i] as SourcePerson);
    addToSet(digest);
  }
}

function accountsDigest(accounts: readonly Account[], digest: SetDigest): void {
  for (let i = 0; i < accounts.length; i++) {
    laneA = SEED_A;
    laneB = SEED_B;
    account(accounts[i] as Account);
    addToSet(digest);
  }
}

/** Walk any JSON-like value; objects are key-order independent, arrays are ordered. */
function json(value: unknown): void {
  if (value === null) mix(NULL);
  else if (value === undefined) mix(UNDEFINED);
  else if (typeof value === "string") {
    mix(0x73);
    text(value);
  } else if (typeof value === "number") {
    mix(0x6e);
    text(String(value));
  } else if (typeof value === "boolean") flag(value);
  else if (Array.isArray(value)) {
    mix(0x5b);
    mix(value.length);
    for (const item of value) json(item);
  } else if (typeof value === "object") {
    const outerA = laneA;
    const outerB = laneB;
    let sumA = 0;
    let sumB = 0;
    let count = 0;
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const item = record[key];
      // Absent and undefined are the same thing in a JSON document.
      if (item === undefined) continue;
      laneA = SEED_A;
      laneB = SEED_B;
      text(key);
      json(item);
      sumA = (sumA + finish(laneA)) | 0;
      sumB = (sumB + finish(laneB)) | 0;
      count++;
    }
    laneA = outerA;
    laneB = outerB;
    mix(0x7b);
    mix(count);
    mix(sumA);
    mix(sumB);
  }
}

/** Walk a list of strings as a set: order and repeats do not matter. */
function stringSet(values: readonly string[] | undefined): void {
  if (values === undefined) {
    mix(UNDEFINED);
    return;
  }
  const unique = new Set(values);
  const outerA = laneA;
  const outerB = laneB;
  let sumA = 0;
  let sumB = 0;
  for (const v of unique) {
    laneA = SEED_A;
    laneB = SEED_B;
    text(v);
    sumA = (sumA + finish(laneA)) | 0;
    sumB = (sumB + finish(laneB)) | 0;
  }
  laneA = outerA;
  laneB = outerB;
  mix(unique.size);
  mix(sumA);
  mix(sumB);
}

function decisionsDigest(d: Decisions): void {
  json(d.selections);
  json(d.duplicates as unknown as JsonValue);
  json(d.merges);
  stringSet(d.reviewed);
  stringSet(d.acknowledgedHolds);
  stringSet(d.reviewedErrors);
}

const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, "0");

function digest(): string {
  return hex(finish(laneA)) + hex(finish(laneB));
}

/**
 * A 16-hex-digit digest of any JSON-like value; object key order does not matter, array order does.
 *
 * @example
 * ```ts
 * hashJson({ a: 1, b: [2, 3] }) === hashJson({ b: [2, 3], a: 1 }) // true
 * ```
 */
export function hashJson(value: unknown): string {
  laneA = SEED_A;
  laneB = SEED_B;
  json(value);
  return digest();
}

/**
 * The digest of a profile: a plan made under another profile is refused. Field-map order matters (it is
 * the order fields are written); the order of schools and grades does not.
 */
export function profileHashOf(profile: SyncProfile): string {
  laneA = SEED_A;
  laneB = SEED_B;
  json({ ...profile, schools: undefined, gradeLevels: undefined });
  stringSet(profile.schools);
  stringSet(profile.gradeLevels);
  return digest();
}

/**
 * The plan hash (R11): a digest of the people, the accounts, the decisions, the profile, the host's
 * fields and the last run's count. The order of people and of accounts does not change it; any change
 * to a record does.
 *
 * @example
 * ```ts
 * planHashOf(input) === plan(input).planHash // true
 * ```
 */
export function planHashOf(input: PlanInput): string {
  const people: SetDigest = { a: 0, b: 0, count: 0 };
  const accounts: SetDigest = { a: 0, b: 0, count: 0 };
  peopleDigest(input.people, people);
  accountsDigest(input.accounts, accounts);
  const profile = profileHashOf(input.profile);
  laneA = SEED_A;
  laneB = SEED_B;
  mix(people.count);
  mix(people.a);
  mix(people.b);
  mix(accounts.count);
  mix(accounts.a);
  mix(accounts.b);
  text(profile);
  decisionsDigest(input.decisions);
  json(input.targetFields === undefined ? null : [...input.targetFields].map((f) => f as unknown as JsonValue));
  mix(input.lastRun?.sourceCount ?? -1);
  return digest();
}
