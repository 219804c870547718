/**
 * `@rostersync/storage-sqlite`: the embedded default `SyncStore`, on `node:sqlite` (no native build).
 *
 * @packageDocumentation
 */
export type { Migration } from "./migrations.js";
export { APPLICATION_ID, LATEST_VERSION, MIGRATIONS } from "./migrations.js";
export type { SqliteStore, SqliteStoreError, SqliteStoreOptions } from "./store.js";
export { createSqliteStore } from "./store.js";
