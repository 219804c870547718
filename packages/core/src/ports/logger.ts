/**
 * Where an adapter or a service says what it is doing. Every method is optional, and nothing is logged
 * without a logger. One type for every package: sync, facts, hero, fleet and the stores take this one.
 * Nothing passed to a logger ever contains a key or a password.
 *
 * @example
 * ```ts
 * const logger: Logger = { warn: (message, data) => console.warn(message, data) };
 * ```
 */
export interface Logger {
  /** Request-level detail, off by default in most hosts. */
  debug?(message: string, data?: Record<string, unknown>): void;
  /** A step completed. */
  info?(message: string, data?: Record<string, unknown>): void;
  /** Something the host should look at; the work went on. */
  warn?(message: string, data?: Record<string, unknown>): void;
  /** Something failed; the error value carries the detail too. */
  error?(message: string, data?: Record<string, unknown>): void;
}
