/**
 * `@rostersync/review-page`: core's review report as one self-contained HTML page.
 *
 * @packageDocumentation
 */

export { checkReviewReport } from "./check.js";
export { type ReviewPageOptions, renderReviewHtml } from "./render.js";
