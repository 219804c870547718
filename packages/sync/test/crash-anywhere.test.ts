import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Account, SyncPlan } from "@rostersync/core";
import { createMemoryRosterSource } from "@rostersync/core";
import { createSqliteStore } from "@rostersync/storage-sqlite";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqliteDirectory, createSync } from "../src/index.js";
import { bundleChild } from "./crash/bundle.js";
import type { ChildConfig } from "./crash/child.js";
import { crashScenario } from "./crash/scenario.js";
import { comparable, duplicates } from "./helpers.js";

const TENANT = "school-crash";
const HOUR = 3_600_000;
let work: string;
let child: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "rs-crash-"));
  child = await bundleChild(fileURLToPath(new URL("./crash/child.ts", import.meta.url)), join(work, "child.mjs"));
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the child to its end or its death; resolves with its exit signal (null when it exited). */
function runChild(config: ChildConfig, dir: string, name: string): Promise<NodeJS.Signals | null> {
  const configPath = join(dir, `${name}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, configPath], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    p.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    p.on("error", reject);
    p.on("exit", (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve(signal);
    });
  });
}

/** One crash schedule: where the first (and maybe the resuming) process dies. */
interface Schedule {
  readonly batchSize: number;
  readonly killAtAppend: number;
  readonly killAfterAppend: boolean;
  readonly throwAtWrite: number;
  readonly throwAfterWrite: boolean;
  readonly resumeKillAtAppend: number;
  readonly resumeKillAfterAppend: boolean;
}

const schedules = fc.sample(
  fc.record({
    batchSize: fc.integer({ min: 1, max: 12 }),
    killAtAppend: fc.integer({ min: 0, max: 40 }),
    killAfterAppend: fc.boolean(),
    throwAtWrite: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60 })),
    throwAfterWrite: fc.boolean(),
    resumeKillAtAppend: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 })),
    resumeKillAfterAppend: fc.boolean(),
  }),
  { numRuns: 220, seed: 20261123 },
);

async function seededDirectory(path: string, accounts: readonly Account[]) {
  const d = createSqliteDirectory({ path });
  d.seed(accounts);
  return d;
}

/** The directory an uninterrupted run leaves, as the reference. */
async function uninterrupted(accounts: readonly Account[], plan: SyncPlan): Promise<Account[]> {
  const directory = await seededDirectory(":memory:", accounts);
  const store = (await createSqliteStore({ path: ":memory:" }))._unsafeUnwrap();
  const sync = createSync({
    tenantId: TENANT,
    source: createMemoryRosterSource({ people: [], schools: [], gradeLevels: [] }),
    directory,
    store,
  });
  // Drive the engine through a plain resume of a run written as if a process died before its first step.
  (
    await store.createRun(TENANT, {
      runId: "reference",
      planHash: plan.planHash,
      profileHash: plan.profileHash,
      status: "running",
      startedAt: new Date().toISOString(),
      totalActions: plan.actions.length,
      plan: JSON.parse(
        JSON.stringify({
          tenantId: TENANT,
          plan,
          reviewedIds: [],
          selections: {},
          errorFingerprints: [],
          acknowledged: false,
        }),
      ),
    })
  )._unsafeUnwrap();
  (await sync.resume("reference"))._unsafeUnwrap();
  const accountsAfter = (await directory.listAccounts())._unsafeUnwrap();
  directory.close();
  await store.close();
  return [...accountsAfter];
}

async function runSchedule(index: number, s: Schedule, accounts: readonly Account[], plan: SyncPlan, planPath: string) {
  const dir = mkdtempSync(join(work, `s${index}-`));
  const storePath = join(dir, "store.db");
  const directoryPath = join(dir, "accounts.db");
  (await seededDirectory(directoryPath, accounts)).close();
  const base = { storePath, directoryPath, planPath, tenantId: TENANT, batchSize: s.batchSize };
  await runChild(
    {
      ...base,
      killAtAppend: s.killAtAppend,
      killAfterAppend: s.killAfterAppend,
      throwAtWrite: s.throwAtWrite,
      throwAfterWrite: s.throwAfterWrite,
      clockOffsetMs: 0,
    },
    dir,
    "apply",
  );
  const store = (await createSqliteStore({ path: storePath }))._unsafeUnwrap();
  const [run] = (await store.listRuns(TENANT))._unsafeUnwrap();
  expect(run, `schedule ${index}: the run was stored before any write`).toBeDefined();
  const runId = run!.runId;
  if (s.resumeKillAtAppend > 0) {
    // The resuming process may die too.
    await runChild(
      {
        ...base,
        resumeRunId: runId,
        killAtAppend: s.resumeKillAtAppend,
        killAfterAppend: s.resumeKillAfterAppend,
        throwAtWrite: 0,
        throwAfterWrite: false,
        clockOffsetMs: 2 * HOUR,
      },
      dir,
      "resume",
    );
  }
  const directory = createSqliteDirectory({ path: directoryPath });
  const sync = createSync({
    tenantId: TENANT,
    source: createMemoryRosterSource({ people: [], schools: [], gradeLevels: [] }),
    directory,
    store,
    clock: { now: () => Date.now() + 4 * HOUR },
  });
  const finished = (await sync.resume(runId))._unsafeUnwrap();
  const journal = (await store.readJournal(TENANT, runId))._unsafeUnwrap();
  const final = (await directory.listAccounts())._unsafeUnwrap();
  directory.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { finished, journal, final };
}

describe("crash anywhere, resume, same state (DESIGN §4, §10)", () => {
  it(`ends every one of ${schedules.length} kill/throw schedules in the uninterrupted state, exactly once`, async () => {
    const { accounts, plan } = crashScenario();
    const planPath = join(work, "plan.json");
    writeFileSync(planPath, JSON.stringify(plan));
    const expected = comparable(await uninterrupted(accounts, plan));
    expect(expected.length).toBe(accounts.length + 30);

    let next = 0;
    let killed = 0;
    const failures: string[] = [];
    const worker = async () => {
      while (next < schedules.length) {
        const index = next++;
        const s = schedules[index]!;
        const { finished, journal, final } = await runSchedule(index, s, accounts, plan, planPath);
        if (journal.length < plan.actions.length * 2 || s.killAtAppend > 0) killed++;
        const label = `schedule ${index} ${JSON.stringify(s)}`;
        // Zero lost actions: every action has exactly one outcome, and it is `done`.
        const outcomes = new Map<string, number>();
        for (const e of journal)
          if (e.phase === "outcome") outcomes.set(e.actionId, (outcomes.get(e.actionId) ?? 0) + 1);
        const lost = plan.actions.filter((a) => outcomes.get(a.actionId) !== 1).map((a) => a.actionId);
        if (lost.length > 0) failures.push(`${label}: actions without exactly one outcome: ${lost.join(", ")}`);
        if (finished.done !== plan.actions.length || finished.failed !== 0)
          failures.push(`${label}: ${finished.done} done`);
        const dupes = duplicates(final);
        if (dupes.length > 0) failures.push(`${label}: duplicates ${dupes.join(", ")}`);
        try {
          expect(comparable(final)).toEqual(expected);
        } catch {
          failures.push(`${label}: final directory differs from the uninterrupted run`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, availableParallelism()) }, worker));
    expect(failures).toEqual([]);
    expect(killed).toBeGreaterThan(100);
  }, 240_000);
});
