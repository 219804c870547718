/**
 * Messages meant for a school admin end with exactly one period, whatever the text they quote ends with
 * (a FACTS message "Not found." inside "GET /People: not found: Not found." would otherwise end in "..").
 *
 * @example
 * ```ts
 * sentence("FACTS refused GET /People (400): Bad filter.") // "FACTS refused GET /People (400): Bad filter."
 * sentence("No account u7") // "No account u7."
 * ```
 */
export function sentence(text: string): string {
  const trimmed = text.replace(/[\s.]+$/u, "");
  return /[!?…]$/u.test(trimmed) ? trimmed : `${trimmed}.`;
}
