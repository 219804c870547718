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
