import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

// The example runs as `pnpm start` runs it (the built packages).
it("runs the night in one process: applies, holds one school, pauses one, reports the hold once", () => {
  const run = spawnSync(process.execPath, ["src/main.ts"], {
    cwd: join(import.meta.dirname, ".."),
    encoding: "utf8",
    timeout: 280_000,
  });
  if (run.status !== 0) console.error(run.stdout, run.stderr);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/st-anne: sync applied \(run \w+\)/);
  expect(run.stdout).toMatch(/st-clare: sync held/);
  expect(run.stdout).toMatch(/st-brendan: sync read-only/);
  expect(run.stdout).toMatch(/st-clare\s+held\s+held since/);
  expect(run.stdout).toMatch(/st-brendan\s+paused\s+paused \(summer rollover\)/);
  expect(run.stdout).toMatch(/first digest: {2}held st-clare/);
  expect(run.stdout).toMatch(/second digest: held none; still held 1/);
});
