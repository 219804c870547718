/**
 * Binary search over sorted timestamps, shared by the client's request budget, the simulator's rate
 * limiter and the benchmark's stand-in FACTS (all count requests in rolling windows). Internal: not
 * exported from the package.
 *
 * @internal
 * @module
 */

/** Index of the first value greater than `t` in an ascending array. @internal */
export function firstAfter(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
