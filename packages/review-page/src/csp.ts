/**
 * The SHA-256 hashes of the page's inline style and script, for its Content-Security-Policy. Kept as
 * constants so that rendering needs no crypto and runs anywhere; `test/csp.test.ts` recomputes them from
 * `assets.ts` and fails, printing the right values, when either asset changed.
 *
 * @module
 */

/** CSP source of the inline stylesheet. @internal */
export const STYLE_SHA256 = "sha256-psL9S9dSLeztUWkCGtNoW0TYyeRLzK7P3F1knrxo3f4=";
/** CSP source of the inline script. @internal */
export const SCRIPT_SHA256 = "sha256-GIr37t2f+i2u3hx9IOVAUNLYfF/bKFplkiGM9lKTTF8=";
/** CSP source of the review app's inline stylesheet. @internal */
export const APP_STYLE_SHA256 = "sha256-l1ybdUPTMOJUzhv6aa66UhyHRiEybbpeJll9BU4gKX4=";
/** CSP source of the review app's inline script. @internal */
export const APP_SCRIPT_SHA256 = "sha256-h2l23jp1U/j/lnvmrf/cQAYXshWvgUPcfo4PaxnFFIk=";
