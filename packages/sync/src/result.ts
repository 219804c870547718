/**
 * How sync turns what its steps return into the public `ResultAsync`, and core's throwing refusals into
 * values.
 *
 * @internal
 * @module
 */

import { RosterInputError } from "@rostersync/core";
import { fromThrowable, type Result, ResultAsync } from "neverthrow";
import type { SyncError } from "./errors.js";

/** A port that threw instead of answering with an error value, as the `StoreFailed` naming the throw. */
const thrownByPort = (thrown: unknown): SyncError => {
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return {
    type: "StoreFailed",
    message: `A port threw instead of answering: ${message}`,
    cause: { type: "Thrown", message, fatal: true },
  };
};

/**
 * Runs a step and lifts it into the public `ResultAsync`. Ports answer with error values, but one that
 * throws anyway (a bug in an adapter), at once or later, must not throw or reject across our boundary: it
 * becomes a `StoreFailed` naming the throw. Thrown directory writes never get here (apply treats them as
 * crashes). @internal
 */
export const guarded = <T>(
  step: () => ResultAsync<T, SyncError> | PromiseLike<Result<T, SyncError>>,
): ResultAsync<T, SyncError> =>
  ResultAsync.fromPromise((async () => await step())(), thrownByPort).andThen((result) => result);

/**
 * Runs a core function that refuses malformed input by throwing `RosterInputError`, as a value; anything
 * else it throws is a bug and is thrown on. @internal
 */
export function pure<T>(compute: () => T): Result<T, SyncError> {
  return fromThrowable(compute, refusedInput)();
}

/** Core's `RosterInputError` as `InvalidInput`; any other throw is a bug, and goes on up. */
function refusedInput(thrown: unknown): SyncError {
  if (thrown instanceof RosterInputError) {
    return { type: "InvalidInput", message: thrown.message, problems: thrown.problems };
  }
  throw thrown;
}
