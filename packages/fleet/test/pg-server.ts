// Starts and stops a private PostgreSQL 15 on a temporary data directory and a free loopback port.
// Used by the tests' globalSetup and by the benchmark. Plain erasable TypeScript: Node runs it as is.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running private server. */
export interface PrivateServer {
  readonly url: string;
  stop(): void;
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
 */
export async function startPostgres(options: { readonly durable?: boolean } = {}): Promise<PrivateServer> {
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
