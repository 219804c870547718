import type { ResultAsync } from "neverthrow";
import type { SourcePerson } from "../types.js";
import type { PortError } from "./errors.js";

/** A school as the SIS lists it. */
export interface SourceSchool {
  readonly schoolCode: string;
  readonly name: string;
  readonly active: boolean;
}

/** A grade level as the SIS lists it. */
export interface SourceGradeLevel {
  readonly code: string;
  readonly name: string;
  readonly sortOrder: number;
  /** The final grade of its school (graduates leave from here). */
  readonly final: boolean;
}

/** Everything one full read of the source returns. */
export interface RosterSnapshot {
  readonly people: readonly SourcePerson[];
  readonly schools: readonly SourceSchool[];
  readonly gradeLevels: readonly SourceGradeLevel[];
}

/** Progress of a long read. */
export interface ReadProgress {
  readonly requests: number;
  readonly records: number;
  /** Pages received so far, when the source reads in pages. */
  readonly pages?: number | undefined;
  /** Pages known to be needed so far (grows as first pages arrive), when the source reads in pages. */
  readonly pagesTotal?: number | undefined;
  /** Estimated milliseconds left, when known. */
  readonly etaMs?: number | undefined;
}

/** Options for one read. */
export interface ReadOptions {
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: ReadProgress) => void) | undefined;
}

/** Reads the roster from a student information system. */
export interface RosterSource<E extends PortError = PortError> {
  readonly name: string;
  /** One full, validated read. A bad record fails the whole read: nothing is silently dropped. */
  read(options?: ReadOptions): ResultAsync<RosterSnapshot, E>;
}
