import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

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

/** What a package's project may add to {@link packageProject}'s settings. */
export interface PackageProjectOptions {
  /** Files run once before the package's tests (a private PostgreSQL server, say). */
  readonly globalSetup?: string[] | undefined;
}

/**
 * A package's vitest project as docs/architecture.md ("Where tests live") lays it out: named after the
 * package's folder (`pnpm exec vitest run --project <name>`), every `*.test.ts` under its `test/` folder,
 * workspace packages imported from their sources ({@link sourceAliases}), the shared {@link hangGuards}.
 *
 * @example
 * ```ts
 * // packages/fleet/vitest.config.ts
 * export default packageProject("fleet", { globalSetup: ["test/global-setup.ts"] });
 * ```
 */
export function packageProject(name: string, options: PackageProjectOptions = {}) {
  return defineProject({
    resolve: { alias: sourceAliases },
    test: {
      ...hangGuards,
      name,
      include: ["test/**/*.test.ts"],
      ...(options.globalSetup === undefined ? {} : { globalSetup: options.globalSetup }),
    },
  });
}
