// The HTTP API a host app puts in front of rostersync for its school admins' pages:
//   GET  /schools/:id/review      the review: totals, shared emails, one page of rows
//   POST /schools/:id/decisions   decision operations (zod-checked; 400 lists every problem)
//   POST /schools/:id/plan        a fresh plan: counts, holds, the first actions, its hash
//   POST /schools/:id/apply       apply the plan with that hash (409 when stale, held or locked)
//   GET  /runs/:id                a run: status, counts, journal lines
import { filterRows, type ReviewStatus, type RowFilter } from "@rostersync/core";
import type { SyncError } from "@rostersync/sync";
import express, { type ErrorRequestHandler, type Request, type Response } from "express";
import { z } from "zod";
import { applyOps, checkAgainstReview, type Problem, parseDecisions } from "./decisions.ts";
import type { Host, School } from "./schools.ts";

/** How each rostersync error reads over HTTP. */
const STATUS_OF: Partial<Record<SyncError["type"], number>> = {
  StalePlan: 409,
  Held: 409,
  Locked: 409,
  LockLost: 409,
  Conflict: 409,
  ProfileMismatch: 409,
  NoPlan: 400,
  WrongTenant: 400,
  InvalidDecision: 400,
  InvalidInput: 422,
  NoProfile: 404,
  RunNotFound: 404,
  SourceFailed: 502,
  DirectoryFailed: 502,
  Aborted: 503,
};

function sendSyncError(res: Response, error: SyncError): void {
  // Every field of a sync error is meant for the caller (holds, hashes, run ids); none carries a secret.
  res.status(STATUS_OF[error.type] ?? 500).json({ error });
}

function sendProblems(res: Response, problems: readonly Problem[]): void {
  res.status(400).json({ error: { type: "InvalidRequest", message: `${problems.length} problem(s)`, problems } });
}

const applyBodySchema = z.strictObject({
  planHash: z.string().min(1, "send the planHash that POST /plan answered"),
  /** The same hash again, to say the admin saw the plan's holds (R10). */
  acknowledge: z.string().min(1).optional(),
  actor: z.string().min(1).max(200).optional(),
});

const STATUSES: readonly ReviewStatus[] = ["importable", "excluded", "skipped", "out-of-scope"];

const reviewQuerySchema = z.strictObject({
  status: z.enum(STATUSES as [ReviewStatus, ...ReviewStatus[]]).optional(),
  newOnly: z.enum(["true", "false"]).optional(),
  search: z.string().optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

const problemsOf = (error: z.ZodError): Problem[] =>
  error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));

/** The express app over a host's schools. */
export function createApp(host: Host): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "1mb" }));
  app.get("/schools/:id/review", forSchool(host, reviewRoute));
  app.post("/schools/:id/decisions", forSchool(host, decisionsRoute));
  app.post("/schools/:id/plan", forSchool(host, planRoute));
  app.post("/schools/:id/apply", forSchool(host, applyRoute));
  app.get("/runs/:id", (req, res) => runOf(host, req, res));

  app.use((_req, res) => {
    res.status(404).json({ error: { type: "NotFound", message: "no such route" } });
  });

  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    const status = (error as { status?: unknown }).status;
    if (status === 400 && (error as { type?: unknown }).type === "entity.parse.failed") {
      return sendProblems(res, [{ path: "", message: "the body is not valid JSON" }]);
    }
    console.error("host-express: unexpected failure", error);
    res.status(500).json({ error: { type: "Internal", message: "unexpected failure; see the server log" } });
  };
  app.use(onError);
  return app;
}

/** A route under `/schools/:id`, given the school it names. */
type SchoolRoute = (s: School, req: Request, res: Response) => Promise<unknown>;

/** The route for the school `:id` names; 404 when the host has no such school. */
function forSchool(host: Host, route: SchoolRoute): (req: Request, res: Response) => Promise<unknown> {
  return async (req, res) => {
    const found = host.schools.get(String(req.params.id));
    if (found === undefined) {
      res.status(404).json({ error: { type: "UnknownSchool", message: `no school ${String(req.params.id)}` } });
      return;
    }
    return route(found, req, res);
  };
}

/** `GET /schools/:id/review`: the totals, the shared emails and one page of rows. */
const reviewRoute: SchoolRoute = async (s, req, res) => {
  const query = reviewQuerySchema.safeParse(req.query);
  if (!query.success) return sendProblems(res, problemsOf(query.error));
  const report = await s.sync.refresh();
  if (report.isErr()) return sendSyncError(res, report.error);
  const { offset, limit, status, newOnly, search } = query.data;
  const filter: RowFilter = {
    ...(status === undefined ? {} : { status }),
    ...(newOnly === "true" ? { newOnly: true } : {}),
    ...(search === undefined ? {} : { search }),
  };
  const rows = filterRows(report.value, filter);
  res.json({
    schoolId: s.id,
    role: report.value.role,
    totals: report.value.totals,
    duplicateGroups: report.value.duplicateGroups,
    page: { offset, limit, matched: rows.length },
    rows: rows.slice(offset, offset + limit),
  });
};

