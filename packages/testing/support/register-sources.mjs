// Lets a plain `node` child process (crash and multi-worker tests) run the workspace's TypeScript sources,
// as vitest does through its aliases: `@rostersync/<name>` → packages/<name>/src/index.ts (subpaths too), and relative
// `./x.js` → `./x.ts` when only the TypeScript file exists. Node strips the types itself.
// Usage: node --import <this file> child.ts
import { existsSync } from "node:fs";
import { registerHooks } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const packages = new URL("../../", import.meta.url);

registerHooks({
  resolve(specifier, context, nextResolve) {
    // `@rostersync/<name>` → src/index.ts; `@rostersync/<name>/<sub>` → src/<sub>/index.ts or src/<sub>.ts.
    const workspace = /^@rostersync\/([a-z-]+)(?:\/([a-z-]+))?$/.exec(specifier);
    if (workspace) {
      const [, name, sub] = workspace;
      const entries = sub ? [`${name}/src/${sub}/index.ts`, `${name}/src/${sub}.ts`] : [`${name}/src/index.ts`];
      for (const path of entries) {
        const entry = new URL(path, packages);
        if (existsSync(entry)) return { url: entry.href, shortCircuit: true };
      }
    }
    if ((specifier.startsWith("./") || specifier.startsWith("../")) && specifier.endsWith(".js") && context.parentURL) {
      const asJs = new URL(specifier, context.parentURL);
      const asTs = new URL(specifier.replace(/\.js$/, ".ts"), context.parentURL);
      if (!existsSync(fileURLToPath(asJs)) && existsSync(fileURLToPath(asTs))) {
        return { url: pathToFileURL(fileURLToPath(asTs)).href, shortCircuit: true };
      }
    }
    return nextResolve(specifier, context);
  },
});
