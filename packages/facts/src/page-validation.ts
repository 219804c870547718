/**
 * Validation of what FACTS answered, as pure functions over the parsed body: a page must be a FACTS
 * envelope and every record in it must pass its schema; a body that is not paged must pass its schema. The
 * first bad record fails the read with `InvalidPayload`, naming the record by its key, the field and the
 * page (README, "What a read does": nothing is dropped).
 *
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import type { z } from "zod";
import type { FactsError } from "./errors.js";
import { invalidPayload } from "./http-errors.js";
import { type Envelope, envelopeSchema } from "./schemas.js";

/** A validated page: its envelope (for the paging checks) and its records. */
export interface ValidPage<T> {
  readonly envelope: Envelope;
  readonly records: T[];
}

/** The path zod reports, with symbols (never used by FACTS's schemas) as strings. */
const pathOf = (issue: z.core.$ZodIssue | undefined): (string | number)[] =>
  (issue?.path ?? []).map((p) => (typeof p === "symbol" ? String(p) : p));

/**
 * A record's id for an error message (`12`, `12/34` for a composite key), or `null` when a key field is
 * missing or not a number or string.
 */
export function recordIdOf(raw: unknown, idKey: readonly string[]): string | null {
  if (idKey.length === 0 || typeof raw !== "object" || raw === null) return null;
  const parts: string[] = [];
  for (const k of idKey) {
    const value = (raw as Record<string, unknown>)[k];
    if (typeof value !== "number" && typeof value !== "string") return null;
    parts.push(String(value));
  }
  return parts.join("/");
}

/**
 * The `InvalidPayload` error of a `GET endpoint` answer that failed a schema, from zod's first issue:
 * `say` words the message from the dotted path of the bad field (empty for the whole value) and zod's
 * reason.
 */
function invalidAnswer(
  endpoint: string,
  error: z.ZodError,
  recordId: string | null,
  page: number | undefined,
  say: (field: string, reason: string) => string,
): FactsError {
  const issue = error.issues[0];
  const path = pathOf(issue);
  return invalidPayload("GET", endpoint, recordId, path, say(path.join("."), issue?.message ?? "invalid"), page);
}

/**
 * Page `page` of a `GET endpoint` listing: the envelope checked, then every record against `schema`.
 *
 * @example
 * ```ts
 * const page = validatePage("/Students", studentSchema, body, 2, ["studentId"]);
 * if (page.isOk()) page.value.records.length;
 * ```
 */
export function validatePage<T>(
  endpoint: string,
  schema: z.ZodType<T>,
  body: unknown,
  page: number,
  idKey: readonly string[],
): Result<ValidPage<T>, FactsError> {
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) {
    return err(
      invalidAnswer(
        endpoint,
        envelope.error,
        null,
        page,
        (field, reason) => `GET ${endpoint} page ${page}: not a FACTS page (${field || "body"}: ${reason}).`,
      ),
    );
  }
  const records: T[] = [];
  for (const raw of envelope.data.results) {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const recordId = recordIdOf(raw, idKey);
      return err(
        invalidAnswer(
          endpoint,
          parsed.error,
          recordId,
          page,
          (field, reason) =>
            `GET ${endpoint}: record ${recordId ?? "(no id)"} has a bad ${field || "value"}: ${reason}.`,
        ),
      );
    }
    records.push(parsed.data);
  }
  return ok({ envelope: envelope.data, records });
}

/**
 * The body of a `GET endpoint` that is not paged, against `schema`.
 *
 * @example
 * ```ts
 * validateBody("/SchoolConfigurations/1", schoolSchema, body);
 * ```
 */
export function validateBody<T>(endpoint: string, schema: z.ZodType<T>, body: unknown): Result<T, FactsError> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return ok(parsed.data);
  return err(
    invalidAnswer(
      endpoint,
      parsed.error,
      null,
      undefined,
      (field, reason) => `GET ${endpoint}: bad ${field || "body"}: ${reason}.`,
    ),
  );
}
