/**
 * Plan and apply routes: the plan's summary, acknowledging its holds, apply and resume (long steps).
 *
 * @internal
 * @module
 */

import { ACTION_TYPES, type SyncPlan } from "@rostersync/core";
import type { ApplyResult } from "@rostersync/sync";
import { problemResponse, syncProblem } from "../problem.js";
import { json, longStep } from "../respond.js";
import { planRefBody, resumeBody } from "../schemas.js";
import { bodyOf, type Route, type RouteContext } from "./context.js";

const EXAMPLES_PER_ACTION = 5;

/** The first few actions of each type, for the plan's summary. */
export function examplesOf(plan: SyncPlan): Record<string, unknown[]> {
  const examples: Record<string, unknown[]> = {};
  for (const type of ACTION_TYPES) examples[type] = [];
  for (const action of plan.actions) {
    const list = examples[action.type];
    if (list !== undefined && list.length < EXAMPLES_PER_ACTION) list.push(action);
  }
  return examples;
}

/** The `StalePlan` problem: the plan the admin saw is not the plan now. */
export function stalePlan(sent: string, current: string): Response {
  return problemResponse(
    "StalePlan",
    "The roster, the accounts, the decisions or the setup changed since this plan was shown: review the new plan.",
    { planHash: sent, currentHash: current },
  );
}

/** A run as `apply` and `resume` answer it (the first 100 failures, the number of invites). */
export function runSummary(run: ApplyResult) {
  return {
    runId: run.runId,
    status: run.status,
    planHash: run.planHash,
    total: run.total,
    done: run.done,
    failed: run.failed,
    counts: run.counts,
    failures: run.failures.slice(0, 100),
    invites: run.inviteCandidates.length,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

/** `GET /plan`: hash, counts, holds (and whether they are acknowledged), examples. */
export const getPlan: Route = async ({ sync }) => {
  const [plan, decisions] = await Promise.all([sync.plan(), sync.decisions()]);
  if (plan.isErr()) return syncProblem(plan.error);
  if (decisions.isErr()) return syncProblem(decisions.error);
  const p = plan.value;
  return json({
    planHash: p.planHash,
    counts: p.counts,
    holds: p.holds,
    acknowledged: p.holds.length > 0 && decisions.value.acknowledgedHolds.includes(p.planHash),
    askAtFirstLogin: p.askAtFirstLogin,
    examples: examplesOf(p),
  });
};

/** `POST /acknowledge`: acknowledge the holds of the plan with this hash (when it is still the plan). */
export const postAcknowledge: Route = async (context) => {
  const { sync, actor } = context;
  const body = await bodyOf(context, planRefBody);
  if (body instanceof Response) return body;
  const plan = await sync.plan();
  if (plan.isErr()) return syncProblem(plan.error);
  if (plan.value.planHash !== body.planHash) return stalePlan(body.planHash, plan.value.planHash);
  if (plan.value.holds.length === 0) return json({ planHash: body.planHash, acknowledged: false, holds: [] });
  // Stored by the sync with who gave it, for exactly this hash: any process can apply it later, and a
  // changed plan has another hash and needs its own acknowledgement.
  const stored = await sync.acknowledge(body.planHash, { actor });
  if (stored.isErr()) return syncProblem(stored.error);
  return json({ planHash: body.planHash, acknowledged: true, holds: plan.value.holds });
};

/** A run's long step: remembered as the school's last run; the review is stale afterwards. */
function runStep(context: RouteContext, run: () => ReturnType<RouteContext["sync"]["apply"]>) {
  const { request, progress, school } = context;
  return longStep(
    request,
    progress,
    () =>
      run().map((result) => {
        school.lastRun = result;
        school.review = null;
        return result;
      }),
    runSummary,
    context.settings.onError,
  );
}

/** `POST /apply`: apply the plan with this hash. */
export const postApply: Route = async (context) => {
  const body = await bodyOf(context, planRefBody);
  if (body instanceof Response) return body;
  // Only the hash crosses: under its lock the sync plans again, runs its own plan and holds, and finds
  // an acknowledgement stored for this hash (StalePlan or Held otherwise).
  return runStep(context, () => context.sync.apply(body.planHash, { actor: context.actor }));
};

/** `POST /resume`: resume an interrupted run. */
export const postResume: Route = async (context) => {
  const body = await bodyOf(context, resumeBody);
  if (body instanceof Response) return body;
  return runStep(context, () => context.sync.resume(body.runId, { actor: context.actor }));
};
