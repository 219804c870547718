/**
 * The analysis's index of the people's `sourceId`s (entry = the person's position). SIS ids are most
 * often small decimal numbers handed out in sequence (FACTS's `personID`), and rosters arrive roughly in
 * id order. For such ids the index is a plain array indexed by `id − smallest id`: building and reading
 * it walks memory in order, where a hash table jumps to a random place per id. At a million people the
 * hash table no longer fits in the CPU's cache and each of those jumps is a cache miss; the array keeps
 * the cost per person the same at 10k and at 1M. Any other ids (letters, leading zeros, more than nine
 * digits, or numbers spread too thinly) use a {@link StringTable}, with the same answers.
 *
 * @internal
 * @module
 */

import { scratchInt32, scratchTable } from "./scratch.js";
import type { StringTable } from "./string-table.js";

/**
 * The value of a canonical decimal id of at most nine digits (`"0"`, `"42"`, not `"042"` or `"4.2"`),
 * or −1. Canonical only: `"042"` and `"42"` are different ids and must not share a slot.
 * @internal
 */
export function numericId(id: string): number {
  const n = id.length;
  if (n === 0 || n > 9 || (n > 1 && id.charCodeAt(0) === 48)) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = id.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

// Pooled scratch slots (see scratch.ts) this index owns.
const VALUES_SLOT = 7;
const DIRECT_SLOT = 8;
const TABLE_SLOT = 0;

/**
 * Index the people's `sourceId`s (by position; the people were validated). Answers the index and the positions whose id repeats an
 * earlier one. Valid until the next call (it lives in pooled scratch memory).
 * @internal
 */
export function indexIds(people: readonly { readonly sourceId: string }[]): { index: IdIndex; duplicates: number[] } {
  const n = people.length;
  const duplicates: number[] = [];
  const values = scratchInt32(VALUES_SLOT, n, 0);
  let min = Number.MAX_SAFE_INTEGER;
  let max = -1;
  let numeric = true;
  for (let i = 0; i < n && numeric; i++) {
    const v = numericId((people[i] as { readonly sourceId: string }).sourceId);
    if (v < 0) numeric = false;
    values[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // Dense enough: at most four slots per id (4 bytes each), so never much more memory than a table.
  if (numeric && n > 0 && max - min < 4 * n + 64) {
    const direct = scratchInt32(DIRECT_SLOT, max - min + 1, -1);
    for (let i = 0; i < n; i++) {
      const slot = (values[i] as number) - min;
      if ((direct[slot] as number) >= 0) duplicates.push(i);
      else direct[slot] = i;
    }
    return { index: new IdIndex(direct, min, null), duplicates };
  }
  const table = scratchTable(TABLE_SLOT, n);
  const position = n > 0 ? scratchInt32(VALUES_SLOT, n, -1) : values;
  for (let i = 0; i < n; i++) {
    const entry = table.add((people[i] as { readonly sourceId: string }).sourceId);
    if (table.added) position[entry] = i;
    else duplicates.push(i);
  }
  return { index: new IdIndex(null, 0, table, position), duplicates };
}

/**
 * Position of a person by `sourceId`, −1 for none.
 * @internal
 */
export class IdIndex {
  readonly #direct: Int32Array | null;
  readonly #min: number;
  readonly #table: StringTable | null;
  readonly #position: Int32Array | null;

  constructor(direct: Int32Array | null, min: number, table: StringTable | null, position: Int32Array | null = null) {
    this.#direct = direct;
    this.#min = min;
    this.#table = table;
    this.#position = position;
  }

  /** The position of the person with this `sourceId`, or −1. */
  find(id: string): number {
    const direct = this.#direct;
    if (direct !== null) {
      const v = numericId(id);
      if (v < 0) return -1;
      const slot = v - this.#min;
      return slot >= 0 && slot < direct.length ? (direct[slot] as number) : -1;
    }
    const entry = (this.#table as StringTable).find(id);
    return entry < 0 ? -1 : ((this.#position as Int32Array)[entry] as number);
  }
}
