// A throwaway PostgreSQL 15 for the example and its test: a fresh cluster in a temp folder, listening on a
// free loopback port only, trusted (no password: nothing but this machine can reach it, and it is deleted
// afterwards). Needs the PostgreSQL binaries (`RS_PG_BIN`, default /usr/lib/postgresql/15/bin); as root it runs
// them as the `postgres` user, since PostgreSQL refuses to run as root.
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PG_BIN = process.env.RS_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** A running throwaway server. */
export interface LocalPostgres {
  readonly url: string;
  stop(): void;
}

/** Why no server can be started here, or `null` when it can. */
export function whyNoPostgres(): string | null {
  for (const tool of ["initdb", "pg_ctl"]) {
    if (!existsSync(join(PG_BIN, tool))) return `${join(PG_BIN, tool)} is missing (apt-get install postgresql-15)`;
  }
  return null;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

/** initdb + pg_ctl start on a temp folder; `stop()` shuts it down and deletes the folder. */
export async function startLocalPostgres(): Promise<LocalPostgres> {
  const why = whyNoPostgres();
  if (why !== null) throw new Error(`cannot start PostgreSQL: ${why}`);
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: readonly string[]) =>
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", join(PG_BIN, tool), ...args], { stdio: "pipe" })
      : execFileSync(join(PG_BIN, tool), [...args], { stdio: "pipe" });
  const folder = mkdtempSync(join(tmpdir(), "rs-workers-pg-"));
  if (asRoot) {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"]).toString().trim());
    chownSync(folder, id("-u"), id("-g"));
  }
  const data = join(folder, "data");
  const port = await freeLoopbackPort();
  // The socket goes in our folder too, so the server needs nothing outside it.
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${folder} -c fsync=off -c max_connections=200`;
  try {
    run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
    run("pg_ctl", ["-D", data, "-l", join(folder, "server.log"), "-o", options, "-w", "start"]);
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`cannot start PostgreSQL: ${stderr || String(error)}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  };
}
