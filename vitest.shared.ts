import { fileURLToPath } from "node:url";

const pkg = (name: string, entry = "src/index.ts") =>
  fileURLToPath(new URL(`./packages/${name}/${entry}`, import.meta.url));

/**
 * Tests import workspace packages from their sources, so `pnpm test` needs no build first.
 * Longer subpaths come first so that `@rostersync/facts/testing` is not caught by `@rostersync/facts`.
 */
export const sourceAliases = [
  { find: /^@rostersync\/facts\/testing$/, replacement: pkg("facts", "src/testing/index.ts") },
  { find: /^@rostersync\/core\/testing$/, replacement: pkg("core", "src/testing/index.ts") },
  { find: /^@rostersync\/testing\/postgres-server$/, replacement: pkg("testing", "src/postgres-server.ts") },
  // @rostersync/testing/<port>: each port's contract suite.
  ...["store", "directory", "hours-sink", "tardy-sink", "roster-source"].map((port) => ({
    find: new RegExp(`^@rostersync/testing/${port}$`),
    replacement: pkg("testing", `src/${port}/index.ts`),
  })),
  ...["core", "facts", "sync", "hero", "storage-sqlite", "storage-postgres", "review-page", "fleet", "http"].map(
    (name) => ({
      find: new RegExp(`^@rostersync/${name}$`),
      replacement: pkg(name),
    }),
  ),
];

/**
 * Every project's timeouts. They only catch a hang: no test asserts how fast the machine is (time-dependent
 * tests run on fake or injected clocks). They are generous so the suite stays green on a loaded 2-core
 * machine (two busy loops on both cores, or several builds beside it).
 */
export const hangGuards = { testTimeout: 300_000, hookTimeout: 300_000 } as const;
