/**
 * The checks the simulator runs on a request body before it writes anything, shared by the write routes
 * (attendance, service hours). Each check adds its problems to a list, so a `400` names every problem at
 * once, as FACTS's does.
 *
 * @internal
 * @module
 */

import type { FactsRow } from "../sieve.js";

/** A problem FACTS lists in a `400` (`target` is the field). */
export interface Problem {
  target: string;
  message: string;
}

/** What a check of a body gives: every problem, and the value only when there are none. */
export interface Checked<T> {
  problems: Problem[];
  value: T | null;
}

/** The {@link Checked} result of a body with these problems; `value` is only built when there are none. */
export function checked<T>(problems: Problem[], value: () => T): Checked<T> {
  if (problems.length > 0) return { problems, value: null };
  return { problems, value: value() };
}

/** The longest text field FACTS takes. */
export const TEXT_MAX = 255;

/** A Swagger `date-time`: a date and a time, with or without an offset (FACTS answers without one). */
export const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?$/;

/** Whether a body is a JSON object (not null, not an array). */
export const isJsonObject = (body: unknown): body is FactsRow =>
  body !== null && typeof body === "object" && !Array.isArray(body);

/** The problem of a body that is not a JSON object: nothing else of it can be checked. */
export const NOT_AN_OBJECT: Problem = Object.freeze({ target: "body", message: "The body must be a JSON object." });

/** `body[key]` must be an integer: `key is required (an integer).` otherwise. */
export function checkInteger(body: FactsRow, key: string, problems: Problem[]): void {
  const value = body[key];
  if (typeof value !== "number" || !Number.isInteger(value))
    problems.push({ target: key, message: `${key} is required (an integer).` });
}

/**
 * `body[key]` must be a date-time; FACTS keeps only its date. Returns it as stored (`YYYY-MM-DDT00:00:00`),
 * or `null` after adding the problem.
 */
export function checkDateTime(body: FactsRow, key: string, problems: Problem[]): string | null {
  const value = body[key];
  const date = typeof value === "string" ? DATE_TIME.exec(value) : null;
  if (date === null) {
    problems.push({ target: key, message: `${key} must be a date-time (YYYY-MM-DDThh:mm:ss).` });
    return null;
  }
  return `${date[1]}T00:00:00`;
}

/** `body[key]` must be text that is not blank, of at most {@link TEXT_MAX} characters. */
export function checkRequiredText(body: FactsRow, key: string, problems: Problem[]): void {
  const v = body[key];
  if (typeof v !== "string" || v.trim() === "") problems.push({ target: key, message: `${key} is required.` });
  else if (v.length > TEXT_MAX)
    problems.push({ target: key, message: `${key} is longer than ${TEXT_MAX} characters.` });
}

/** Each of `keys` may be missing or `null`; when given it must be text of at most {@link TEXT_MAX} characters. */
export function checkOptionalText(body: FactsRow, keys: readonly string[], problems: Problem[]): void {
  for (const key of keys) {
    const v = body[key];
    if (v !== undefined && v !== null && typeof v !== "string")
      problems.push({ target: key, message: `${key} must be text.` });
    else if (typeof v === "string" && v.length > TEXT_MAX)
      problems.push({ target: key, message: `${key} is longer than ${TEXT_MAX} characters.` });
  }
}
