import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The part of esbuild's API this helper uses (esbuild comes with tsup; it is not our dependency). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

const root = fileURLToPath(new URL("../../../../", import.meta.url));

/**
 * Bundles a child-process entry and everything it imports (workspace packages from their sources) into
 * one `.mjs` file that plain `node` runs. Done once per test file: a spawn then costs only Node's start.
 */
export async function bundleChild(entry: string, outfile: string): Promise<string> {
  const requireFromTsup = createRequire(realpathSync(join(root, "node_modules/tsup/package.json")));
  const esbuild = requireFromTsup("esbuild") as Esbuild;
  const sources: Record<string, string> = {
    "@rostersync/core/testing": "packages/core/src/testing/index.ts",
    "@rostersync/facts/testing": "packages/facts/src/testing/index.ts",
  };
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    external: ["node:*"],
    logLevel: "error",
    plugins: [
      {
        name: "workspace-sources",
        setup(build: {
          onResolve(options: { filter: RegExp }, callback: (args: { path: string }) => { path: string }): void;
        }) {
          build.onResolve({ filter: /^@rostersync\// }, (args) => {
            const known = sources[args.path];
            const name = args.path.slice("@rostersync/".length);
            return { path: join(root, known ?? `packages/${name}/src/index.ts`) };
          });
        },
      },
    ],
  });
  return outfile;
}
