#!/usr/bin/env bash
# Scaffolds a package from the template: bash scripts/new-package.sh <dir-name> "<description>"
set -euo pipefail
name="$1"; desc="$2"; dir="packages/$name"
mkdir -p "$dir/src" "$dir/bench"
[ -f "$dir/package.json" ] || cat > "$dir/package.json" <<JSON
{
  "name": "@rostersync/$name",
  "version": "0.1.0",
  "description": "$desc",
  "license": "MIT",
  "type": "module",
  "sideEffects": false,
  "files": ["dist"],
  "engines": { "node": ">=22.13" },
  "exports": {
    ".": { "types": "./dist/index.d.ts", "default": "./dist/index.js" },
    "./package.json": "./package.json"
  },
  "scripts": {
    "build": "tsup",
    "typecheck": "tsc -p tsconfig.json",
    "bench": "node --expose-gc bench/run.ts"
  },
  "peerDependencies": { "neverthrow": "catalog:" },
  "devDependencies": { "neverthrow": "catalog:" }
}
JSON
[ -f "$dir/tsconfig.json" ] || cat > "$dir/tsconfig.json" <<'JSON'
{ "extends": "../../tsconfig.base.json", "include": ["src", "test", "bench", "*.ts"] }
JSON
[ -f "$dir/tsup.config.ts" ] || cat > "$dir/tsup.config.ts" <<'TS'
import { packageBuild } from "../../tsup.base.ts";

export default packageBuild({ index: "src/index.ts" });
TS
[ -f "$dir/vitest.config.ts" ] || cat > "$dir/vitest.config.ts" <<TS
import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: { name: "$name", include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});
TS
echo "$dir"
