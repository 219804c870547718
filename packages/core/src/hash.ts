/**
 * R11 — stale plans. A plan carries a digest of everything it was made from (source snapshot, accounts,
 * decisions, profile, the host's fields and the last run); applying it after any of them changed fails
 * with `StalePlan`, and an acknowledged hold (R10) is bound to it. The digest must therefore be
 * collision resistant: it is SHA-256 (`node:crypto`, pure computation) over a canonical, unambiguous byte
 * encoding of the input. Every value is written with its type and every string with its length, so
 * `null`, `0`, `""`, `false` and absent never meet, and `"ab","c"` never reads as `"a","bc"`. Order that
 * carries no meaning is made canonical instead of summed away: people are encoded in `sourceId` order,
 * accounts in `accountId` order and object keys sorted (shorter first, then by UTF-16 code unit, so
 * numeric ids sort as numbers, as V8 enumerates them); the string sets (reviewed people, schools, grades)
 * are sorted by UTF-16 code unit, deduplicated. An already sorted roster (the
 * usual case) is hashed in the one walk that validates it; another order costs a sort and a second walk.
 *
 * What the plan hash leaves out: `decisions.acknowledgedHolds` (an acknowledgement is stored *by* plan
 * hash, so storing it must not change the hash) and `lastRun.errorFingerprints`, `finishedAt` and
 * `planHash` (they do not change the plan). See docs/safety-holds.md.
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { finishTableHash } from "./scratch.js";
import type { Decisions, LastRun, PlanInput, SyncProfile } from "./types.js";

// Type tags of the encoding. Each value is one tag followed by a body whose length the tag and the body
// itself fix, so a sequence of values decodes one way only.
const T_NULL = 0x00;
const T_UNDEFINED = 0x01;
const T_FALSE = 0x02;
const T_TRUE = 0x03;
/** A string whose UTF-16 code units are all < 256: u32 length, then one byte per unit. */
const T_STR8 = 0x04;
/** Any other string: u32 length, then two bytes per unit (little-endian). */
const T_STR16 = 0x05;
/** A number: IEEE-754 float64, little-endian (NaN canonical). */
const T_NUMBER = 0x06;
/** An array: u32 length, then the items. */
const T_ARRAY = 0x07;
/** An object: u32 entry count, then key (a string) and value per entry, keys sorted. */
const T_OBJECT = 0x08;
/** A person or an account record (fields in the order of the schema). */
const T_PERSON = 0x09;
const T_ACCOUNT = 0x0a;

// The encoder writes into one pooled chunk; a full chunk goes to the active digest's SHA-256.
const CHUNK = 1 << 16;
const buf = new Uint8Array(CHUNK);
let pos = 0;
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/** Where the bytes go: a running SHA-256, or nowhere (a shape check only). */
interface Sink {
  hash: Hash | null;
  discard: boolean;
}

let active: Sink | null = null;

function flush(): void {
  if (pos === 0) return;
  const sink = active;
  if (sink !== null && !sink.discard) {
    sink.hash ??= createHash("sha256");
    sink.hash.update(buf.subarray(0, pos));
  }
  pos = 0;
}

/** Make `sink` the receiver of the bytes written from now on. */
function open(sink: Sink): void {
  if (active !== sink) {
    flush();
    active = sink;
  }
}

function room(bytes: number): void {
  if (pos + bytes > CHUNK) flush();
}

function tag(t: number): void {
  if (pos === CHUNK) flush();
  buf[pos++] = t;
}

function u32(n: number): void {
  room(4);
  buf[pos] = n & 0xff;
  buf[pos + 1] = (n >>> 8) & 0xff;
  buf[pos + 2] = (n >>> 16) & 0xff;
  buf[pos + 3] = (n >>> 24) & 0xff;
  pos += 4;
}

