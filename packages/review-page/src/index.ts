/**
 * `@rostersync/review-page`: core's review report as one self-contained HTML page.
 *
 * @packageDocumentation
 */

export { type ReviewPageOptions, renderReviewHtml } from "./render.js";
