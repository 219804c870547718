/**
 * The two ways text from the SIS enters the page: as HTML text or attribute values, and as JSON inside a
 * `<script type="application/json">` block. Every string a person or a school typed goes through one of them.
 *
 * @module
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const HTML_SPECIAL = /[&<>"']/g;
const HTML_SPECIAL_TEST = /[&<>"']/;

/**
 * Escape a string for HTML text and for double- or single-quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<script>alert("x")</script>'); // "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
 * ```
 * @internal
 */
export function escapeHtml(value: string): string {
  // Most names need nothing: skip the replace (and its new string) for them; 10k rows × 8 cells add up.
  return HTML_SPECIAL_TEST.test(value) ? value.replace(HTML_SPECIAL, (c) => HTML_ESCAPES[c] as string) : value;
}

const SCRIPT_UNSAFE = /[<>&\u2028\u2029]/g;

/**
 * `JSON.stringify` for a `<script>` block: `<`, `>` and `&` become `\u003c`-style escapes, so no value can
 * close the script element (`</script>`) or open a comment (`<!--`) in it, and U+2028/U+2029 are escaped
 * for older JavaScript parsers. `JSON.parse` of the block's text gives the value back unchanged.
 *
 * @example
 * ```ts
 * scriptSafeJson({ email: "</script>" }); // '{"email":"\\u003c/script\\u003e"}'
 * ```
 * @internal
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    SCRIPT_UNSAFE,
    (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, "0")}`,
  );
}
