import type * as NodeSqlite from "node:sqlite";

/** The oldest Node whose `node:sqlite` the store runs on (unflagged and stable enough). */
export const NODE_SQLITE_MIN = "22.13";

/** What {@link nodeSqlite} looks at: `process` (injectable for tests). */
export interface NodeRuntime {
  readonly version: string;
  readonly getBuiltinModule?: ((id: string) => unknown) | undefined;
}

/**
 * `node:sqlite`, loaded without a static import: on an older Node a static import fails with a raw
 * `ERR_UNKNOWN_BUILTIN_MODULE` before any of our code runs; this fails with a message naming the Node needed.
 * Throws (an environment error, not a result): nothing in the package can work without it.
 */
export function nodeSqlite(runtime: NodeRuntime = process): typeof NodeSqlite {
  const loaded =
    typeof runtime.getBuiltinModule === "function"
      ? (runtime.getBuiltinModule("node:sqlite") as typeof NodeSqlite | undefined)
      : undefined;
  if (loaded === undefined || typeof loaded.DatabaseSync !== "function") {
    throw new Error(
      `@rostersync/storage-sqlite needs Node ≥ ${NODE_SQLITE_MIN} (it stores on node:sqlite); this is Node ${runtime.version}. ` +
        `Install Node ${NODE_SQLITE_MIN} or newer (Node 24 recommended), or use @rostersync/storage-postgres.`,
    );
  }
  return loaded;
}

/** Prepared statements of one database, each prepared once on first use. */
export interface StatementCache {
  /** The statement of `text`, prepared the first time it is asked for. */
  sql(text: string): NodeSqlite.StatementSync;
  /** Forgets every statement (before the database closes). */
  clear(): void;
}

/** A {@link StatementCache} on `db`, shared by the store and the directory. */
export function statementCache(db: NodeSqlite.DatabaseSync): StatementCache {
  const statements = new Map<string, NodeSqlite.StatementSync>();
  return {
    sql(text) {
      let statement = statements.get(text);
      if (statement === undefined) {
        statement = db.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
    clear: () => statements.clear(),
  };
}
