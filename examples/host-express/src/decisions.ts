// The body of `POST /schools/:id/decisions`: a list of decision operations, checked in two passes that each
// report every problem at once — first the shape (zod), then the meaning against the current review.

import type { DecisionsBuilder } from "@rostersync/core";
import { normaliseEmail, type ReviewReport } from "@rostersync/core";
import { z } from "zod";

const id = z.string().trim().min(1, "must not be empty");
const ids = z.array(id).min(1, "name at least one person");

/** One decision, in the words of the review page. */
export const decisionOpSchema = z.discriminatedUnion("op", [
  z.strictObject({ op: z.literal("select"), sourceIds: ids }),
  z.strictObject({ op: z.literal("unselect"), sourceIds: ids }),
  z.strictObject({
    op: z.literal("selectAll"),
    filter: z.strictObject({
      status: z.enum(["importable", "excluded", "skipped", "out-of-scope"]).optional(),
      gradeLevel: z.union([id, z.array(id)]).optional(),
      schoolCode: z.union([id, z.array(id)]).optional(),
      newOnly: z.boolean().optional(),
      search: z.string().optional(),
    }),
    selected: z.boolean(),
  }),
  z.strictObject({ op: z.literal("resolveDuplicate"), email: id, sourceId: id }),
  z.strictObject({ op: z.literal("unresolveDuplicate"), email: id }),
  z.strictObject({ op: z.literal("manualMerge"), sourceId: id, accountId: id }),
  z.strictObject({ op: z.literal("removeMerge"), sourceId: id }),
  z.strictObject({ op: z.literal("markReviewed") }),
  z.strictObject({ op: z.literal("recordDefaults") }),
  z.strictObject({ op: z.literal("acknowledgeHold"), planHash: id }),
]);

/** `{ ops: [...] }`, at most 1,000 operations a request. */
export const decisionsBodySchema = z.strictObject({
  ops: z.array(decisionOpSchema).min(1, "send at least one operation").max(1000, "at most 1,000 operations"),
});

export type DecisionOp = z.infer<typeof decisionOpSchema>;

/** One thing wrong with a request, pointing into its body. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** Every shape problem of a body, or the operations when there is none. */
export function parseDecisions(body: unknown): { ok: true; ops: DecisionOp[] } | { ok: false; problems: Problem[] } {
  const parsed = decisionsBodySchema.safeParse(body);
  if (parsed.success) return { ok: true, ops: parsed.data.ops };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
  };
}

/**
 * Every operation that names someone the review does not know: people not in the roster, a shared email
 * that is not a duplicate group, a person who is not in the group, an account the directory does not hold.
 */
export function checkAgainstReview(
  ops: readonly DecisionOp[],
  report: ReviewReport,
  accountIds: ReadonlySet<string>,
): Problem[] {
  const people = new Set(report.rows.map((r) => r.sourceId));
  const groups = new Map(report.duplicateGroups.map((g) => [g.email, g.members]));
  const problems: Problem[] = [];
  const person = (path: string, sourceId: string) => {
    if (!people.has(sourceId)) problems.push({ path, message: `no person ${sourceId} in this school's roster` });
  };
  ops.forEach((op, i) => {
    const at = `ops.${i}`;
    switch (op.op) {
      case "select":
      case "unselect":
        op.sourceIds.forEach((s, j) => {
          person(`${at}.sourceIds.${j}`, s);
        });
        break;
      case "resolveDuplicate": {
        const members = groups.get(normaliseEmail(op.email));
        if (members === undefined) problems.push({ path: `${at}.email`, message: `${op.email} is not a shared email` });
        else if (!members.includes(op.sourceId))
          problems.push({ path: `${at}.sourceId`, message: `person ${op.sourceId} does not use ${op.email}` });
        break;
      }
      case "unresolveDuplicate":
        if (!groups.has(normaliseEmail(op.email)))
          problems.push({ path: `${at}.email`, message: `${op.email} is not a shared email` });
        break;
      case "manualMerge":
        person(`${at}.sourceId`, op.sourceId);
        if (!accountIds.has(op.accountId))
          problems.push({ path: `${at}.accountId`, message: `no account ${op.accountId} in the directory` });
        break;
      case "removeMerge":
        person(`${at}.sourceId`, op.sourceId);
        break;
      default:
        break;
    }
  });
  return problems;
}

/** Each operation as a call on core's decisions builder. */
const PLAY: {
  readonly [K in DecisionOp["op"]]: (d: DecisionsBuilder, op: Extract<DecisionOp, { op: K }>) => DecisionsBuilder;
} = {
  select: (d, op) => d.select(op.sourceIds),
  unselect: (d, op) => d.unselect(op.sourceIds),
  // zod gives a key left out as `undefined`; the builder's filter wants it absent.
  selectAll: (d, op) =>
    d.selectAll(Object.fromEntries(Object.entries(op.filter).filter(([, v]) => v !== undefined)), op.selected),
  resolveDuplicate: (d, op) => d.resolveDuplicate(op.email, op.sourceId),
  unresolveDuplicate: (d, op) => d.unresolveDuplicate(op.email),
  manualMerge: (d, op) => d.manualMerge(op.sourceId, op.accountId),
  removeMerge: (d, op) => d.removeMerge(op.sourceId),
  markReviewed: (d) => d.markReviewed(),
  recordDefaults: (d) => d.recordDefaults(),
  acknowledgeHold: (d, op) => d.acknowledgeHold(op.planHash),
};

/** Plays the operations onto core's decisions builder, in order. */
export function applyOps(draft: DecisionsBuilder, ops: readonly DecisionOp[]): DecisionsBuilder {
  // `op.op` picks the entry made for that very operation, which TypeScript cannot follow through the union.
  return ops.reduce(
    (d, op) => (PLAY[op.op] as (d: DecisionsBuilder, op: DecisionOp) => DecisionsBuilder)(d, op),
    draft,
  );
}
