// A walk through the API as an admin page would use it, over real HTTP: review, a bad request, decisions,
// a plan made stale by a later decision, a plan another worker's lock blocks, the apply, the run, a re-plan.
import { join } from "node:path";
import { createSqliteStore } from "@rostersync/storage-sqlite";

interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON answer, read field by field below
  readonly body: any;
}

/** One JSON request, answered with its status and parsed body. */
export async function call(base: string, method: "GET" | "POST", path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

/** Runs the tour against a server at `base` whose data folder is `dataDir`. */
export async function tour(base: string, dataDir: string, log: (line: string) => void): Promise<void> {
  const school = "lincoln-high";
  const show = (what: string, a: Answer, detail: string) => log(`${what.padEnd(50)} → ${a.status} ${detail}`);

  const review = await call(base, "GET", `/schools/${school}/review?status=excluded&limit=3`);
  const t = review.body.totals;
  show(
    `GET /schools/${school}/review`,
    review,
    `toSync ${t.toSync}, toExclude ${t.toExclude}, shared emails ${review.body.duplicateGroups.length}`,
  );

  const bad = await call(base, "POST", `/schools/${school}/decisions`, {
    ops: [{ op: "unselect", sourceIds: [] }, { op: "resolveDuplicate", email: "x@example.org" }, { op: "fly" }],
  });
  show(`POST /schools/${school}/decisions (bad)`, bad, `${bad.body.error.problems.length} problems:`);
  for (const p of bad.body.error.problems) log(`    ${p.path}: ${p.message}`);

  const unknown = await call(base, "POST", `/schools/${school}/decisions`, {
    ops: [
      { op: "unselect", sourceIds: ["no-such-person"] },
      { op: "resolveDuplicate", email: "nobody@example.org", sourceId: "1" },
    ],
  });
  show(`POST /schools/${school}/decisions (unknown)`, unknown, `${unknown.body.error.problems.length} problems:`);
  for (const p of unknown.body.error.problems) log(`    ${p.path}: ${p.message}`);

  const groups: { email: string; members: string[] }[] = review.body.duplicateGroups;
  const importable = await call(base, "GET", `/schools/${school}/review?status=importable&limit=2`);
  const [first, second] = importable.body.rows as { sourceId: string }[];
  const decided = await call(base, "POST", `/schools/${school}/decisions`, {
    ops: [
      ...groups.map((g) => ({ op: "resolveDuplicate", email: g.email, sourceId: [...g.members].sort()[0] })),
      { op: "unselect", sourceIds: [first?.sourceId] },
    ],
  });
  show(
    `POST /schools/${school}/decisions`,
    decided,
    `${decided.body.applied} ops; toSync ${decided.body.totals.toSync}, toSkip ${decided.body.totals.toSkip}`,
  );

  const plan1 = await call(base, "POST", `/schools/${school}/plan`);
  show(`POST /schools/${school}/plan`, plan1, `${plan1.body.planHash}: add ${plan1.body.counts.add}`);
  await call(base, "POST", `/schools/${school}/decisions`, {
    ops: [{ op: "unselect", sourceIds: [second?.sourceId] }],
  });
  const stale = await call(base, "POST", `/schools/${school}/apply`, { planHash: plan1.body.planHash });
  show("POST …/apply (a decision came after the plan)", stale, `${stale.body.error.type}`);

  const plan2 = await call(base, "POST", `/schools/${school}/plan`);
  show(`POST /schools/${school}/plan`, plan2, `${plan2.body.planHash}: add ${plan2.body.counts.add}`);

  // Another worker (the nightly job, say) holds the school's run lock in the same store.
  const other = (await createSqliteStore({ path: join(dataDir, "rostersync.db") }))._unsafeUnwrap();
  const lease = (await other.acquireLock(school, "nightly-worker", 60_000, Date.now()))._unsafeUnwrap();
  const locked = await call(base, "POST", `/schools/${school}/apply`, { planHash: plan2.body.planHash });
  show("POST …/apply (another worker holds the lock)", locked, `${locked.body.error.type}`);
  await other.releaseLock(lease);
  await other.close();

  const applied = await call(base, "POST", `/schools/${school}/apply`, {
    planHash: plan2.body.planHash,
    actor: "admin@lincoln",
  });
  show(
    `POST /schools/${school}/apply`,
    applied,
    `${applied.body.status}: ${applied.body.done}/${applied.body.total} done, ${applied.body.created} accounts created`,
  );

  const run = await call(base, "GET", applied.body.run);
  show(
    `GET ${applied.body.run.slice(0, 20)}…`,
    run,
    `${run.body.status} by ${run.body.actor}; journal ${run.body.journal.intents} intents, ` +
      `${run.body.journal.outcomes} outcomes`,
  );

  const again = await call(base, "POST", `/schools/${school}/apply`, { planHash: plan2.body.planHash });
  show("POST …/apply (the same plan again)", again, `${again.body.error.type}`);
  const plan3 = await call(base, "POST", `/schools/${school}/plan`);
  const c = plan3.body.counts;
  show(
    `POST /schools/${school}/plan (after the apply)`,
    plan3,
    `add ${c.add}, update ${c.update}, archive ${c.archive}, skip ${c.skip}`,
  );

  // Another school, a year on: the host synced last year's roster; graduates leave, everyone moves up.
  const next = "north-middle";
  const held = await call(base, "POST", `/schools/${next}/plan`);
  const h = held.body.counts;
  show(
    `POST /schools/${next}/plan`,
    held,
    `add ${h.add}, update ${h.update}, archive ${h.archive}; ${held.body.holds.length} holds:`,
  );
  for (const hold of held.body.holds) log(`    ${hold.message}`);
  const refused = await call(base, "POST", `/schools/${next}/apply`, { planHash: held.body.planHash });
  show("POST …/apply (held, not acknowledged)", refused, `${refused.body.error.type}`);
  const acknowledged = await call(base, "POST", `/schools/${next}/apply`, {
    planHash: held.body.planHash,
    acknowledge: held.body.planHash,
    actor: "admin@north",
  });
  show(
    "POST …/apply (acknowledge: the planHash)",
    acknowledged,
    `${acknowledged.body.status}: ${acknowledged.body.done}/${acknowledged.body.total} done`,
  );
}
