import { z } from "zod";

/**
 * The bodies and queries the handler accepts. Every object is strict: an unknown key (a `tenantId` in the
 * body, say) is refused rather than ignored, so nobody can believe it was honoured.
 *
 * @module
 */

const text = z.string().max(1000);
const id = z.string().min(1).max(200);
const hash = z.string().min(1).max(200);

/** `PUT /setup`: the school's setup. */
export const profileBody = z
  .object({
    role: z.enum(["student", "parent"]),
    schools: z.array(text).max(1000),
    gradeLevels: z.array(text).max(1000),
    parentSubset: z
      .object({ relationships: z.array(text).max(100).optional(), listedFirstOnly: z.boolean().optional() })
      .strict()
      .optional(),
    fieldMap: z
      .array(
        z
          .object({
            source: text,
            target: z.string().min(1).max(200),
            createAs: z.enum(["text", "dropdown"]).optional(),
          })
          .strict(),
      )
      .max(500),
    defaultSelection: z.boolean(),
    hoursSync: z.object({ enabled: z.boolean(), historicImportDone: z.boolean() }).strict(),
    thresholds: z
      .object({
        archiveRatio: z.number().min(0).optional(),
        archiveMin: z.number().min(0).optional(),
        updateRatio: z.number().min(0).optional(),
        sourceShrink: z.number().min(0).optional(),
      })
      .strict()
      .optional(),
    familyOverrides: z.record(id, id).optional(),
  })
  .strict();

/** A review filter (the query of `GET /review`, the `filter` of a select-all). */
export const rowFilter = z
  .object({
    status: z
      .union([
        z.enum(["importable", "excluded", "skipped", "out-of-scope"]),
        z.array(z.enum(["importable", "excluded", "skipped", "out-of-scope"])),
      ])
      .optional(),
    gradeLevel: z.union([text, z.array(text)]).optional(),
    schoolCode: z.union([text, z.array(text)]).optional(),
    flag: z.enum(["red", "gray"]).optional(),
    newOnly: z.boolean().optional(),
    needsReview: z.boolean().optional(),
    newErrorsOnly: z.boolean().optional(),
    search: text.optional(),
  })
  .strict();

const ids = z.array(id).min(1).max(100_000);

/** One change of `POST /decisions`. */
export const decisionOp = z.discriminatedUnion("op", [
  z.object({ op: z.literal("select"), sourceIds: ids }).strict(),
  z.object({ op: z.literal("unselect"), sourceIds: ids }).strict(),
  z.object({ op: z.literal("selectAll"), filter: rowFilter, selected: z.boolean() }).strict(),
  z.object({ op: z.literal("resolveDuplicate"), email: text, sourceId: id }).strict(),
  z.object({ op: z.literal("unresolveDuplicate"), email: text }).strict(),
  z.object({ op: z.literal("merge"), sourceId: id, accountId: id }).strict(),
  z.object({ op: z.literal("removeMerge"), sourceId: id }).strict(),
]);
/** A parsed decision change. */
export type DecisionOp = z.infer<typeof decisionOp>;

/** `POST /decisions`: changes applied in order, saved at once. */
export const decisionsBody = z.object({ ops: z.array(decisionOp).min(1).max(1000) }).strict();

/** `POST /family-overrides`: the host family group of a SIS family (R9); `null` removes the override. */
export const familyOverrideBody = z.object({ familyId: id, groupId: id.nullable() }).strict();

/** `POST /acknowledge` and `POST /apply`: a plan is named by its hash only, never sent. */
export const planRefBody = z.object({ planHash: hash }).strict();

/** `POST /resume`. */
export const resumeBody = z.object({ runId: id }).strict();

/** `POST /hours`: switch write-back on (through the historic-hours guard) or off. */
export const hoursBody = z.object({ enabled: z.boolean(), force: z.boolean().optional() }).strict();

/**
 * `PUT /key`: the school's FACTS API key, typed in by the admin. Zod's messages never quote the value, so a
 * refused key is not echoed either.
 */
export const keyBody = z.object({ apiKey: z.string().trim().min(8).max(512) }).strict();

/** `POST /refresh`: no options yet; an empty object or no body. */
export const emptyBody = z.object({}).strict();
