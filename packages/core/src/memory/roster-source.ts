import { errAsync, okAsync } from "neverthrow";
import type { PortError } from "../ports/errors.js";
import type { ReadOptions, RosterSnapshot, RosterSource } from "../ports/roster-source.js";

/** Options of {@link createMemoryRosterSource}. */
export interface MemoryRosterSourceOptions {
  /** Called before each read; return an error to make that read fail (fault injection). */
  readonly fault?: ((readNumber: number) => PortError | null | undefined) | undefined;
}

/** A roster source over a snapshot held in memory, with a read counter. */
export interface MemoryRosterSource extends RosterSource {
  /** How many reads were answered (or failed). */
  reads(): number;
  /** The snapshot the next read returns. */
  getInstance(): RosterSnapshot;
}

/**
 * A {@link RosterSource} that answers with a snapshot held in memory. Pass a function to let a test
 * change the roster between reads (a new school year, a truncated fetch…).
 *
 * @example
 * ```ts
 * const source = createMemoryRosterSource({ people, schools: [], gradeLevels: [] });
 * const snapshot = await source.read();
 * ```
 */
export function createMemoryRosterSource(
  snapshot: RosterSnapshot | (() => RosterSnapshot),
  options: MemoryRosterSourceOptions = {},
): MemoryRosterSource {
  let count = 0;
  const current = (): RosterSnapshot => (typeof snapshot === "function" ? snapshot() : snapshot);
  return {
    name: "memory",
    read(readOptions?: ReadOptions) {
      count += 1;
      if (readOptions?.signal?.aborted) {
        return errAsync({ type: "Aborted", message: "The read was cancelled." });
      }
      const fault = options.fault?.(count);
      if (fault) return errAsync(fault);
      const value = current();
      readOptions?.onProgress?.({ requests: 1, records: value.people.length });
      return okAsync(value);
    },
    reads: () => count,
    getInstance: current,
  };
}
