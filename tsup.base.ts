import { defineConfig, type Options } from "tsup";

/**
 * The one build setup every package shares: ESM only, `.d.ts` beside the code, Node 22 target.
 * A package passes its entry points (one per `exports` subpath).
 */
export function packageBuild(entry: Record<string, string>, extra: Partial<Options> = {}) {
  return defineConfig({
    entry,
    format: ["esm"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "node22",
    platform: "node",
    treeshake: true,
    splitting: true,
    // Keep `node:` in imports: `node:sqlite` and `node:test` exist only with the prefix.
    removeNodeProtocol: false,
    ...extra,
  });
}
