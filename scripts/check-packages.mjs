// Runs publint (strict) and arethetypeswrong (ESM-only profile) on every publishable package's build.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
let failed = 0;
for (const dir of readdirSync(join(root, "packages"))) {
  const path = join(root, "packages", dir);
  const pkg = JSON.parse(readFileSync(join(path, "package.json"), "utf8"));
  if (pkg.private) continue;
  for (const [tool, args] of [
    ["publint", ["--strict", path]],
    ["attw", ["--pack", path, "--profile", "esm-only", "--format", "table-flipped"]],
  ]) {
    const run = spawnSync(bin(tool), args, { encoding: "utf8" });
    const ok = run.status === 0;
    if (!ok) failed++;
    console.log(`${ok ? "ok  " : "FAIL"} ${tool.padEnd(8)} ${pkg.name}`);
    if (!ok) console.log((run.stdout + run.stderr).trim());
  }
}
if (failed) {
  console.error(`${failed} package check(s) failed`);
  process.exit(1);
}
