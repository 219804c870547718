// Starts a private PostgreSQL 15 for this package's tests (unless RS_PG_URL points at one), provides its URL
// to the tests as `pgUrl`, and stops and removes it afterwards. Without PostgreSQL binaries it provides
// `null`, prints a loud banner, and the tests skip themselves with that reason.
import type { TestProject } from "vitest/node";
import { missingPostgres, startPostgres } from "./pg-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of the PostgreSQL the tests use, or `null` when none could be had. */
    pgUrl: string | null;
    /** Why `pgUrl` is `null`. */
    pgSkipReason: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.RS_PG_URL) {
    project.provide("pgUrl", process.env.RS_PG_URL);
    project.provide("pgSkipReason", "");
    return;
  }
  const missing = missingPostgres();
  if (missing) {
    const bar = "!".repeat(78);
    process.stderr.write(
      `\n${bar}\n!! fleet: THE POSTGRESQL TESTS ARE SKIPPED\n!! ${missing}\n` +
        `!! install postgresql-15 (apt-get install -y postgresql-15) or set RS_PG_URL=postgres://user:pw@host:port/db\n${bar}\n\n`,
    );
    project.provide("pgUrl", null);
    project.provide("pgSkipReason", missing);
    return;
  }
  const server = await startPostgres();
  project.provide("pgUrl", server.url);
  project.provide("pgSkipReason", "");
  return () => server.stop();
}
