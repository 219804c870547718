import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { APP_SCRIPT, APP_STYLE } from "../src/app-assets.js";
import { SCRIPT, STYLE } from "../src/assets.js";
import { APP_SCRIPT_SHA256, APP_STYLE_SHA256, SCRIPT_SHA256, STYLE_SHA256 } from "../src/csp.js";

const sha256 = (text: string) => `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;

describe("Content-Security-Policy hashes", () => {
  // When an asset changes, these fail with the value to paste into csp.ts.
  it("allow exactly the inline script", () => expect(SCRIPT_SHA256).toBe(sha256(SCRIPT)));
  it("allow exactly the inline stylesheet", () => expect(STYLE_SHA256).toBe(sha256(STYLE)));
});

describe("the review app's Content-Security-Policy hashes", () => {
  it("allow exactly the app's inline script", () => expect(APP_SCRIPT_SHA256).toBe(sha256(APP_SCRIPT)));
  it("allow exactly the app's inline stylesheet", () => expect(APP_STYLE_SHA256).toBe(sha256(APP_STYLE)));
});
