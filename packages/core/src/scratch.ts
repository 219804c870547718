/**
 * Scratch memory for the analysis: the index tables and per-entry arrays it needs only while it runs.
 *
 * Why pooled: a typed array's memory lives outside the JavaScript heap, and V8 starts a full garbage
 * collection once more than 64 MB of such memory was allocated since the last one. A full collection
 * marks every live object, so with a million-person input in memory it costs seconds. The analysis of a
 * million people needs ~70 MB of scratch indexes; allocated fresh on every call they forced one such
 * collection per review. Reused, they are allocated once per process (and kept: ~70 bytes per person of
 * the largest input analysed so far).
 *
 * Internal: not exported from the package. Every user re-initialises what it takes, so a call that
 * threw half-way (bad input) leaves nothing behind that the next call could read. The analysis is
 * synchronous and never calls back into user code while it holds scratch, so two holders never overlap.
 *
 * @internal
 * @module
 */

const pool: (Int32Array | undefined)[] = [];

/**
 * A scratch `Int32Array` of exactly `length` elements, every one set to `fill`, backed by the pooled
 * buffer of `slot`. Valid until the next call with the same slot; distinct slots never share memory.
 * @internal
 */
export function scratchInt32(slot: number, length: number, fill: number): Int32Array {
  let buffer = pool[slot];
  if (buffer === undefined || buffer.length < length) {
    buffer = new Int32Array(length);
    pool[slot] = buffer;
  }
  const view = buffer.length === length ? buffer : buffer.subarray(0, length);
  view.fill(fill);
  return view;
}

/** FNV-1a over UTF-16 code units, finished so that nearby ids spread over a table. @internal */
export function hashOf(key: string): number {
  let h = 0x811c9dc5;
  const n = key.length;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h;
}

/**
 * The same open-addressing string index as the public `StringTable`, with its slots in pooled scratch
 * memory: for the analysis, which drops its tables before it returns.
 * @internal
 */
export class ScratchTable {
  /** The keys by entry number. */
  readonly keys: string[] = [];
  /** Whether the last {@link ScratchTable.add} inserted a new key. */
  added = false;
  #mask: number;
  /** Slot i holds (entry + 1, hash) at [2i, 2i + 1]. */
  #slots: Int32Array;

  /** `slot`: the scratch slot to use; `expected`: the most keys that will be added (more is allowed). */
  constructor(slot: number, expected: number) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.#mask = capacity - 1;
    this.#slots = scratchInt32(slot, capacity * 2, 0);
  }

  /** The entry number of `key`, adding it when absent ({@link ScratchTable.added} tells which). */
  add(key: string): number {
    const h = hashOf(key);
    const mask = this.#mask;
    const slots = this.#slots;
    let i = h & mask;
    for (;;) {
      const s = slots[2 * i] as number;
      if (s === 0) {
        if (this.keys.length * 2 > mask) {
          this.#grow();
          return this.add(key);
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

  /** More keys than announced: a private, larger table (not pooled; callers size tables right). */
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