/** `POST /schools/:id/decisions`: the operations, checked for shape and then against the review. */
const decisionsRoute: SchoolRoute = async (s, req, res) => {
  const parsed = parseDecisions(req.body);
  if (!parsed.ok) return sendProblems(res, parsed.problems);
  const report = await s.sync.refresh();
  if (report.isErr()) return sendSyncError(res, report.error);
  const accounts = await s.directory.listAccounts();
  if (accounts.isErr()) return res.status(502).json({ error: accounts.error });
  const problems = checkAgainstReview(parsed.ops, report.value, new Set(accounts.value.map((a) => a.accountId)));
  if (problems.length > 0) return sendProblems(res, problems);
  const after = await s.sync.decide((draft) => applyOps(draft, parsed.ops));
  if (after.isErr()) return sendSyncError(res, after.error);
  res.json({ schoolId: s.id, applied: parsed.ops.length, totals: after.value.totals });
};

/** `POST /schools/:id/plan`: a fresh plan, kept by its hash for `POST /apply`. */
const planRoute: SchoolRoute = async (s, _req, res) => {
  // A plan is made against the roster as it is now, never against an old read.
  const report = await s.sync.refresh();
  if (report.isErr()) return sendSyncError(res, report.error);
  const plan = await s.sync.plan();
  if (plan.isErr()) return sendSyncError(res, plan.error);
  const p = plan.value;
  s.plans.set(p.planHash, p);
  res.json({
    schoolId: s.id,
    planHash: p.planHash,
    counts: p.counts,
    holds: p.holds,
    needsAcknowledgement: p.holds.length > 0,
    askAtFirstLogin: p.askAtFirstLogin,
    actions: p.actions.slice(0, 20).map((a) => ({
      actionId: a.actionId,
      type: a.type,
      reasons: a.reasons,
      ...("sourceId" in a ? { sourceId: a.sourceId } : {}),
    })),
    totalActions: p.actions.length,
  });
};

/** `POST /schools/:id/apply`: applies the plan `POST /plan` answered with that hash. */
const applyRoute: SchoolRoute = async (s, req, res) => {
  const body = applyBodySchema.safeParse(req.body);
  if (!body.success) return sendProblems(res, problemsOf(body.error));
  const { planHash, acknowledge, actor } = body.data;
  if (acknowledge !== undefined && acknowledge !== planHash) {
    return sendProblems(res, [{ path: "acknowledge", message: "acknowledge must repeat the planHash of the plan" }]);
  }
  if (!s.plans.has(planHash)) {
    return res.status(404).json({
      error: { type: "UnknownPlan", message: `no plan ${planHash} for ${s.id}: POST /schools/${s.id}/plan first` },
    });
  }
  // Only the hash is needed: apply plans again under the lock and runs its own plan (docs/applying.md).
  const run = await s.sync.apply(planHash, {
    ...(acknowledge === undefined ? {} : { acknowledge }),
    actor: actor ?? "host-express",
  });
  if (run.isErr()) return sendSyncError(res, run.error);
  s.plans.delete(planHash);
  const r = run.value;
  res.json({
    schoolId: s.id,
    runId: r.runId,
    status: r.status,
    total: r.total,
    done: r.done,
    failed: r.failed,
    counts: r.counts,
    created: r.createdAccountIds.length,
    toInvite: r.inviteCandidates.length,
    run: `/runs/${r.runId}`,
  });
};

/** `GET /runs/:id`: a run of any of the host's schools, with its journal counted. */
async function runOf(host: Host, req: Request, res: Response): Promise<unknown> {
  const runId = String(req.params.id);
  for (const s of host.schools.values()) {
    const run = await host.store.getRun(s.id, runId);
    if (run.isErr()) return res.status(500).json({ error: run.error });
    if (run.value === null) continue;
    const journal = await host.store.readJournal(s.id, runId);
    if (journal.isErr()) return res.status(500).json({ error: journal.error });
    const lines = journal.value;
    const { plan: _plan, ...record } = run.value; // the stored plan is large; GET /plan-style summaries suffice
    return res.json({
      schoolId: s.id,
      ...record,
      journal: {
        intents: lines.filter((l) => l.phase === "intent").length,
        outcomes: lines.filter((l) => l.phase === "outcome").length,
        failed: lines.filter((l) => l.outcome === "failed").length,
      },
    });
  }
  res.status(404).json({ error: { type: "RunNotFound", message: `no run ${runId}` } });
}
