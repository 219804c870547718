/**
 * `@rostersync/storage-sqlite`: the embedded default `SyncStore`, on `node:sqlite` (no native build), and
 * the reference `TargetDirectory` on the same engine (`createSqliteDirectory`).
 *
 * @packageDocumentation
 */
import { nodeSqlite } from "./node-sqlite.js";

// Fail at import, with a message naming the Node needed, rather than with a raw ERR_UNKNOWN_BUILTIN_MODULE.
nodeSqlite();

export type { SqliteDirectory, SqliteDirectoryError, SqliteDirectoryOptions } from "./directory.js";
export { createSqliteDirectory } from "./directory.js";
export type { Migration } from "./migrations.js";
export { APPLICATION_ID, LATEST_VERSION, MIGRATIONS } from "./migrations.js";
export { NODE_SQLITE_MIN, type NodeRuntime, nodeSqlite } from "./node-sqlite.js";
export type { SqliteStore, SqliteStoreError, SqliteStoreOptions } from "./store.js";
export { createSqliteStore } from "./store.js";
