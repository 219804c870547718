/**
 * `@rostersync/storage-sqlite`: the embedded default `SyncStore`, on `node:sqlite` (no native build).
 *
 * @packageDocumentation
 */
import { nodeSqlite } from "./node-sqlite.js";

// Fail at import, with a message naming the Node needed, rather than with a raw ERR_UNKNOWN_BUILTIN_MODULE.
nodeSqlite();

export type { Migration } from "./migrations.js";
export { APPLICATION_ID, LATEST_VERSION, MIGRATIONS } from "./migrations.js";
export { NODE_SQLITE_MIN, type NodeRuntime, nodeSqlite } from "./node-sqlite.js";
export type { SqliteStore, SqliteStoreError, SqliteStoreOptions } from "./store.js";
export { createSqliteStore } from "./store.js";
