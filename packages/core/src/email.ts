/**
 * R1 — email normalisation and syntax. The one place that decides whether two addresses are the same
 * mailbox: trim, Unicode NFC, lowercase; `+tags` and dots are kept because they are different mailboxes.
 *
 * @module
 */

/** What R1 makes of a raw email: a usable address, or why there is none. */
export type EmailCheck =
  | { readonly kind: "ok"; readonly email: string }
  | { readonly kind: "missing" }
  | { readonly kind: "invalid"; readonly email: string };

/**
 * Normalise an email (R1): trim, NFC, lowercase. Returns `""` for a missing email. Does not judge
 * syntax; see {@link checkEmail}.
 *
 * @example
 * ```ts
 * normaliseEmail("  Ann.Lee+PTA@School.ORG ") // "ann.lee+pta@school.org"
 * ```
 */
export function normaliseEmail(raw: string | null | undefined): string {
  if (raw == null) return "";
  const n = raw.length;
  if (n === 0) return raw;
  // Fast path: most addresses are already trimmed, lowercase ASCII; return them without allocating.
  // NFC is the identity on ASCII, and normalize() is by far the slowest step, so it only runs when needed.
  let clean = raw.charCodeAt(0) > 32 && raw.charCodeAt(n - 1) > 32;
  for (let i = 0; clean && i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c > 0x7f) return raw.trim().normalize("NFC").toLowerCase();
    if (c >= 65 && c <= 90) clean = false;
  }
  if (clean) return raw;
  const trimmed = raw.trim();
  for (let i = 0; i < trimmed.length; i++) {
    if (trimmed.charCodeAt(i) > 0x7f) return trimmed.normalize("NFC").toLowerCase();
  }
  return trimmed.toLowerCase();
}

/** Unicode format characters (Cf): invisible, so an address holding one is refused (R1). */
const INVISIBLE = /\p{Cf}/u;

/**
 * Whether a normalised email has valid syntax (R1): exactly one `@`, a non-empty local part, a domain
 * with a dot that neither starts nor ends it, no whitespace anywhere, and no invisible format character
 * (Unicode category Cf: zero-width spaces and joiners, the soft hyphen, direction marks, tags…), which would
 * make an address that looks like another one but is not (issue 14; see docs/rules.md, R1).
 */
export function isValidEmail(normalised: string): boolean {
  const n = normalised.length;
  let at = -1;
  let lastDot = -1;
  let wide = false;
  for (let i = 0; i < n; i++) {
    const c = normalised.charCodeAt(i);
    if (c > 0x7f) wide = true;
    if (c === 64) {
      if (at !== -1) return false;
      at = i;
    } else if (c === 46) {
      lastDot = i;
    } else if (c <= 32 || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)) {
      return false;
    } else if (c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff) {
      return false;
    }
  }
  if (at <= 0) return false;
  if (wide && INVISIBLE.test(normalised)) return false;
  // The domain needs a dot that is neither its first nor its last character.
  return lastDot > at + 1 && lastDot < n - 1;
}

/**
 * Normalise and judge one raw email (R1).
 *
 * @example
 * ```ts
 * checkEmail(" ") // { kind: "missing" }
 * checkEmail("ann@school") // { kind: "invalid", email: "ann@school" }
 * ```
 */
export function checkEmail(raw: string | null | undefined): EmailCheck {
  const email = normaliseEmail(raw);
  if (email === "") return { kind: "missing" };
  return isValidEmail(email) ? { kind: "ok", email } : { kind: "invalid", email };
}
