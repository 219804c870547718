import type { Clock } from "@rostersync/core";

/** One progress report of a long step (`apply`, `resume`, `pushHours`). */
export interface SyncProgress {
  /** Which step is reporting. */
  readonly phase: "apply" | "hours";
  /** The apply run, for `apply` and `resume`. */
  readonly runId?: string | undefined;
  /** Actions (or hour entries) finished so far, failed ones included. */
  readonly done: number;
  readonly total: number;
  /** Of `done`, how many failed. */
  readonly failed: number;
  /** Finished per second since the step started. */
  readonly ratePerSecond: number;
  /** Estimated milliseconds left at the current rate; `null` until there is a rate. */
  readonly etaMs: number | null;
}

/** Receives progress reports; keep it cheap, it is called between batches. */
export type ProgressListener = (progress: SyncProgress) => void;

/** @internal Turns counts into rate and ETA against a clock. */
export function progressMeter(
  clock: Clock,
  phase: SyncProgress["phase"],
  total: number,
  listener: ProgressListener | undefined,
  runId?: string,
) {
  const startedAt = clock.now();
  // Resumed runs start with work already done; the rate counts only this session's work.
  let baseline = -1;
  return (done: number, failed: number): void => {
    if (listener === undefined) return;
    if (baseline < 0) baseline = done;
    const elapsed = Math.max(clock.now() - startedAt, 1);
    const ratePerSecond = ((done - baseline) * 1000) / elapsed;
    const etaMs = ratePerSecond > 0 ? Math.round(((total - done) / ratePerSecond) * 1000) : done >= total ? 0 : null;
    listener({ phase, ...(runId === undefined ? {} : { runId }), done, total, failed, ratePerSecond, etaMs });
  };
}
