import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { APP_SCRIPT, APP_STYLE } from "../src/app-assets.js";
import { renderReviewApp } from "../src/index.js";

const sha256 = (text: string) => `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;

describe("renderReviewApp", () => {
  it("allows exactly its own script and style, talks only to its origin, and may not be framed", () => {
    const { html, contentSecurityPolicy } = renderReviewApp({ basePath: "/admin/rostersync" });
    expect(contentSecurityPolicy).toBe(
      `default-src 'none'; style-src '${sha256(APP_STYLE)}'; script-src '${sha256(APP_SCRIPT)}'; ` +
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    // The same policy in the page (a <meta> cannot carry frame-ancestors).
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy.replace("; frame-ancestors 'none'", "")}">`,
    );
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html.match(/<style>/g)).toHaveLength(1);
    expect(html).toContain(`<script>${APP_SCRIPT}</script>`);
  });

  it("passes its settings in a data block no value can break out of", () => {
    const hostile = `/x</script><script>alert(1)</script><!--`;
    const { html } = renderReviewApp({ basePath: hostile, csrfHeader: "x-csrf", keyEntry: true });
    const block = /<script type="application\/json" id="rs-config">([\s\S]*?)<\/script>/.exec(html)?.[1] as string;
    expect(block).not.toContain("<");
    expect(JSON.parse(block)).toEqual({ basePath: hostile, csrfHeader: "x-csrf", keyEntry: true });
    expect(html.indexOf("<script>alert")).toBe(-1);
  });

  it("is pure: the same options give the same page; a trailing slash of the base path is dropped", () => {
    expect(renderReviewApp({ basePath: "/a/" })).toEqual(renderReviewApp({ basePath: "/a" }));
    expect(renderReviewApp({ basePath: "/a" }).html).toContain('"keyEntry":false');
  });

  it("names the steps in the sync tool's words, in the seeds' order", () => {
    const { html } = renderReviewApp({ basePath: "" });
    const nav = [...html.matchAll(/<button type="button" id="go-[a-z]+">([^<]+)<\/button>/g)].map((m) => m[1]);
    expect(nav).toEqual([
      "Step 1. Provide your FACTS SIS API Key",
      "Step 2. Confirm School and User Type",
      "Step 3. Map Profile Fields",
      "Step 4. User Selection",
      "Resolve Duplicates",
      "Excluded Students",
      "User Review",
      "Pending Sync Tasks",
      "Sync and Invite",
    ]);
  });
});