function num(n: number): void {
  room(9);
  buf[pos++] = T_NUMBER;
  f64[0] = Number.isNaN(n) ? Number.NaN : n;
  for (let k = 0; k < 8; k++) buf[pos + k] = f64Bytes[k] as number;
  pos += 8;
}

/** A string too long for one chunk: written through a Buffer, straight to the digest. */
function longText(s: string): void {
  let wide = false;
  for (let i = 0; i < s.length && !wide; i++) if (s.charCodeAt(i) > 0xff) wide = true;
  tag(wide ? T_STR16 : T_STR8);
  u32(s.length);
  flush();
  const sink = active;
  if (sink !== null && !sink.discard) {
    sink.hash ??= createHash("sha256");
    sink.hash.update(Buffer.from(s, wide ? "utf16le" : "latin1"));
  }
}

/**
 * Finishes a string whose units {@link text} or {@link emailText} wrote one byte each from `start + 5`
 * (`or`: all its units OR-ed): rewritten two bytes a unit when one is over 0xff, then its tag and u32
 * length written in the five bytes left before it.
 */
function closeText(s: string, start: number, or: number): void {
  const n = s.length;
  const p = start + 5;
  if (or > 0xff) {
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      buf[p + 2 * i] = c & 0xff;
      buf[p + 2 * i + 1] = c >>> 8;
    }
    buf[start] = T_STR16;
    pos = p + 2 * n;
  } else {
    buf[start] = T_STR8;
    pos = p + n;
  }
  buf[start + 1] = n & 0xff;
  buf[start + 2] = (n >>> 8) & 0xff;
  buf[start + 3] = (n >>> 16) & 0xff;
  buf[start + 4] = (n >>> 24) & 0xff;
}

function text(s: string): void {
  const n = s.length;
  if (5 + 2 * n > CHUNK) {
    longText(s);
    return;
  }
  room(5 + 2 * n);
  const start = pos;
  const p = start + 5;
  let or = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    or |= c;
    buf[p + i] = c;
  }
  closeText(s, start, or);
}

// What the last emailText learnt of its address, for the analysis (see emailFacts).
let emailKindSeen = -1;
let emailHashSeen = 0;

/**
 * {@link text} for an email address, which the analysis reads twice more otherwise: in the same scan it
 * judges the address as R1's fast path does (an already clean address: trimmed, lowercase ASCII) and
 * takes the hash the analysis's email table uses (`hashOf` in scratch.ts). Same bytes as `text`.
 */
function emailText(s: string): void {
  const n = s.length;
  if (5 + 2 * n > CHUNK) {
    longText(s);
    emailKindSeen = -1;
    return;
  }
  room(5 + 2 * n);
  const start = pos;
  const p = start + 5;
  let h = 0x811c9dc5;
  let or = 0;
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
    buf[p + i] = c0;
    buf[p + i + 1] = c1;
    or |= c0 | c1;
    odd |= ((0x7f - c0) | (0x7f - c1)) >>> 31;
    odd |= ((c0 - 65) >>> 0 < 26 ? 1 : 0) | ((c1 - 65) >>> 0 < 26 ? 1 : 0);
    space |= ((c0 - 33) | (c1 - 33)) >>> 31;
    if (c0 === 64 || c1 === 64) {
      ats += (c0 === 64 ? 1 : 0) + (c1 === 64 ? 1 : 0);
      at = c1 === 64 ? i + 1 : i;
    }
    if (c1 === 46) lastDot = i + 1;
    else if (c0 === 46) lastDot = i;
    h = Math.imul(h ^ (c0 | (c1 << 16)), 0x01000193);
  }
  if (even !== n) {
    const c = s.charCodeAt(even);
    buf[p + even] = c;
    or |= c;
    odd |= ((0x7f - c) >>> 31) | ((c - 65) >>> 0 < 26 ? 1 : 0);
    space |= (c - 33) >>> 31;
    if (c === 64) {
      ats++;
      at = even;
    } else if (c === 46) lastDot = even;
    h = Math.imul(h ^ c, 0x01000193);
  }
  closeText(s, start, or);
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

