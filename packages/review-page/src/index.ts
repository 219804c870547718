/**
 * `@rostersync/review-page`: core's review report as one self-contained HTML page, and the interactive
 * review app that walks a school admin through a whole sync over `@rostersync/http`.
 *
 * @packageDocumentation
 */

export { type ReviewAppOptions, type ReviewAppPage, renderReviewApp } from "./app.js";
export { checkReviewReport } from "./check.js";
export { type ReviewPageOptions, renderReviewHtml } from "./render.js";
