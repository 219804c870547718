import type { Clock, ReadProgress } from "@rostersync/core";

/**
 * One progress report of a long step: reading the roster (`refresh`, and `plan`/`apply` when they read
 * it afresh), `apply`/`resume`, `pushHours`.
 */
export interface SyncProgress {
  /**
   * Which step is reporting. For `read`, `done`/`total` count the source's pages (requests when it does
   * not page), `total` grows as the first pages tell how many there are, and `etaMs` is the source's own
   * estimate (for FACTS: from its rate budget and the latency seen).
   */
  readonly phase: "read" | "apply" | "hours";
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
  /** For `read`: people and other records received so far. */
  readonly records?: number | undefined;
}

/** Receives progress reports; keep it cheap, it is called between batches (and per page while reading). */
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

/**
 * @internal Turns a source's read progress into {@link SyncProgress} reports (phase `read`).
 */
export function readMeter(clock: Clock, listener: ProgressListener | undefined) {
  if (listener === undefined) return undefined;
  const startedAt = clock.now();
  return (p: ReadProgress): void => {
    const done = p.pages ?? p.requests;
    const total = Math.max(p.pagesTotal ?? done, done);
    const elapsed = Math.max(clock.now() - startedAt, 1);
    listener({
      phase: "read",
      done,
      total,
      failed: 0,
      ratePerSecond: (done * 1000) / elapsed,
      etaMs: p.etaMs ?? (done >= total ? 0 : null),
      records: p.records,
    });
  };
}