/**
 * The canonical order of keys and ids: shorter first, then by UTF-16 code unit. A total order on
 * strings that sorts canonical decimal ids (FACTS `personID`s) as numbers.
 * @internal
 */
export function canonicalCompare(x: string, y: string): number {
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}

// Key orders seen in records' `fields`, which repeat from record to record (students' and parents' and
// the accounts' own): each shape's keys as enumerated and the positions that put them in canonical order.
interface Shape {
  readonly keys: string[];
  readonly order: number[];
}
const SHAPES = 8;
const MAX_SHAPE_KEYS = 32;
const shapes: Shape[] = [];
let lastShape = 0;
let nextSlot = 0;
const keysNow: string[] = [];
const valuesNow: (string | null)[] = [];

function sameKeys(shape: Shape, count: number): boolean {
  const keys = shape.keys;
  if (keys.length !== count) return false;
  for (let k = 0; k < count; k++) if (keys[k] !== keysNow[k]) return false;
  return true;
}

/** The shape of the `count` keys in `keysNow`: a cached one, or a new one (sorted once). */
function shapeOf(count: number): Shape {
  const last = shapes[lastShape];
  if (last !== undefined && sameKeys(last, count)) return last;
  for (let s = 0; s < shapes.length; s++) {
    const shape = shapes[s] as Shape;
    if (sameKeys(shape, count)) {
      lastShape = s;
      return shape;
    }
  }
  const keys = keysNow.slice(0, count);
  const order = keys.map((_, k) => k).sort((x, y) => canonicalCompare(keys[x] as string, keys[y] as string));
  const shape = { keys, order };
  if (count <= MAX_SHAPE_KEYS) {
    if (shapes.length < SHAPES) {
      shapes.push(shape);
      lastShape = shapes.length - 1;
    } else {
      shapes[nextSlot] = shape;
      lastShape = nextSlot;
      nextSlot = (nextSlot + 1) % SHAPES;
    }
  }
  return shape;
}

/**
 * Encode an object of string or null values (a record's `fields`) with its keys in canonical order.
 * False when it is not such an object.
 */
function textRecord(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  let count = 0;
  for (const key in record) {
    const v = record[key];
    if (v !== null && typeof v !== "string") return false;
    if (count < keysNow.length) {
      keysNow[count] = key;
      valuesNow[count] = v;
    } else {
      keysNow.push(key);
      valuesNow.push(v);
    }
    count++;
  }
  const { keys, order } = shapeOf(count);
  tag(T_OBJECT);
  u32(count);
  for (let k = 0; k < count; k++) {
    const at = order[k] as number;
    text(keys[at] as string);
    const v = valuesNow[at] as string | null;
    if (v === null) tag(T_NULL);
    else text(v);
  }
  return true;
}

// A string, null or undefined; false for anything else.
function maybeText(v: unknown): boolean {
  if (typeof v === "string") text(v);
  else if (v === null) tag(T_NULL);
  else if (v === undefined) tag(T_UNDEFINED);
  else return false;
  return true;
}

// A boolean, null or undefined; false for anything else.
function maybeFlag(v: unknown): boolean {
  if (v === true) tag(T_TRUE);
  else if (v === false) tag(T_FALSE);
  else if (v === null) tag(T_NULL);
  else if (v === undefined) tag(T_UNDEFINED);
  else return false;
  return true;
}

/**
 * The start of {@link person} and {@link account}: `value` as a record when it is an object whose `idKey`
 * is a non-empty string, its type tag and id then written; `null` for anything else.
 */
function taggedRecord(
  value: unknown,
  idKey: "sourceId" | "accountId",
  recordTag: number,
): Record<string, unknown> | null {
  if (typeof value !== "object" || value === null) return null;
  const record = value as Record<string, unknown>;
  const id = record[idKey];
  if (typeof id !== "string" || id === "") return null;
  tag(recordTag);
  text(id);
  return record;
}

