import { randomUUID } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import type {
  Account,
  AccountPatch,
  CreateResult,
  DirectoryError,
  NewAccount,
  TargetDirectory,
  TargetField,
} from "@rostersync/core";
import { releasedEmail } from "@rostersync/core";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { nodeSqlite, type StatementCache, statementCache } from "./node-sqlite.js";

/** Options of {@link createSqliteDirectory}. */
export interface SqliteDirectoryOptions {
  /** A database file, or `":memory:"`. The tables are created when missing. */
  readonly path: string;
  /** Makes account ids; default `randomUUID`. */
  readonly newId?: (() => string) | undefined;
}

/** Why {@link createSqliteDirectory} could not open its database (`Unavailable`: the path cannot be opened). */
export interface SqliteDirectoryError extends DirectoryError {
  readonly type: "Unavailable";
  /** The path given in the options. */
  readonly path: string;
}

/** The reference account directory on SQLite, plus a few host-side helpers for examples and tests. */
export interface SqliteDirectory extends TargetDirectory {
  /** Puts accounts in as a host would have them before any sync (replacing ones with the same id). */
  seed(accounts: readonly Account[]): void;
  /** The host saw the person sign in (R13: they need no invitation any more). */
  markAccessed(accountId: string): void;
  /** The underlying database, for hosts that need more than the port. */
  getInstance(): DatabaseSync;
  /** Closes the database; calling it again does nothing. */
  close(): Promise<void>;
}

