import type { ResultAsync } from "neverthrow";
import type { PortError } from "./errors.js";

/** One exported tardy: new, a correction of one sent before, or a void of one sent before. */
export interface TardyRecord {
  readonly eventId: string;
  readonly kind: "new" | "correction" | "void";
  /** Field id → value, in the export's field order. */
  readonly values: Readonly<Record<string, string | number | null>>;
  /** For corrections and voids: the SIS's id for the record sent before, when a sink returned one. */
  readonly externalId?: string | undefined;
}

/** One export run's output, rendered and structured. */
export interface TardyDelivery {
  readonly exportId: string;
  readonly runId: string;
  readonly filename: string;
  readonly mediaType: string;
  /** The rendered file (CSV, TSV or JSON). */
  readonly body: string;
  readonly records: readonly TardyRecord[];
}

/** What a sink accepted. */
export interface TardyReceipt {
  readonly delivered: number;
  /** eventId → the SIS's id for the written record, when the sink has one. */
  readonly externalIds?: Readonly<Record<string, string>> | undefined;
}

/** Where a tardy export goes: a file drop, a callback, or the SIS's API. */
export interface TardySink<E extends PortError = PortError> {
  readonly name: string;
  deliver(
    delivery: TardyDelivery,
    options?: { readonly signal?: AbortSignal | undefined },
  ): ResultAsync<TardyReceipt, E>;
}
