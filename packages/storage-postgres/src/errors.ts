import { type StoreError, type StoreErrorType, storeError } from "@rostersync/core";

/** Errors of the PostgreSQL store: a {@link StoreError} whose `type` is one of core's `STORE_ERROR_CODES`. */
export interface PostgresStoreError extends StoreError {
  readonly type: StoreErrorType;
}

/** Where the store connects, for messages: never holds the password. */
export interface Endpoint {
  readonly host: string;
  readonly port: string;
  readonly user: string;
  readonly database: string;
  /** Secrets to scrub from any message a driver or server produces. */
  readonly secrets: readonly string[];
}

/** The endpoint as a message shows it: `user@host:port/database`. */
export function describeEndpoint(endpoint: Endpoint): string {
  return `${endpoint.user || "(default user)"}@${endpoint.host}:${endpoint.port}/${endpoint.database}`;
}

/**
 * Removes passwords from a text: the endpoint's own secrets, and the password part of anything that looks
 * like a connection URL (`scheme://user:password@host`) or a `password=…` keyword.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  // Everything from the user's `:` to the last `@` of the URL is the password, whatever it holds (`@`, `/`…).
  let clean = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):\S*@/gi, "$1:***@");
  clean = clean.replace(/(password\s*=\s*)('[^']*'|\S+)/gi, "$1***");
  for (const secret of secrets) {
    if (secret.length > 0) clean = clean.split(secret).join("***");
  }
  return clean;
}

/** `decodeURIComponent` that keeps a malformed escape (a lone `%`) as written instead of throwing. */
function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * Parses a connection string into an endpoint, or says why it is unusable (`Invalid`). Only URLs are
 * accepted (`postgres://` or `postgresql://`), so that a typo is caught here rather than as a timeout.
 */
export function parseConnectionString(connectionString: string): Endpoint | PostgresStoreError {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    // Nothing of a string that is not a URL is echoed: where its password ends cannot be known.
    return storeError(
      "Invalid",
      "the PostgreSQL connection string is not a valid URL (expected postgres://user:password@host:port/database; special characters in the password percent-encoded)",
    );
  }
  const secrets = url.password ? [url.password, decode(url.password)] : [];
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    return storeError(
      "Invalid",
      `the PostgreSQL connection string must start with postgres:// or postgresql://, not ${url.protocol}//`,
    );
  }
  return {
    host: decode(url.hostname) || "localhost",
    port: url.port || "5432",
    user: decode(url.username),
    database: decode(url.pathname.replace(/^\//, "")) || decode(url.username),
    secrets,
  };
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "EAI_AGAIN"]);

/** Maps anything `pg` throws to a typed store error that names the endpoint and never the password. */
export function toStoreError(cause: unknown, endpoint: Endpoint): PostgresStoreError {
  const error = cause as { code?: unknown; message?: unknown; name?: unknown };
  const where = describeEndpoint(endpoint);
  const message = redact(typeof error?.message === "string" ? error.message : String(cause), endpoint.secrets);
  const code = typeof error?.code === "string" ? error.code : "";
  if (error?.name === "SyntaxError") return storeError("Corrupt", `${where} holds a record that is not valid JSON`);
  if (UNREACHABLE.has(code)) return storeError("Unavailable", `cannot reach PostgreSQL at ${where} (${code})`);
  if (/timeout|terminated|Connection ended/i.test(message) && code === "") {
    return storeError("Unavailable", `cannot reach PostgreSQL at ${where} (${message})`);
  }
  if (code === "28P01" || code === "28000") {
    return storeError("AuthFailed", `PostgreSQL at ${where} refused the credentials (${message})`);
  }
  if (code === "3D000") return storeError("NotFound", `PostgreSQL at ${where}: ${message}`);
  if (code === "23505") return storeError("Conflict", `${where}: ${message}`);
  if (code === "40001" || code === "40P01" || code === "55P03" || code.startsWith("08") || code.startsWith("57P")) {
    return storeError("Unavailable", `PostgreSQL at ${where} is busy or going away (${code}: ${message})`);
  }
  if (code === "XX001" || code === "XX002") return storeError("Corrupt", `PostgreSQL at ${where}: ${message}`);
  return storeError("Unavailable", `PostgreSQL at ${where}: ${code ? `${code}: ` : ""}${message}`);
}
