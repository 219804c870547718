import { vi } from "vitest";

/**
 * Advances vitest's fake clock a millisecond at a time until `p` settles, letting real I/O and
 * `setImmediate` callbacks run between steps. Timers fire at their exact fake times, so a test can assert
 * exact waits; a loaded machine only makes the test take longer in real time, never changes what it sees.
 */
export async function settle<T>(p: PromiseLike<T>, limitMs = 600_000): Promise<T> {
  let done = false;
  let value: T | undefined;
  let failure: unknown;
  let failed = false;
  p.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      failed = true;
      failure = e;
    },
  );
  const yieldReal = () => new Promise<void>((resolve) => setImmediate(resolve));
  // Whatever is already due settles without the clock moving.
  for (let i = 0; i < 20 && !done; i++) {
    await vi.advanceTimersByTimeAsync(0);
    await yieldReal();
  }
  for (let t = 0; !done; t++) {
    if (t > limitMs) throw new Error(`still pending after ${limitMs} ms of fake time`);
    await vi.advanceTimersByTimeAsync(1);
    await yieldReal();
  }
  if (failed) throw failure;
  return value as T;
}
