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

/**
 * The hash of the analysis's tables: FNV-1a over pairs of UTF-16 code units (half the serial
 * multiplications of one unit at a time), finished so that nearby keys spread over a table. Internal and
 * never stored, so it may change between versions. @internal
 */
export function hashOf(key: string): number {
  let h = 0x811c9dc5;
  const n = key.length;
  const even = n & ~1;
  for (let i = 0; i < even; i += 2) h = Math.imul(h ^ (key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16)), 0x01000193);
  if (even !== n) h = Math.imul(h ^ key.charCodeAt(even), 0x01000193);
  return finishTableHash(h);
}

/** The last step of {@link hashOf}, for a caller that ran its loop itself. @internal */
export function finishTableHash(h: number): number {
  let x = h;
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  x ^= x >>> 12;
  return x;
}

/**
 * A {@link StringTable} whose slots live in the pooled scratch memory of `slot`: for the analysis, which
 * drops its tables before it returns.
 * @internal
 */
export function scratchTable(slot: number, expected: number): StringTable {
  return new StringTable(expected, (length) => scratchInt32(slot, length, 0));
}
