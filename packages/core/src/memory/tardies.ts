import { errAsync, okAsync } from "neverthrow";
import type { PortError } from "../ports/errors.js";
import type { TardyDelivery, TardyReceipt, TardySink } from "../ports/tardy-sink.js";
import type { BehaviorCode, BellSchedule, TardyEvent, TardySchool, TardySource } from "../ports/tardy-source.js";

/** Options of {@link createMemoryTardySource}: what the behaviour system starts with. */
export interface MemoryTardySourceOptions {
  readonly schools?: readonly TardySchool[] | undefined;
  readonly behaviorCodes?: readonly BehaviorCode[] | undefined;
  readonly bellSchedules?: readonly BellSchedule[] | undefined;
  readonly tardies?: readonly TardyEvent[] | undefined;
}

/** @deprecated Renamed {@link MemoryTardySourceOptions}. */
export type MemoryTardyData = MemoryTardySourceOptions;

/** The state behind a memory tardy source. */
export interface MemoryTardySourceState {
  readonly schools: TardySchool[];
  readonly behaviorCodes: BehaviorCode[];
  readonly bellSchedules: BellSchedule[];
  /** Tardies by `eventId`. */
  readonly tardies: Map<string, TardyEvent>;
}

/** An in-memory behaviour system with access to its state. */
export interface MemoryTardySource extends TardySource {
  /** Record a tardy, or change one (with a later `updatedAt`). */
  put(event: TardyEvent): void;
  getInstance(): MemoryTardySourceState;
}

/**
 * A {@link TardySource} held in memory. `listTardies` answers the events changed after `since` in the
 * chosen schools and codes, oldest first, with the newest `updatedAt` as the next watermark.
 *
 * @example
 * ```ts
 * const hero = createMemoryTardySource({ schools, behaviorCodes, tardies });
 * ```
 */
export function createMemoryTardySource(options: MemoryTardySourceOptions = {}): MemoryTardySource {
  const state: MemoryTardySourceState = {
    schools: [...(options.schools ?? [])],
    behaviorCodes: [...(options.behaviorCodes ?? [])],
    bellSchedules: [...(options.bellSchedules ?? [])],
    tardies: new Map((options.tardies ?? []).map((t) => [t.eventId, t])),
  };
  return {
    name: "memory",
    listSchools: () => okAsync([...state.schools]),
    listBehaviorCodes: () => okAsync([...state.behaviorCodes]),
    listBellSchedules: () => okAsync([...state.bellSchedules]),
    listTardies(query) {
      const schools = new Set(query.schoolIds);
      const codes = new Set(query.behaviorCodeIds);
      const events = [...state.tardies.values()]
        .filter(
          (t) =>
            schools.has(t.schoolId) &&
            codes.has(t.behaviorCodeId) &&
            (query.since === null || t.updatedAt > query.since),
        )
        .sort((a, b) =>
          a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : a.eventId < b.eventId ? -1 : 1,
        );
      const last = events.at(-1);
      return okAsync({ events, watermark: last ? last.updatedAt : query.since });
    },
    put(event) {
      state.tardies.set(event.eventId, event);
    },
    getInstance: () => state,
  };
}

/** Options of {@link createMemoryTardySink}. */
export interface MemoryTardySinkOptions {
  /** Called before each delivery; return an error to make it fail with nothing delivered. */
  readonly fault?: ((delivery: TardyDelivery, attempt: number) => PortError | null | undefined) | undefined;
}

/** The state behind a memory tardy sink. */
export interface MemoryTardySinkState {
  /** Deliveries accepted, in order. */
  readonly deliveries: TardyDelivery[];
}

/** An in-memory tardy sink that keeps every delivery. */
export interface MemoryTardySink extends TardySink {
  getInstance(): MemoryTardySinkState;
}

/**
 * A {@link TardySink} that keeps what it receives, for tests and the demo.
 *
 * @example
 * ```ts
 * const sink = createMemoryTardySink();
 * sink.getInstance().deliveries; // after an export run
 * ```
 */
export function createMemoryTardySink(options: MemoryTardySinkOptions = {}): MemoryTardySink {
  const deliveries: TardyDelivery[] = [];
  let attempts = 0;
  return {
    name: "memory",
    deliver(delivery, deliverOptions) {
      attempts += 1;
      if (deliverOptions?.signal?.aborted) return errAsync({ type: "Aborted", message: "The delivery was cancelled." });
      const fault = options.fault?.(delivery, attempts);
      if (fault) return errAsync(fault);
      deliveries.push(delivery);
      const receipt: TardyReceipt = { delivered: delivery.records.length };
      return okAsync(receipt);
    },
    getInstance: () => ({ deliveries }),
  };
}
