import type { PortError } from "@rostersync/core";
import type { ResultAsync } from "neverthrow";
import { expect } from "vitest";

/** Any port's error: tagged with `type`, carrying a message. */
export type TaggedError = Pick<PortError, "message"> & { readonly type: string };

/** Awaits a port call that must succeed; fails the test with the adapter's message otherwise. */
export async function must<T, E extends TaggedError = PortError>(result: ResultAsync<T, E>): Promise<T> {
  const settled = await result;
  if (settled.isErr()) throw new Error(`expected success, got ${settled.error.type}: ${settled.error.message}`);
  return settled.value;
}

/** Awaits a port call that must fail with `type` and a readable message; returns the error. */
export async function fails<E extends TaggedError = PortError>(
  result: ResultAsync<unknown, E>,
  type: string,
): Promise<E> {
  const settled = await result;
  if (settled.isOk()) throw new Error(`expected ${type}, got success: ${JSON.stringify(settled.value)}`);
  expect(settled.error.type).toBe(type);
  expect(typeof settled.error.message).toBe("string");
  expect(settled.error.message.length).toBeGreaterThan(0);
  return settled.error;
}

/** Calls `close()` on an adapter that has one (anything holding a resource, docs/architecture.md). */
export async function closeIfClosable(adapter: unknown): Promise<void> {
  const close = (adapter as { close?: unknown } | null)?.close;
  if (typeof close === "function") await (close as () => unknown).call(adapter);
}
