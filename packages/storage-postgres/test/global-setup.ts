// Starts a private PostgreSQL 15 for this package's tests (unless RS_PG_URL points at one), provides its URL
// to the tests as `pgUrl`, and stops and removes it afterwards. Without PostgreSQL binaries it provides
// `null`, prints a loud banner, and the tests skip themselves with that reason.
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

const BIN = process.env.RS_PG_BIN ?? "/usr/lib/postgresql/15/bin";
const PASSWORD = "rostersync-test-pw";

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });

const loud = (lines: string[]) => {
  const bar = "!".repeat(78);
  process.stderr.write(`\n${bar}\n${lines.map((l) => `!! ${l}`).join("\n")}\n${bar}\n\n`);
};

export default async function setup(project: TestProject) {
  if (process.env.RS_PG_URL) {
    project.provide("pgUrl", process.env.RS_PG_URL);
    project.provide("pgSkipReason", "");
    return;
  }
  if (!existsSync(join(BIN, "initdb")) || !existsSync(join(BIN, "pg_ctl"))) {
    const reason = `no PostgreSQL binaries in ${BIN} and RS_PG_URL is not set`;
    loud([
      "storage-postgres: THE POSTGRESQL TESTS ARE SKIPPED",
      reason,
      "install postgresql-15 (apt-get install -y postgresql-15) or set RS_PG_URL=postgres://user:pw@host:port/db",
    ]);
    project.provide("pgUrl", null);
    project.provide("pgSkipReason", reason);
    return;
  }

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
    const ids = execFileSync("id", ["-u", "postgres"]).toString().trim();
    const gid = execFileSync("id", ["-g", "postgres"]).toString().trim();
    for (const path of [dir, socket, pwfile]) chownSync(path, Number(ids), Number(gid));
  }
  const port = await freePort();
  const options = [
    "-c listen_addresses=127.0.0.1",
    `-p ${port}`,
    `-k ${socket}`,
    "-c max_connections=300",
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
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
    asPostgres("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-w", "-o", options, "start"]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const detail = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    throw new Error(`could not start a private PostgreSQL in ${dir}: ${detail}`);
  }
  project.provide("pgUrl", `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`);
  project.provide("pgSkipReason", "");

  return () => {
    try {
      asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
