/**
 * The start of both pages (the static review page and the review app): doctype, charset, viewport, the
 * Content-Security-Policy, title and the page's one inline style. One copy, so that the two pages cannot
 * drift apart on what protects them.
 *
 * @module
 */

import { escapeHtml } from "./escape.js";

/**
 * The lines of a page up to (not including) `</head>`: `title` is escaped, `policy` and `style` are the
 * page's own (never text from the SIS).
 * @internal
 */
export function pageHead(title: string, policy: string, style: string): string[] {
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    `<meta name="generator" content="@rostersync/review-page">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${style}</style>`,
  ];
}
