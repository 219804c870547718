/**
 * A string-keyed hash table sized once for a known number of keys. The planner indexes a million ids
 * and emails per run; a pre-sized open-addressing table over typed arrays never rehashes and makes
 * little garbage, where a growing `Map` rehashes ~20 times and churns the heap.
 *
 * @module
 */

import { hashOf } from "./scratch.js";

/**
 * A set of strings where each key gets a dense entry number (0, 1, 2… in insertion order); callers keep
 * per-entry data in their own arrays indexed by that number.
 *
 * @example
 * ```ts
 * const table = new StringTable(2);
 * table.add("ann@school.org"); // 0
 * table.find("ann@school.org"); // 0
 * table.find("bo@school.org"); // -1
 * ```
 */
export class StringTable {
  /** The keys by entry number. */
  readonly keys: string[] = [];
  /** Whether the last {@link StringTable.add} inserted a new key. */
  added = false;
  #mask: number;
  /** Slot i holds (entry + 1, hash) at [2i, 2i + 1]: one cache line per probe instead of two. */
  #slots: Int32Array;

  /**
   * `expected`: the most keys that will be added (more is allowed but slows lookups). `allocate`: where the
   * zero-filled slots of the first `length` elements come from (default: a new `Int32Array`; the analysis
   * passes pooled scratch memory). Growing past `expected` always allocates privately.
   */
  constructor(expected: number, allocate: (length: number) => Int32Array = (length) => new Int32Array(length)) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.#mask = capacity - 1;
    this.#slots = allocate(capacity * 2);
  }

  /** How many keys the table holds. */
  get size(): number {
    return this.keys.length;
  }

  /** The entry number of `key`, adding it when absent ({@link StringTable.added} tells which). */
  add(key: string): number {
    return this.addHashed(key, hashOf(key));
  }

  /** {@link StringTable.add} for a caller that already has `hashOf(key)`. @internal */
  addHashed(key: string, h: number): number {
    const mask = this.#mask;
    const slots = this.#slots;
    let i = h & mask;
    for (;;) {
      const s = slots[2 * i] as number;
      if (s === 0) {
        if (this.keys.length * 2 > mask) {
          // More keys than announced: grow once, then insert into the new slots.
          this.#grow();
          return this.addHashed(key, h);
        }
        this.keys.push(key);
        slots[2 * i] = this.keys.length;
        slots[2 * i + 1] = h;
        this.added = true;
        return this.keys.length - 1;
      }
      if (slots[2 * i + 1] === h && this.keys[s - 1] === key) {
        this.added = false;
        return s - 1;
      }
      i = (i + 1) & mask;
    }
  }

  #grow(): void {
    const capacity = (this.#mask + 1) * 2;
    const slots = new Int32Array(capacity * 2);
    const mask = capacity - 1;
    for (let e = 0; e < this.keys.length; e++) {
      const h = hashOf(this.keys[e] as string);
      let i = h & mask;
      while (slots[2 * i] !== 0) i = (i + 1) & mask;
      slots[2 * i] = e + 1;
      slots[2 * i + 1] = h;
    }
    this.#mask = mask;
    this.#slots = slots;
  }

  /** The entry number of `key`, or −1. */
  find(key: string): number {
    const h = hashOf(key);
    const mask = this.#mask;
    const slots = this.#slots;
    let i = h & mask;
    for (;;) {
      const s = slots[2 * i] as number;
      if (s === 0) return -1;
      if (slots[2 * i + 1] === h && this.keys[s - 1] === key) return s - 1;
      i = (i + 1) & mask;
    }
  }
}
