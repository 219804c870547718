import { errAsync, okAsync } from "neverthrow";
import type { PortError } from "../ports/errors.js";
import type { HoursSink, HourWrite, HourWriteOutcome, SisServiceHour } from "../ports/hours-sink.js";
import type { HostHourEntry, HoursSource } from "../ports/hours-source.js";

/** Options of {@link createMemoryHoursSink}. */
export interface MemoryHoursSinkOptions {
  /** The SIS records the sink starts with (default none). */
  readonly hours?: readonly SisServiceHour[] | undefined;
  /**
   * Called before each write; return an error to fail that write. With `afterWrite: true` the write is
   * applied first and its outcome is then lost, which is how a timeout after sending looks to the caller.
   */
  readonly fault?:
    | ((
        write: HourWrite,
      ) => { readonly error: PortError; readonly afterWrite?: boolean | undefined } | null | undefined)
    | undefined;
}

/** The state behind a memory hours sink. */
export interface MemoryHoursSinkState {
  /** SIS records by `serviceHoursId`. */
  readonly records: Map<string, SisServiceHour>;
  /** Requests the sink answered: one per `write` batch and one per `listAll`. */
  readonly requests: { count: number };
}

/** An in-memory SIS service-hours table with access to its state. */
export interface MemoryHoursSink extends HoursSink {
  getInstance(): MemoryHoursSinkState;
  /** Every record, ordered by `serviceHoursId`. */
  snapshot(): SisServiceHour[];
}

/**
 * A {@link HoursSink} held in memory. Records carry the host hour id as their marker, so a write marked
 * `reconcile` finds the record an earlier, lost write already made instead of creating it twice.
 *
 * @example
 * ```ts
 * const sink = createMemoryHoursSink();
 * await sink.write([{ hourId: "h1", op: "create", hour }]);
 * ```
 */
export function createMemoryHoursSink(options: MemoryHoursSinkOptions = {}): MemoryHoursSink {
  const { hours: initial = [] } = options;
  const state: MemoryHoursSinkState = {
    records: new Map(initial.map((r) => [r.serviceHoursId, r])),
    requests: { count: 0 },
  };
  let nextId = initial.length + 1;
  const byMarker = (hourId: string): SisServiceHour | undefined => {
    for (const r of state.records.values()) if (r.hostHourId === hourId) return r;
    return undefined;
  };

  const apply = (w: HourWrite): HourWriteOutcome => {
    const existing =
      (w.serviceHoursId ? state.records.get(w.serviceHoursId) : undefined) ??
      (w.reconcile || w.op === "create" ? byMarker(w.hourId) : undefined);
    if (w.op === "delete") {
      if (existing) state.records.delete(existing.serviceHoursId);
      // Deleting what is already gone is done, not failed: deletes may be retried.
      return { hourId: w.hourId, status: "deleted", serviceHoursId: existing?.serviceHoursId ?? null };
    }
    if (w.op === "update" && !existing) {
      return {
        hourId: w.hourId,
        status: "failed",
        serviceHoursId: null,
        error: { type: "NotFound", message: `No service-hours record for ${w.hourId}.` },
      };
    }
    const serviceHoursId = existing?.serviceHoursId ?? `sh-${nextId++}`;
    state.records.set(serviceHoursId, { ...w.hour, serviceHoursId, hostHourId: w.hourId });
    return { hourId: w.hourId, status: existing ? "updated" : "created", serviceHoursId };
  };

  return {
    name: "memory",
    write(writes, writeOptions) {
      state.requests.count += 1;
      if (writeOptions?.signal?.aborted) return errAsync({ type: "Aborted", message: "The push was cancelled." });
      const outcomes: HourWriteOutcome[] = [];
      for (const w of writes) {
        // Like a real sink: a batch stopped half-way fails as a whole (its written entries stay written).
        if (writeOptions?.signal?.aborted) return errAsync({ type: "Aborted", message: "The push was cancelled." });
        const fault = options.fault?.(w);
        if (fault && !fault.afterWrite) {
          outcomes.push({
            hourId: w.hourId,
            status: "failed",
            serviceHoursId: null,
            error: { type: fault.error.type, message: fault.error.message },
          });
          continue;
        }
        const outcome = apply(w);
        outcomes.push(
          fault
            ? {
                hourId: w.hourId,
                status: "failed",
                serviceHoursId: null,
                error: { type: fault.error.type, message: fault.error.message },
              }
            : outcome,
        );
        writeOptions?.onProgress?.(outcomes.length, writes.length);
      }
      return okAsync(outcomes);
    },
    listAll() {
      state.requests.count += 1;
      return okAsync([...state.records.values()]);
    },
    getInstance: () => state,
    snapshot: () => [...state.records.values()].sort((a, b) => (a.serviceHoursId < b.serviceHoursId ? -1 : 1)),
  };
}

/** The state behind a memory hours source. */
export interface MemoryHoursSourceState {
  /** Host hour entries by `hourId`. */
  readonly entries: Map<string, HostHourEntry>;
  /** SIS hours imported by `importHistoric`, in import order. */
  readonly imported: SisServiceHour[];
}

/** Options of {@link createMemoryHoursSource}. */
export interface MemoryHoursSourceOptions {
  /** The host hour entries the log starts with (default none). */
  readonly entries?: readonly HostHourEntry[] | undefined;
}

/** An in-memory host hours log with access to its state. */
export interface MemoryHoursSource extends HoursSource {
  /** Add or replace an entry (an edit must carry a later `updatedAt`). */
  put(entry: HostHourEntry): void;
  getInstance(): MemoryHoursSourceState;
}

/**
 * A {@link HoursSource} held in memory. `changedSince` answers entries with `updatedAt` after the
 * watermark, oldest first; historic imports are kept apart in `getInstance().imported`.
 *
 * @example
 * ```ts
 * const hours = createMemoryHoursSource({ entries: [entry] });
 * const changed = await hours.changedSince(null);
 * if (changed.isOk()) console.log(changed.value.entries.length, changed.value.watermark);
 * ```
 */
export function createMemoryHoursSource(options: MemoryHoursSourceOptions = {}): MemoryHoursSource {
  const { entries: initial = [] } = options;
  const state: MemoryHoursSourceState = { entries: new Map(initial.map((e) => [e.hourId, e])), imported: [] };
  return {
    name: "memory",
    changedSince(watermark) {
      const entries = [...state.entries.values()]
        .filter((e) => watermark === null || e.updatedAt > watermark)
        .sort((a, b) =>
          a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : a.hourId < b.hourId ? -1 : 1,
        );
      const last = entries.at(-1);
      return okAsync({ entries, watermark: last ? last.updatedAt : watermark });
    },
    importHistoric(hours) {
      const known = new Set(state.imported.map((h) => h.serviceHoursId));
      let imported = 0;
      for (const h of hours) {
        // Importing twice must not double anyone's hours.
        if (known.has(h.serviceHoursId)) continue;
        known.add(h.serviceHoursId);
        state.imported.push(h);
        imported += 1;
      }
      return okAsync({ imported });
    },
    put(entry) {
      state.entries.set(entry.hourId, entry);
    },
    getInstance: () => state,
  };
}