/**
 * Encode one source person while checking the shape {@link SourcePerson} promises: the same checks as the
 * validator's fast path (`validate.ts`), made in the one read of each field. False for a malformed record
 * (the bytes written then mean nothing; the caller asks the validator what is wrong).
 */
function person(value: unknown): boolean {
  const p = taggedRecord(value, "sourceId", T_PERSON);
  if (p === null) return false;
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
  if (email === null) tag(T_NULL);
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
  if (!arrayOf(p.families, familyLink) || !arrayOf(p.studentIds, oneText)) return false;
  return textRecord(p.fields);
}

/** Encode an array, each item by `item`; false when `value` is not an array or `item` refuses one. */
function arrayOf(value: unknown, item: (v: unknown) => boolean): boolean {
  if (!Array.isArray(value)) return false;
  tag(T_ARRAY);
  u32(value.length);
  for (let k = 0; k < value.length; k++) if (!item(value[k])) return false;
  return true;
}

/** A string; false for anything else. */
function oneText(v: unknown): boolean {
  if (typeof v !== "string") return false;
  text(v);
  return true;
}

/** One of a person's family links, checked as {@link person} checks the person. */
function familyLink(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const link = value as Record<string, unknown>;
  const familyId = link.familyId;
  if (typeof familyId !== "string" || familyId === "") return false;
  text(familyId);
  if (!maybeText(link.relationship) || !maybeFlag(link.listedFirst)) return false;
  const order = link.parentOrder;
  if (order === undefined) tag(T_UNDEFINED);
  else if (order === null) tag(T_NULL);
  else if (typeof order === "number") num(order);
  else return false;
  return maybeFlag(link.custody);
}

/** Encode one account while checking the shape `Account` promises, like {@link person}. */
function account(value: unknown): boolean {
  const a = taggedRecord(value, "accountId", T_ACCOUNT);
  if (a === null) return false;
  const email = a.email;
  if (typeof email !== "string") return false;
  emailText(email);
  if (!maybeText(a.firstName) || !maybeText(a.lastName) || !maybeText(a.birthDate)) return false;
  const sourceId = a.sourceId;
  if (sourceId === undefined) tag(T_UNDEFINED);
  else if (typeof sourceId === "string" && sourceId !== "") text(sourceId);
  else return false;
  const archived = a.archived;
  const managed = a.managed;
  if (typeof archived !== "boolean" || typeof managed !== "boolean") return false;
  tag(archived ? T_TRUE : T_FALSE);
  tag(managed ? T_TRUE : T_FALSE);
  const group = a.familyGroupId;
  if (group === undefined) tag(T_UNDEFINED);
  else if (typeof group === "string") text(group);
  else return false;
  const never = a.neverAccessed;
  if (typeof never !== "boolean") return false;
  tag(never ? T_TRUE : T_FALSE);
  return textRecord(a.fields);
}

/**
 * A running digest of a collection of records (the people, the accounts): SHA-256 of their encodings in
 * id order. The analysis feeds it while it validates each record, when the record's strings are already
 * in the CPU's cache; records that arrive out of id order make it `sorted: false`, and
 * {@link planHashFrom} then walks the records again in id order.
 * @internal
 */
export interface SetDigest extends Sink {
  count: number;
  /** Every record so far came in strictly increasing id order. */
  sorted: boolean;
  lastId: string;
  /** The finished digest, once taken. */
  value: Uint8Array | null;
}

/** An empty {@link SetDigest}. @internal */
export const newSetDigest = (): SetDigest => ({
  hash: null,
  discard: false,
  count: 0,
  sorted: true,
  lastId: "",
  value: null,
});

/**
 * A digest that keeps nothing: for checking a record's shape only (the validator's fast path).
 * @internal
 */
