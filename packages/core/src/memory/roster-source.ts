import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { catalogueFromSnapshot } from "../catalogue.js";
import type { PortError } from "../ports/errors.js";
import type {
  AccessCheck,
  CatalogueOptions,
  ReadOptions,
  RosterSnapshot,
  RosterSource,
  SourceCatalogue,
} from "../ports/roster-source.js";

/** Options of {@link createMemoryRosterSource}. */
export interface MemoryRosterSourceOptions {
  /** What every read answers; a function lets a test change the roster between reads. */
  readonly snapshot: RosterSnapshot | (() => RosterSnapshot);
  /** Called before each read; return an error to make that read fail (fault injection). */
  readonly fault?: ((readNumber: number) => PortError | null | undefined) | undefined;
  /** The setup catalogue `catalogue()` answers. Default: made from the snapshot (`catalogueFromSnapshot`). */
  readonly catalogue?: SourceCatalogue | (() => SourceCatalogue) | undefined;
  /** The answer of `checkAccess()`. Default: every permission granted. */
  readonly access?: AccessCheck | undefined;
}

const ALL_GRANTED: AccessCheck = Object.freeze({
  authenticated: true,
  ok: true,
  permissions: [
    { name: "Roster: Read", granted: true, neededFor: "reading the roster", required: true },
    { name: "Hours: Write", granted: true, neededFor: "writing volunteer hours back", required: false },
  ],
});

/** A roster source over a snapshot held in memory, with a read counter. */
export interface MemoryRosterSource extends RosterSource {
  /** How many reads were answered (or failed). */
  reads(): number;
  /** The snapshot the next read returns. */
  getInstance(): RosterSnapshot;
  /** Answers the setup catalogue without a roster read (counted by {@link MemoryRosterSource.catalogueReads}). */
  catalogue(options?: CatalogueOptions): ResultAsync<SourceCatalogue, PortError>;
  /** "Test the key": every permission granted unless `options.access` says otherwise. */
  checkAccess(options?: CatalogueOptions): ResultAsync<AccessCheck, PortError>;
  /** How many catalogue reads were answered. */
  catalogueReads(): number;
}

/**
 * A {@link RosterSource} that answers with a snapshot held in memory. Pass a function to let a test
 * change the roster between reads (a new school year, a truncated fetch…).
 *
 * @example
 * ```ts
 * const source = createMemoryRosterSource({ snapshot: { people, schools: [], gradeLevels: [] } });
 * const snapshot = await source.read();
 * ```
 */
export function createMemoryRosterSource(options: MemoryRosterSourceOptions): MemoryRosterSource {
  const { snapshot } = options;
  let count = 0;
  let catalogueCount = 0;
  const cancelled = () => errAsync<never, PortError>({ type: "Aborted", message: "The read was cancelled." });
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
    catalogue(catalogueOptions?: CatalogueOptions) {
      if (catalogueOptions?.signal?.aborted) return cancelled();
      catalogueCount += 1;
      const given = options.catalogue;
      return okAsync(
        given === undefined ? catalogueFromSnapshot(current()) : typeof given === "function" ? given() : given,
      );
    },
    checkAccess(catalogueOptions?: CatalogueOptions) {
      if (catalogueOptions?.signal?.aborted) return cancelled();
      return okAsync(options.access ?? ALL_GRANTED);
    },
    catalogueReads: () => catalogueCount,
    reads: () => count,
    getInstance: current,
  };
}
