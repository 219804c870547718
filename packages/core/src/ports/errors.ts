/**
 * The shape every port error shares. Each adapter narrows `type` to its own tagged union.
 * `fatal` errors stop an apply at once (auth, lost lock); others are recorded per action.
 */
export interface PortError {
  readonly type: string;
  /** A message an admin can read. Never contains a secret. */
  readonly message: string;
  /** Stop the whole run (auth failures, lost lock). */
  readonly fatal?: boolean | undefined;
  /** Trying again later may succeed. */
  readonly retryable?: boolean | undefined;
}
