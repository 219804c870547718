/**
 * `@rostersync/testing/postgres-server`: a private PostgreSQL 15 for tests and benchmarks, on a temporary
 * data directory and a free loopback port. {@link postgresGlobalSetup} is a whole vitest `globalSetup`;
 * {@link startPostgres} is for benchmarks and scripts. Plain erasable TypeScript: Node runs it as is.
 *
 * @packageDocumentation
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of the PostgreSQL the tests use, or `null` when none could be had. */
    pgUrl: string | null;
    /** Why `pgUrl` is `null`. */
    pgSkipReason: string;
  }
}

/** A running private server. */
export interface PrivateServer {
  /** `postgres://postgres:…@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  /** Stops the server and removes its data directory. */
  stop(): void;
}

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /** Keep fsync and synchronous commits on (benchmarks that measure the disk). Default `false`. */
  readonly durable?: boolean | undefined;
}

const BIN = process.env.RS_PG_BIN ?? "/usr/lib/postgresql/15/bin";
const PASSWORD = "rostersync-test-pw";

/** Why no private server can be started here, or `null` when the binaries are present. */
export function missingPostgres(): string | null {
  return existsSync(join(BIN, "initdb")) && existsSync(join(BIN, "pg_ctl"))
    ? null
    : `no PostgreSQL binaries in ${BIN} and RS_PG_URL is not set`;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port")),
      );
    });
  });

/**
 * initdb + pg_ctl start, as the `postgres` user when running as root. Unless `durable`, fsync and
 * synchronous commits are off: the server is thrown away afterwards and tests measure the store, not the disk.
 * The binaries are taken from `RS_PG_BIN` (default `/usr/lib/postgresql/15/bin`).
 *
 * @example
 * ```ts
 * const server = await startPostgres();
 * try {
 *   await runBenchmark(server.url);
 * } finally {
 *   server.stop();
 * }
 * ```
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PrivateServer> {
  const root = process.getuid?.() === 0;
  const asPostgres = (command: string, args: string[]) =>
    root
      ? execFileSync("runuser", ["-u", "postgres", "--", join(BIN, command), ...args], { stdio: "pipe" })
      : execFileSync(join(BIN, command), args, { stdio: "pipe" });
  const dir = mkdtempSync(join(tmpdir(), "rs-pg-"));
  const data = join(dir, "data");
  const socket = join(dir, "sock");
  const pwfile = join(dir, "pwfile");
  mkdirSync(socket);
  writeFileSync(pwfile, `${PASSWORD}\n`);
  chmodSync(pwfile, 0o600);
  if (root) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    for (const path of [dir, socket, pwfile]) chownSync(path, uid, gid);
  }
  const port = await freePort();
  const flags = [
    "-c listen_addresses=127.0.0.1",
    `-p ${port}`,
    `-k ${socket}`,
    "-c max_connections=300",
    ...(options.durable ? [] : ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]),
  ].join(" ");
  try {
    asPostgres("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth-host=scram-sha-256",
      `--pwfile=${pwfile}`,
      "-E",
      "UTF8",
      "--locale=C.UTF-8",
    ]);
    asPostgres("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-w", "-o", flags, "start"]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const detail = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    throw new Error(`could not start a private PostgreSQL in ${dir}: ${detail}`);
  }
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A vitest `globalSetup` for a package whose tests need PostgreSQL. It starts a private server (unless
 * `RS_PG_URL` points at one), provides its URL to the tests as `inject("pgUrl")`, and stops and removes it
 * afterwards. Without PostgreSQL binaries it provides `null` and the reason as `inject("pgSkipReason")`,
 * and prints a loud banner naming `packageName`, so that the tests can skip themselves visibly.
 *
 * @example
 * ```ts
 * // test/global-setup.ts, named in vitest.config.ts as `globalSetup: ["test/global-setup.ts"]`
 * import { postgresGlobalSetup } from "@rostersync/testing/postgres-server";
 *
 * export default postgresGlobalSetup("storage-postgres");
 * ```
 */
export function postgresGlobalSetup(packageName: string): (project: TestProject) => Promise<(() => void) | undefined> {
  return async (project) => {
    if (process.env.RS_PG_URL) {
      project.provide("pgUrl", process.env.RS_PG_URL);
      project.provide("pgSkipReason", "");
      return undefined;
    }
    const missing = missingPostgres();
    if (missing) {
      const bar = "!".repeat(78);
      process.stderr.write(
        `\n${bar}\n!! ${packageName}: THE POSTGRESQL TESTS ARE SKIPPED\n!! ${missing}\n` +
          `!! install postgresql-15 (apt-get install -y postgresql-15) or set RS_PG_URL=postgres://user:pw@host:port/db\n${bar}\n\n`,
      );
      project.provide("pgUrl", null);
      project.provide("pgSkipReason", missing);
      return undefined;
    }
    const server = await startPostgres();
    project.provide("pgUrl", server.url);
    project.provide("pgSkipReason", "");
    return () => server.stop();
  };
}
