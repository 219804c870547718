import type { PortError, TardyDelivery, TardyReceipt, TardySink } from "@rostersync/core";
import { ResultAsync } from "neverthrow";

/** A callback sink failure: the callback threw or rejected. */
export interface CallbackSinkError extends PortError {
  readonly type: "CallbackFailed";
}

/** Options of {@link createCallbackSink}. */
export interface CallbackSinkOptions {
  /** The sink's name, as export configs refer to it. Default `callback`. */
  readonly name?: string | undefined;
  /**
   * Receives each delivery. Resolve (optionally with a receipt carrying the SIS's ids) when it is safely
   * handed over; throw or reject to fail the run, which then records nothing and sends the same delivery
   * (same `runId`) next time.
   */
  readonly deliver: (
    delivery: TardyDelivery,
    options: { readonly signal?: AbortSignal | undefined },
  ) => Promise<TardyReceipt | undefined> | TardyReceipt | undefined;
}

/**
 * A {@link TardySink} that hands each delivery to the host's function (upload it, e-mail it, queue it).
 * A delivery retried after a crash carries the same `runId`, which the host can use to deduplicate.
 *
 * @example
 * ```ts
 * const sinks = { upload: createCallbackSink({ name: "upload", deliver: (d) => bucket.put(d.filename, d.body) }) };
 * ```
 */
export function createCallbackSink(options: CallbackSinkOptions): TardySink<CallbackSinkError> {
  return {
    name: options.name ?? "callback",
    deliver(delivery, deliverOptions) {
      const signal = deliverOptions?.signal;
      return ResultAsync.fromPromise(
        (async () => options.deliver(delivery, signal === undefined ? {} : { signal }))(),
        (error): CallbackSinkError => ({
          type: "CallbackFailed",
          retryable: true,
          message: `The export callback failed: ${error instanceof Error ? error.message : String(error)}`,
        }),
      ).map((receipt): TardyReceipt => receipt ?? { delivered: delivery.records.length });
    },
  };
}
