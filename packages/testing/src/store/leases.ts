import type { JournalEntry, StoreError, SyncStore } from "@rostersync/core";
import type { ResultAsync } from "neverthrow";
import { expect } from "vitest";

/** The shape of a multi-worker lease test: how many schools, and how many journal lines each must get. */
export interface LeaseWorkload {
  readonly schools: number;
  readonly lines: number;
}

/** What one worker did: the time it held each lease, and how many lines it appended per school. */
export interface LeaseReport {
  readonly worker: string;
  readonly intervals: readonly { readonly school: string; readonly start: number; readonly end: number }[];
  readonly appended: Readonly<Record<string, number>>;
  /** How often it found a school locked by another worker. */
  readonly locked: number;
}

const RUN_ID = "nightly";
const school = (index: number) => `school-${index}`;

/** Creates each school's run, before the workers start. */
export async function prepareLeaseWorkload(store: SyncStore, workload: LeaseWorkload): Promise<void> {
  for (let s = 0; s < workload.schools; s++) {
    const created = await store.createRun(school(s), {
      runId: RUN_ID,
      planHash: `plan-${s}`,
      profileHash: "profile",
      status: "running",
      startedAt: new Date().toISOString(),
      totalActions: workload.lines / 2,
      plan: { school: s },
    });
    if (created.isErr()) throw new Error(created.error.message);
  }
}

/**
 * One worker's loop (run it in its own process): over and over, take a school's lease, read its journal,
 * append the next 1–4 lines (finishing the run with the last one), release. Ends when every school's
 * journal is complete. Any store error other than `Locked` ends it with an exception.
 */
export async function runLeaseWorker(store: SyncStore, worker: string, workload: LeaseWorkload): Promise<LeaseReport> {
  let seed = [...worker].reduce((sum, c) => (sum * 31 + c.charCodeAt(0)) % 2147483647, 7) || 1;
  const random = (below: number) => {
    seed = (seed * 48271) % 2147483647;
    return seed % below;
  };
  const must = async <T>(result: ResultAsync<T, StoreError>): Promise<T> => {
    const settled = await result;
    if (settled.isErr()) throw new Error(`${worker}: ${settled.error.type}: ${settled.error.message}`);
    return settled.value;
  };
  const intervals: { school: string; start: number; end: number }[] = [];
  const appended: Record<string, number> = {};
  const done = new Set<string>();
  let locked = 0;
  for (let turn = random(workload.schools); done.size < workload.schools; turn++) {
    const tenantId = school(turn % workload.schools);
    if (done.has(tenantId)) continue;
    const acquired = await store.acquireLock(tenantId, worker, 30_000, Date.now());
    if (acquired.isErr()) {
      if (acquired.error.type !== "Locked") throw new Error(`${worker}: ${acquired.error.message}`);
      locked++;
      continue;
    }
    let lease = acquired.value;
    const start = Date.now();
    const journal = await must(store.readJournal(tenantId, RUN_ID));
    const last = journal.at(-1)?.seq ?? 0;
    if (last >= workload.lines) {
      done.add(tenantId);
    } else {
      const count = Math.min(workload.lines - last, 1 + random(4));
      const lines: JournalEntry[] = Array.from({ length: count }, (_, k) => ({
        seq: last + k + 1,
        actionId: `add:${Math.floor((last + k) / 2)}`,
        phase: (last + k) % 2 === 0 ? "intent" : "outcome",
        at: new Date().toISOString(),
        result: { worker },
      }));
      if (random(3) === 0) lease = await must(store.renewLock(lease, 30_000, Date.now()));
      await must(store.appendJournal(tenantId, RUN_ID, lines));
      appended[tenantId] = (appended[tenantId] ?? 0) + count;
      if (last + count === workload.lines) {
        const summary = { lines: workload.lines, finishedBy: worker };
        await must(
          store.finishRun(tenantId, RUN_ID, { status: "completed", finishedAt: new Date().toISOString(), summary }),
        );
      }
    }
    const end = Date.now();
    intervals.push({ school: tenantId, start, end });
    await must(store.releaseLock(lease));
  }
  return { worker, intervals, appended, locked };
}

/**
 * Checks the outcome of a multi-worker run: every school's journal is complete (seq 1..lines) and each run
 * finished; every line was written by the worker that reports it, so no row was lost or invented; no two
 * workers held one school's lease at overlapping times; and more than one worker wrote, some school by several.
 */
export async function checkLeaseWorkload(
  store: SyncStore,
  reports: readonly LeaseReport[],
  workload: LeaseWorkload,
): Promise<void> {
  let total = 0;
  for (let s = 0; s < workload.schools; s++) {
    const tenantId = school(s);
    const journal = (await store.readJournal(tenantId, RUN_ID))._unsafeUnwrap();
    expect(journal.map((e) => e.seq)).toEqual(Array.from({ length: workload.lines }, (_, i) => i + 1));
    total += journal.length;
    for (const report of reports) {
      const written = journal.filter((e) => (e.result as { worker?: string }).worker === report.worker).length;
      expect(written, `${report.worker} on ${tenantId}`).toBe(report.appended[tenantId] ?? 0);
    }
    const run = (await store.getRun(tenantId, RUN_ID))._unsafeUnwrap();
    expect(run?.status).toBe("completed");
    expect(run?.summary).toMatchObject({ lines: workload.lines });
  }
  const appended = reports.flatMap((r) => Object.values(r.appended)).reduce((a, b) => a + b, 0);
  expect(appended).toBe(workload.schools * workload.lines);
  expect(total).toBe(workload.schools * workload.lines);

  for (let s = 0; s < workload.schools; s++) {
    const held = reports
      .flatMap((r) => r.intervals.filter((i) => i.school === school(s)).map((i) => ({ ...i, worker: r.worker })))
      .sort((a, b) => a.start - b.start || a.end - b.end);
    for (let i = 1; i < held.length; i++) {
      const before = held[i - 1];
      const after = held[i];
      if (!before || !after) continue;
      expect(after.start, `${school(s)}: ${before.worker} then ${after.worker}`).toBeGreaterThanOrEqual(before.end);
    }
  }
  // The workers really competed (kept loose, so that a loaded machine cannot make it flaky).
  const writers = reports.filter((r) => Object.keys(r.appended).length > 0);
  expect(writers.length).toBeGreaterThan(1);
  const shared = Array.from({ length: workload.schools }, (_, s) => school(s)).filter(
    (tenantId) => reports.filter((r) => (r.appended[tenantId] ?? 0) > 0).length > 1,
  );
  expect(shared.length).toBeGreaterThan(0);
}