export const SHAPE_ONLY: SetDigest = { ...newSetDigest(), discard: true };

function inOrder(digest: SetDigest, id: string): void {
  if (digest.discard) return;
  if (digest.count > 0 && canonicalCompare(digest.lastId, id) >= 0) digest.sorted = false;
  digest.lastId = id;
  digest.count++;
}

/**
 * Add one person to a people digest, checking its shape on the way (see `person`). False for a
 * malformed record (the digest then means nothing: the input is refused).
 * @internal
 */
export function addPerson(digest: SetDigest, p: unknown): boolean {
  open(digest);
  if (!person(p)) return false;
  inOrder(digest, (p as { sourceId: string }).sourceId);
  return true;
}

/** Add one account to an accounts digest, like {@link addPerson}. @internal */
export function addAccount(digest: SetDigest, a: unknown): boolean {
  open(digest);
  if (!account(a)) return false;
  inOrder(digest, (a as { accountId: string }).accountId);
  return true;
}

function finishSet(digest: SetDigest): Uint8Array {
  open(digest);
  num(digest.count);
  flush();
  active = null;
  digest.hash ??= createHash("sha256");
  return digest.hash.digest();
}

/** The digest of records in canonical id order (ties, which valid input never has, by their own bytes). */
function sortedSet(records: readonly unknown[], idOf: (r: unknown) => string, add: typeof addPerson): Uint8Array {
  const own = new Map<number, string>();
  const bytesOf = (k: number): string => {
    let b = own.get(k);
    if (b === undefined) {
      const d = newSetDigest();
      add(d, records[k]);
      b = Buffer.from(finishSet(d)).toString("hex");
      own.set(k, b);
    }
    return b;
  };
  const order = records.map((_, k) => k);
  order.sort((x, y) => {
    const c = canonicalCompare(idOf(records[x]), idOf(records[y]));
    if (c !== 0) return c;
    const bx = bytesOf(x);
    const by = bytesOf(y);
    return bx < by ? -1 : bx > by ? 1 : 0;
  });
  const digest = newSetDigest();
  for (const k of order) add(digest, records[k]);
  digest.count = records.length;
  return finishSet(digest);
}

const idOfPerson = (r: unknown): string => String((r as { sourceId?: unknown } | null)?.sourceId ?? "");
const idOfAccount = (r: unknown): string => String((r as { accountId?: unknown } | null)?.accountId ?? "");

function setValue(digest: SetDigest, records: readonly unknown[], kind: "person" | "account"): Uint8Array {
  if (digest.value === null) {
    digest.value = digest.sorted
      ? finishSet(digest)
      : kind === "person"
        ? sortedSet(records, idOfPerson, addPerson)
        : sortedSet(records, idOfAccount, addAccount);
  }
  return digest.value;
}

/** Encode any JSON-like value: object keys in canonical order (undefined entries left out), arrays in order. */
function json(value: unknown): void {
  if (value === null) tag(T_NULL);
  else if (value === undefined) tag(T_UNDEFINED);
  else if (typeof value === "string") text(value);
  else if (typeof value === "number") num(value);
  else if (value === true) tag(T_TRUE);
  else if (value === false) tag(T_FALSE);
  else if (Array.isArray(value)) {
    tag(T_ARRAY);
    u32(value.length);
    for (const item of value) json(item);
  } else if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined);
    sortCanonical(keys);
    tag(T_OBJECT);
    u32(keys.length);
    for (const key of keys) {
      text(key);
      json(record[key]);
    }
  } else {
    // Functions, symbols and bigints are not JSON: named by type, so they never pass for another value.
    text(`\u0000${typeof value}`);
  }
}

/** Sort in place in canonical order; a list already in order (the usual case) costs one scan. */
function sortCanonical(values: string[]): void {
  for (let i = 1; i < values.length; i++) {
    if (canonicalCompare(values[i - 1] as string, values[i] as string) > 0) {
      values.sort(canonicalCompare);
      return;
    }
  }
}

