import type { ResultAsync } from "neverthrow";
import type { Role } from "../types.js";
import type { PortError } from "./errors.js";

/** One service-hours record as the SIS holds it (without its id). */
export interface ServiceHour {
  /** SIS person id of the student or parent. */
  readonly personId: string;
  readonly role: Role;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly hours: number;
  readonly description: string;
  readonly note?: string | null | undefined;
  readonly verifiedBy?: string | null | undefined;
}

/** A service-hours record read from the SIS. */
export interface SisServiceHour extends ServiceHour {
  readonly serviceHoursId: string;
  /** The host hour id found in the record's marker, when the host wrote it. */
  readonly hostHourId: string | null;
}

/** One write to the SIS, keyed by the host's hour id. */
export interface HourWrite {
  readonly hourId: string;
  readonly op: "create" | "update" | "delete";
  /** Known SIS id (update, delete). */
  readonly serviceHoursId?: string | null | undefined;
  /** A previous write's outcome was lost: look the record up by its marker before writing. */
  readonly reconcile?: boolean | undefined;
  readonly hour: ServiceHour;
}

/**
 * What happened to one write. `deleted`: the SIS no longer has the record. `withdrawn`: a SIS that cannot
 * delete (FACTS) keeps the record, emptied and marked for a person to remove; `serviceHoursId` names it.
 */
export interface HourWriteOutcome {
  readonly hourId: string;
  readonly status: "created" | "updated" | "deleted" | "withdrawn" | "failed";
  readonly serviceHoursId: string | null;
  readonly error?: { readonly type: string; readonly message: string } | undefined;
  /** Something a person must do in the SIS (delete a withdrawn or duplicate record), for an admin to see. */
  readonly attention?: string | undefined;
}

/** Options for a batch of writes. */
export interface HourWriteOptions {
  readonly signal?: AbortSignal | undefined;
  /**
   * Called as the batch advances: after each write settles, and may also be called after any request
   * the sink makes (with `done` unchanged). The push uses it as a heartbeat to keep the school's lease
   * while a long batch runs, and stops the batch through `signal` when the lease is lost.
   */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * Where approved hours go (FACTS service hours). A batch resolves with one outcome per write; the
 * error channel is for failures of the whole batch (auth, abort). No write may ever create a duplicate.
 */
export interface HoursSink<E extends PortError = PortError> {
  readonly name: string;
  write(writes: readonly HourWrite[], options?: HourWriteOptions): ResultAsync<readonly HourWriteOutcome[], E>;
  /** Every service-hours record of the school (historic import, docs/hours.md). */
  listAll(options?: { readonly signal?: AbortSignal | undefined }): ResultAsync<readonly SisServiceHour[], E>;
}
