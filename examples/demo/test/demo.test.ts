import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// The demo runs the built packages, exactly as `bash scripts/run.sh demo` does.
const out = mkdtempSync(join(tmpdir(), "rostersync-demo-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("examples/demo", () => {
  it("runs the main job end to end and writes the review pages and error reports", () => {
    const run = spawnSync(process.execPath, ["src/main.ts"], {
      cwd: join(import.meta.dirname, ".."),
      env: { ...process.env, DEMO_OUT: out, DEMO_PEOPLE: "600" },
      encoding: "utf8",
      timeout: 240_000,
    });
    if (run.status !== 0) console.error(run.stdout, run.stderr);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/first sync/i);
    expect(run.stdout).toMatch(/next school year/i);
    for (const file of ["review-first.html", "review-next-year.html", "errors-first.csv", "errors-next-year.csv"]) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    const csv = readFileSync(join(out, "errors-first.csv"), "utf8");
    expect(csv.split("\r\n")[0]).toMatch(/^sourceId,/);
    expect(readFileSync(join(out, "review-first.html"), "utf8")).toContain("<table>");
  });
});