interface AccountRow {
  account_id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  birth_date: string | null;
  source_id: string | null;
  archived: number;
  managed: number;
  family_group_id: string | null;
  fields: string;
  never_accessed: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS accounts (
  account_id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  email_key TEXT NOT NULL UNIQUE,
  first_name TEXT,
  last_name TEXT,
  birth_date TEXT,
  source_id TEXT,
  idempotency_key TEXT,
  archived INTEGER NOT NULL DEFAULT 0,
  managed INTEGER NOT NULL DEFAULT 0,
  family_group_id TEXT,
  fields TEXT NOT NULL DEFAULT '{}',
  never_accessed INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX IF NOT EXISTS accounts_source_id ON accounts(source_id) WHERE source_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS accounts_idempotency_key ON accounts(idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS fields (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  options TEXT
);
`;

/** Emails are unique the way a person reads them: trimmed, NFC, case-insensitive (R1). */
const emailKey = (email: string) => email.trim().normalize("NFC").toLowerCase();

function toAccount(row: AccountRow): Account {
  return {
    accountId: row.account_id,
    email: row.email,
    ...(row.first_name === null ? {} : { firstName: row.first_name }),
    ...(row.last_name === null ? {} : { lastName: row.last_name }),
    ...(row.birth_date === null ? {} : { birthDate: row.birth_date }),
    ...(row.source_id === null ? {} : { sourceId: row.source_id }),
    archived: row.archived === 1,
    managed: row.managed === 1,
    ...(row.family_group_id === null ? {} : { familyGroupId: row.family_group_id }),
    fields: JSON.parse(row.fields) as Record<string, string | null>,
    neverAccessed: row.never_accessed === 1,
  };
}

const fail = (type: DirectoryError["type"], message: string): ResultAsync<never, DirectoryError> =>
  errAsync({ type, message });

const isUniqueViolation = (e: unknown) => e instanceof Error && /UNIQUE constraint failed/.test(e.message);

/**
 * A real, small account directory on `node:sqlite`: an accounts table with unique emails and a unique
 * idempotency-key index, so a replayed create answers with the account it made the first time. It keeps the
 * whole `TargetDirectory` contract (`@rostersync/testing/directory`) and is what the examples, tests and
 * benchmark write to: a reference for a host's own directory (docs/adapters.md).
 *
 * Opening creates the file and its tables when missing; it fails with `Unavailable` when the path cannot be
 * opened (a missing folder, a file that is not a SQLite database).
 *
 * @example
 * ```ts
 * const opened = await createSqliteDirectory({ path: "accounts.db" });
 * if (opened.isErr()) throw new Error(opened.error.message);
 * const directory = opened.value;
 * const sync = createSync({ tenantId: "school-1", source, directory, store });
 * // …
 * await directory.close();
 * ```
 */
export function createSqliteDirectory(
  options: SqliteDirectoryOptions,
): ResultAsync<SqliteDirectory, SqliteDirectoryError> {
  return ResultAsync.fromThrowable(
    () => Promise.resolve(openDirectory(options)),
    (cause): SqliteDirectoryError => ({
      type: "Unavailable",
      path: options.path,
      message: `Could not open the account directory ${options.path}: ${cause instanceof Error ? cause.message : String(cause)}`,
    }),
  )();
}

/** The open database of one directory, its statements and how it makes account ids. */
interface DirectoryDb {
  readonly db: DatabaseSync;
  readonly statements: StatementCache;
  readonly newId: () => string;
}

function openDirectory(options: SqliteDirectoryOptions): SqliteDirectory {
  const db = new (nodeSqlite().DatabaseSync)(options.path);
  try {
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
    db.exec(SCHEMA);
  } catch (cause) {
    db.close();
    throw cause;
  }
  const d: DirectoryDb = { db, statements: statementCache(db), newId: options.newId ?? randomUUID };
  const { sql } = d.statements;

  return {
    name: "sqlite-directory",

    listAccounts() {
      const rows = sql("SELECT * FROM accounts ORDER BY account_id").all() as unknown as AccountRow[];
      return okAsync(rows.map(toAccount));
    },

    listFields: () => okAsync(listFields(d)),

    createField(field: TargetField) {
      // Creating a field that exists is a replay: the first definition stays.
      sql("INSERT INTO fields (name, kind, options) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING").run(
        field.name,
        field.kind,
        field.options === undefined ? null : JSON.stringify(field.options),
      );
      return okAsync(undefined);
    },

    createAccount: (account, idempotencyKey) => createAccount(d, account, idempotencyKey),

    linkAccount(accountId, sourceId, patch) {
      return write(d, accountId, patch, { source_id: sourceId, managed: 1 });
    },

    updateAccount(accountId, patch) {
      return write(d, accountId, patch, {});
    },

    restoreAccount(accountId, patch) {
      return write(d, accountId, patch, { archived: 0 });
    },

    archiveAccount(accountId) {
      const changed = sql("UPDATE accounts SET archived = 1 WHERE account_id = ?").run(accountId);
      return changed.changes === 0 ? fail("NotFound", `No account ${accountId}.`) : okAsync(undefined);
    },

    mergeAccounts: (from, into) => mergeAccounts(d, from, into),

    seed: (accounts) => seedAccounts(d, accounts),

    markAccessed(accountId) {
      sql("UPDATE accounts SET never_accessed = 0 WHERE account_id = ?").run(accountId);
    },

    getInstance: () => db,

    async close() {
      d.statements.clear();
      if (db.isOpen) db.close();
    },
  };
}

const byId = (d: DirectoryDb, accountId: string) =>
  d.statements.sql("SELECT * FROM accounts WHERE account_id = ?").get(accountId) as AccountRow | undefined;

/** Applies a patch inside the caller's statement; returns the directory's error, or null. */
function patchRow(
  d: DirectoryDb,
  row: AccountRow,
  patch: AccountPatch,
  extra: Partial<AccountRow>,
): DirectoryError | null {
  const fields =
    patch.fields === undefined
      ? row.fields
      : JSON.stringify({ ...(JSON.parse(row.fields) as Record<string, unknown>), ...patch.fields });
  const email = patch.email ?? row.email;
  try {
    d.statements
      .sql(
        `UPDATE accounts SET email = ?, email_key = ?, first_name = ?, last_name = ?, family_group_id = ?, fields = ?,
           source_id = ?, managed = ?, archived = ? WHERE account_id = ?`,
      )
      .run(
        email,
        emailKey(email),
        patch.firstName ?? row.first_name,
        patch.lastName ?? row.last_name,
        patch.familyGroupId === undefined ? row.family_group_id : patch.familyGroupId,
        fields,
        extra.source_id === undefined ? row.source_id : extra.source_id,
        extra.managed ?? row.managed,
        extra.archived ?? row.archived,
        row.account_id,
      );
    return null;
  } catch (e) {
    if (isUniqueViolation(e)) {
      return /email_key/.test((e as Error).message)
        ? { type: "EmailTaken", message: `Another account already uses ${email}.` }
        : { type: "Invalid", message: "Another account is already linked to this person." };
    }
    throw e;
  }
}

/** Link, update and restore: a patch plus the columns the step itself sets. */
function write(
  d: DirectoryDb,
  accountId: string,
  patch: AccountPatch,
  extra: Partial<AccountRow>,
): ResultAsync<void, DirectoryError> {
  const row = byId(d, accountId);
  if (row === undefined) return fail("NotFound", `No account ${accountId}.`);
  const problem = patchRow(d, row, patch, extra);
  return problem === null ? okAsync(undefined) : errAsync(problem);
}

function listFields(d: DirectoryDb): TargetField[] {
  const rows = d.statements.sql("SELECT name, kind, options FROM fields ORDER BY name").all() as unknown as {
    name: string;
    kind: "text" | "dropdown";
    options: string | null;
  }[];
  return rows.map(
    (r): TargetField => ({
      name: r.name,
      kind: r.kind,
      ...(r.options === null ? {} : { options: JSON.parse(r.options) as string[] }),
    }),
  );
}

/** Creates an account once per idempotency key: a replay answers with the account made the first time. */
function createAccount(
  d: DirectoryDb,
  account: NewAccount,
  idempotencyKey: string,
): ResultAsync<CreateResult, DirectoryError> {
  const { sql } = d.statements;
  const seen = sql("SELECT account_id FROM accounts WHERE idempotency_key = ?").get(idempotencyKey) as
    | { account_id: string }
    | undefined;
  if (seen !== undefined) return okAsync({ accountId: seen.account_id, created: false });
  const accountId = d.newId();
  try {
    sql(
      `INSERT INTO accounts (account_id, email, email_key, first_name, last_name, source_id, idempotency_key,
         archived, managed, family_group_id, fields, never_accessed) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 1, ?, ?, 1)`,
    ).run(
      accountId,
      account.email,
      emailKey(account.email),
      account.firstName,
      account.lastName,
      account.sourceId,
      idempotencyKey,
      account.familyGroupId ?? null,
      JSON.stringify(account.fields),
    );
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    return /email_key/.test((e as Error).message)
      ? fail("EmailTaken", `Another account already uses ${account.email}.`)
      : fail("Invalid", `Another account is already linked to person ${account.sourceId}.`);
  }
  return okAsync({ accountId, created: true });
}

/**
 * This directory keeps no hours: merging retires `from` (archived, unlinked, its email released and its
 * create key forgotten) so that `into` can take its person and email (R6).
 */
function mergeAccounts(d: DirectoryDb, from: string, into: string): ResultAsync<void, DirectoryError> {
  if (byId(d, into) === undefined) return fail("NotFound", `No account ${into}.`);
  const email = releasedEmail(from);
  const changed = d.statements
    .sql(
      `UPDATE accounts SET archived = 1, source_id = NULL, idempotency_key = NULL, email = ?, email_key = ?
         WHERE account_id = ?`,
    )
    .run(email, emailKey(email), from);
  return changed.changes === 0 ? fail("NotFound", `No account ${from}.`) : okAsync(undefined);
}

/** Puts accounts in as a host would have them, in one transaction. */
function seedAccounts({ db, statements }: DirectoryDb, accounts: readonly Account[]): void {
  const insert = statements.sql(
    `INSERT OR REPLACE INTO accounts (account_id, email, email_key, first_name, last_name, birth_date, source_id,
       archived, managed, family_group_id, fields, never_accessed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.exec("BEGIN");
  try {
    for (const a of accounts) {
      insert.run(
        a.accountId,
        a.email,
        emailKey(a.email),
        a.firstName ?? null,
        a.lastName ?? null,
        a.birthDate ?? null,
        a.sourceId ?? null,
        a.archived ? 1 : 0,
        a.managed ? 1 : 0,
        a.familyGroupId ?? null,
        JSON.stringify(a.fields),
        a.neverAccessed ? 1 : 0,
      );
    }
    db.exec("COMMIT");
  } catch (e) {
    db.exec("ROLLBACK");
    throw e;
  }
}
