/**
 * What the browser tests (and the app bench) share: where Debian's Chromium is, the flags it is launched
 * with, and what a test file does when it is missing (fails in CI, skips loudly elsewhere).
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { describe, it } from "vitest";

/** Flags for a quiet headless Debian Chromium driven by playwright-core (which never downloads a browser). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * The hang guard of a browser test that walks a whole workflow in Chromium (a hundred clicks and page loads).
 * It only catches a hang: with two busy loops on both cores, the review app's first sync alone took over five
 * minutes, so the default guard (five minutes) is too short for these.
 */
export const browserHangGuard = 900_000;

/** Whether an environment variable is switched on: set, and neither empty, `0` nor `false`. */
export const envFlag = (value: string | undefined): boolean =>
  value !== undefined && value !== "" && value !== "0" && value !== "false";

/** The Chromium to drive: `RS_CHROMIUM`, else `chromium` on the PATH, else `null`. */
export function findChromium(): string | null {
  if (process.env.RS_CHROMIUM) return process.env.RS_CHROMIUM;
  const which = spawnSync("which", ["chromium"], { encoding: "utf8" });
  return (which.status === 0 && which.stdout.trim()) || null;
}

/** How a browser test file names itself. */
export interface BrowserSuiteNames {
  /** What the warning calls the test file (`review app` → "review app browser test: no Chromium…"). */
  readonly what: string;
  /** The `describe` of the suite, also the name of the failing or skipped stand-in. */
  readonly describe: string;
  /** The name of the skipped stand-in test. */
  readonly skipped: string;
}

/**
 * Runs `suite` with the Chromium found by {@link findChromium}. Without one, the file fails in CI (`CI` or
 * `RS_REQUIRE_BROWSER=1`) with a test saying how to install it, and elsewhere warns and skips.
 */
export function describeInChromium(names: BrowserSuiteNames, suite: (executablePath: string) => void): void {
  const chromiumPath = findChromium();
  if (chromiumPath !== null) {
    suite(chromiumPath);
    return;
  }
  const missing = [
    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
    `!! ${names.what} browser test: no Chromium (\`which chromium\` found nothing, RS_CHROMIUM unset).`,
    "!! Install it from Debian: apt-get install -y chromium (scripts/ci-services.sh does this in CI).",
    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
  ].join("\n");
  if (envFlag(process.env.CI) || envFlag(process.env.RS_REQUIRE_BROWSER)) {
    describe(names.describe, () => {
      it("needs Chromium in CI", () => {
        throw new Error(missing);
      });
    });
    return;
  }
  console.warn(`${missing}\n!! Skipping the browser test locally; CI=1 or RS_REQUIRE_BROWSER=1 makes this a failure.`);
  describe.skip(`${names.describe} (skipped: no Chromium)`, () => {
    it(names.skipped, () => {});
  });
}
