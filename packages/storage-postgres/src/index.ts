/**
 * `@rostersync/storage-postgres`: the `SyncStore` for multi-worker, multi-school hosts, on `pg`.
 *
 * @packageDocumentation
 */
export type { Endpoint, PostgresStoreError } from "./errors.js";
export { redact } from "./errors.js";
export type { Migration } from "./migrations.js";
export { LATEST_VERSION, MIGRATIONS } from "./migrations.js";
export type { PostgresConnection, PostgresStore, PostgresStoreOptions } from "./store.js";
export { createPostgresStore } from "./store.js";
