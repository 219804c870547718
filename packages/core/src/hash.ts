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

import { finishTableHash } from "./scratch.js";
import type { Decisions, JsonValue, PlanInput, SourcePerson, SyncProfile } from "./types.js";

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

// What the last emailText learnt of its address, for the analysis (see emailFacts).
let emailKindSeen = -1;
let emailHashSeen = 0;

/**
 * {@link text} for an email address, which the analysis reads twice more otherwise: in the same scan it
 * judges the address as R1's fast path does (an already clean address: trimmed, lowercase ASCII) and
 * takes the hash the analysis's email table uses (`hashOf` in scratch.ts). Same lanes as `text`.
 */
function emailText(s: string): void {
  let a = laneA;
  let b = laneB;
  let h = 0x811c9dc5;
  const n = s.length;
  // R1's fast path, without branches on the common characters: `odd` collects non-ASCII and upper-case
  // letters (the address needs normalising), `space` control characters and spaces (invalid).
  let odd = n === 0 ? 1 : 0;
  let space = 0;
  let at = -1;
  let ats = 0;
  let lastDot = -1;
  const even = n & ~1;
  for (let i = 0; i < even; i += 2) {
    const c0 = s.charCodeAt(i);
    const c1 = s.charCodeAt(i + 1);
    odd |= ((0x7f - c0) | (0x7f - c1)) >>> 31;
    odd |= ((c0 - 65) >>> 0 < 26 ? 1 : 0) | ((c1 - 65) >>> 0 < 26 ? 1 : 0);
    space |= ((c0 - 33) | (c1 - 33)) >>> 31;
    if (c0 === 64 || c1 === 64) {
      ats += (c0 === 64 ? 1 : 0) + (c1 === 64 ? 1 : 0);
      at = c1 === 64 ? i + 1 : i;
    }
    if (c1 === 46) lastDot = i + 1;
    else if (c0 === 46) lastDot = i;
    const pair = c0 | (c1 << 16);
    a = Math.imul(a ^ pair, 0x01000193);
    b = Math.imul(b ^ pair, 0x5bd1e995);
    b ^= b >>> 15;
    h = Math.imul(h ^ pair, 0x01000193);
  }
  if (even !== n) {
    const c = s.charCodeAt(even);
    odd |= ((0x7f - c) >>> 31) | ((c - 65) >>> 0 < 26 ? 1 : 0);
    space |= (c - 33) >>> 31;
    if (c === 64) {
      ats++;
      at = even;
    } else if (c === 46) lastDot = even;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
    h = Math.imul(h ^ c, 0x01000193);
  }
  laneA = a;
  laneB = b;
  mix(END ^ (n << 8));
  emailHashSeen = finishTableHash(h);
  // Trimmed means no space at either end; a space inside makes the address invalid, not unclean.
  if (odd !== 0 || s.charCodeAt(0) <= 32 || s.charCodeAt(n - 1) <= 32) emailKindSeen = -1;
  else emailKindSeen = space === 0 && ats === 1 && at > 0 && lastDot > at + 1 && lastDot < n - 1 ? 0 : 2;
}

/**
 * What the digest learnt of the email of the record it last added: −1 when the address needs R1's
 * normalisation (or there was none), else its kind (0 valid, 2 invalid) with the address as given.
 * @internal
 */
export function lastEmailKindSeen(): number {
  return emailKindSeen;
}

/** The email table hash of that address (valid when {@link lastEmailKindSeen} is not −1). @internal */
export function lastEmailHashSeen(): number {
  return emailHashSeen;
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
  return x | 0;
}

const KEY_CACHE = 16;
const keyCache: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE).fill(undefined);
const keyLaneA = new Int32Array(KEY_CACHE);
const keyLaneB = new Int32Array(KEY_CACHE);

/**
 * Hash an object of string or null values without depending on its key order: a sum of per-entry
 * hashes. False when it is not such an object.
 */
function textRecord(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  const outerA = laneA;
  const outerB = laneB;
  let sumA = 0;
  let sumB = 0;
  let count = 0;
  let f = 0;
  for (const key in record) {
    const v = record[key];
    // Keys repeat from record to record (the same UDF names in the same order): the lanes after a key
    // are remembered per position, so that each record compares its keys instead of hashing them.
    if (f < KEY_CACHE && keyCache[f] === key) {
      laneA = keyLaneA[f] as number;
      laneB = keyLaneB[f] as number;
    } else {
      laneA = SEED_A;
      laneB = SEED_B;
      text(key);
      if (f < KEY_CACHE) {
        keyCache[f] = key;
        keyLaneA[f] = laneA;
        keyLaneB[f] = laneB;
      }
    }
    f++;
    if (v === null) mix(NULL);
    else if (typeof v === "string") text(v);
    else return false;
    sumA = (sumA + finish(laneA)) | 0;
    sumB = (sumB + finish(laneB)) | 0;
    count++;
  }
  laneA = outerA;
  laneB = outerB;
  mix(count);
  mix(sumA);
  mix(sumB);
  return true;
}

// A string, null or undefined; false for anything else.
function maybeText(v: unknown): boolean {
  if (typeof v === "string") text(v);
  else if (v === null) mix(NULL);
  else if (v === undefined) mix(UNDEFINED);
  else return false;
  return true;
}