/**
 * Encode a list of strings as a set: order and repeats do not matter. Sorted by UTF-16 code unit (what
 * `Array.prototype.sort` does, and how `@rostersync/sync` stores `reviewed`), so a stored list is
 * usually in order already and costs one scan.
 */
function stringSet(values: readonly unknown[] | undefined): void {
  if (values === undefined) {
    tag(T_UNDEFINED);
    return;
  }
  const list = values.map(String);
  for (let i = 1; i < list.length; i++) {
    if ((list[i - 1] as string) > (list[i] as string)) {
      list.sort();
      break;
    }
  }
  let unique = 0;
  for (let i = 0; i < list.length; i++) if (i === 0 || list[i] !== list[i - 1]) unique++;
  tag(T_ARRAY);
  u32(unique);
  for (let i = 0; i < list.length; i++) if (i === 0 || list[i] !== list[i - 1]) text(list[i] as string);
}

/** Everything of the decisions that changes a plan: not `acknowledgedHolds` (see the module comment). */
function decisionsDigest(d: Decisions): void {
  json(d.selections);
  json(d.duplicates);
  json(d.merges);
  stringSet(d.reviewed);
  stringSet(d.reviewedErrors);
}

/** Everything of the last run that changes a plan (its holds): the counts R10 compares with. */
function lastRunDigest(lastRun: LastRun | null | undefined): void {
  if (lastRun === null || lastRun === undefined) {
    tag(T_NULL);
    return;
  }
  json({
    sourceCount: lastRun.sourceCount,
    managedCount: lastRun.managedCount,
    inScopeCount: lastRun.inScopeCount,
    inScopeSlices: lastRun.inScopeSlices,
  });
}

/** Run `encode` into a fresh SHA-256 and answer its hex digest. */
function digestOf(domain: string, encode: () => void): string {
  const outer = active;
  flush();
  const sink: Sink = { hash: createHash("sha256"), discard: false };
  active = sink;
  text(domain);
  encode();
  flush();
  active = outer;
  return (sink.hash as Hash).digest("hex");
}

/**
 * A SHA-256 digest (64 hex digits) of any JSON-like value; object key order does not matter, array order
 * does, and `null`, `0`, `""`, `false` and absent all differ.
 *
 * @example
 * ```ts
 * hashJson({ a: 1, b: [2, 3] }) === hashJson({ b: [2, 3], a: 1 }) // true
 * hashJson({ a: null }) === hashJson({ a: 0 }) // false
 * ```
 */
export function hashJson(value: unknown): string {
  return digestOf("rostersync json v2", () => json(value));
}

function profileBytes(profile: SyncProfile): void {
  json({ ...profile, schools: undefined, gradeLevels: undefined });
  stringSet(profile.schools);
  stringSet(profile.gradeLevels);
}

/**
 * The digest of a profile: a plan made under another profile is refused. Field-map order matters (it is
 * the order fields are written); the order of schools and grades does not.
 */
export function profileHashOf(profile: SyncProfile): string {
  return digestOf("rostersync profile v2", () => profileBytes(profile));
}

/**
 * The plan hash (R11): a SHA-256 digest (64 hex digits) of the people, the accounts, the decisions
 * (without `acknowledgedHolds`), the profile, the host's fields and the last run's counts. The order of
 * people and of accounts does not change it; any change to a record does.
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
  const peopleBytes = setValue(people, input.people, "person");
  const accountBytes = setValue(accounts, input.accounts, "account");
  return digestOf("rostersync plan v2", () => {
    text(Buffer.from(peopleBytes).toString("latin1"));
    text(Buffer.from(accountBytes).toString("latin1"));
    profileBytes(input.profile);
    decisionsDigest(input.decisions);
    json(input.targetFields);
    lastRunDigest(input.lastRun);
  });
}
