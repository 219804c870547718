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

import { StringTable } from "./string-table.js";

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
 * A {@link StringTable} whose slots live in the pooled scratch memory of `slot`: for the analysis, which
 * drops its tables before it returns.
 * @internal
 */
export function scratchTable(slot: number, expected: number): StringTable {
  return new StringTable(expected, (length) => scratchInt32(slot, length, 0));
}