// A boolean, null (hashed as false) or undefined; false for anything else.
function maybeFlag(v: unknown): boolean {
  if (v === true) mix(TRUE);
  else if (v === false || v === null) mix(FALSE);
  else if (v === undefined) mix(UNDEFINED);
  else return false;
  return true;
}

/**
 * Hash one source person into the lanes while checking the shape {@link SourcePerson} promises: the
 * same checks as the validator's fast path (`validate.ts`), made in the one read of each field. False
 * for a malformed record (the lanes then mean nothing; the caller asks the validator what is wrong).
 */
function person(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const p = value as Record<string, unknown>;
  const id = p.sourceId;
  if (typeof id !== "string" || id === "") return false;
  text(id);
  const role = p.role;
  if (role !== "student" && role !== "parent") return false;
  text(role);
  const first = p.firstName;
  if (typeof first !== "string") return false;
  text(first);
  const last = p.lastName;
  if (typeof last !== "string") return false;
  text(last);
  const email = p.email;
  emailKindSeen = -1;
  if (email === null) mix(NULL);
  else if (typeof email === "string") emailText(email);
  else return false;
  const school = p.schoolCode;
  if (typeof school !== "string") return false;
  text(school);
  if (!maybeText(p.gradeLevel)) return false;
  const status = p.status;
  if (status !== "enrolled" && status !== "graduated" && status !== "withdrawn" && status !== "inactive") return false;
  text(status);
  if (!maybeText(p.birthDate)) return false;
  const families = p.families;
  if (!Array.isArray(families)) return false;
  mix(families.length);
  for (let f = 0; f < families.length; f++) {
    const link = families[f] as Record<string, unknown> | null;
    if (typeof link !== "object" || link === null) return false;
    const familyId = link.familyId;
    if (typeof familyId !== "string" || familyId === "") return false;
    text(familyId);
    if (!maybeText(link.relationship) || !maybeFlag(link.listedFirst)) return false;
    const order = link.parentOrder;
    if (order === undefined) mix(UNDEFINED);
    else if (order === null || typeof order === "number") mix(((order as number) * 2654435761) | 0);
    else return false;
    if (!maybeFlag(link.custody)) return false;
  }
  const children = p.studentIds;
  if (!Array.isArray(children)) return false;
  mix(children.length);
  for (let c = 0; c < children.length; c++) {
    const child = children[c];
    if (typeof child !== "string") return false;
    text(child);
  }
  return textRecord(p.fields);
}

/** Hash one account into the lanes while checking the shape `Account` promises, like {@link person}. */
function account(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const a = value as Record<string, unknown>;
  const id = a.accountId;
  if (typeof id !== "string" || id === "") return false;
  text(id);
  const email = a.email;
  if (typeof email !== "string") return false;
  emailText(email);
  if (!maybeText(a.firstName) || !maybeText(a.lastName) || !maybeText(a.birthDate)) return false;
  const sourceId = a.sourceId;
  if (sourceId === undefined) mix(UNDEFINED);
  else if (typeof sourceId === "string" && sourceId !== "") text(sourceId);
  else return false;
  const archived = a.archived;
  const managed = a.managed;
  if (typeof archived !== "boolean" || typeof managed !== "boolean") return false;
  mix(archived ? TRUE : FALSE);
  mix(managed ? TRUE : FALSE);
  const group = a.familyGroupId;
  if (group === undefined) mix(UNDEFINED);
  else if (typeof group === "string") text(group);
  else return false;
  const never = a.neverAccessed;
  if (typeof never !== "boolean") return false;
  mix(never ? TRUE : FALSE);
  return textRecord(a.fields);
}

/**
 * A running order-independent digest of a collection of records (the people, the accounts): the sum of
 * the records' own digests. The analysis feeds it while it validates each record, when the record's
 * strings are already in the CPU's cache; {@link planHashOf} walks the records itself.
 * @internal
 */
export interface SetDigest {
  a: number;
  b: number;
  count: number;
}

/** An empty {@link SetDigest}. @internal */
export const newSetDigest = (): SetDigest => ({ a: 0, b: 0, count: 0 });

function addToSet(digest: SetDigest): void {
  digest.a = (digest.a + finish(laneA)) | 0;
  digest.b = (digest.b + finish(laneB)) | 0;
  digest.count++;
}

/**
 * Add one person to a people digest, checking its shape on the way (see `person`). False for a
 * malformed record, which is then left out of the digest.
 * @internal
 */
export function addPerson(digest: SetDigest, p: unknown): boolean {
  laneA = SEED_A;
  laneB = SEED_B;
  if (!person(p)) return false;
  addToSet(digest);
  return true;
}

/** Add one account to an accounts digest, like {@link addPerson}. @internal */
export function addAccount(digest: SetDigest, a: unknown): boolean {
  laneA = SEED_A;
  laneB = SEED_B;
  if (!account(a)) return false;
  addToSet(digest);
  return true;
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
  const people = newSetDigest();
  const accounts = newSetDigest();
  for (let i = 0; i < input.people.length; i++) addPerson(people, input.people[i]);
  for (let j = 0; j < input.accounts.length; j++) addAccount(accounts, input.accounts[j]);
  return planHashFrom(people, accounts, input);
}

/**
 * The plan hash from the digests of the people and of the accounts (fed in any order) and the rest of
 * the input.
 * @internal
 */
export function planHashFrom(people: SetDigest, accounts: SetDigest, input: PlanInput): string {
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
