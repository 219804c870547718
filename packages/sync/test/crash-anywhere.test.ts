import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createMemoryRosterSource, simulateApply } from "@rostersync/core";
import { createSqliteDirectory, createSqliteStore } from "@rostersync/storage-sqlite";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSync } from "../src/index.js";
import { bundleChild } from "./crash/bundle.js";
import type { ChildConfig } from "./crash/child.js";
import { type CrashScenario, copyScenario, crashScenario } from "./crash/scenario.js";
import { comparable, duplicates } from "./helpers/engine.js";

const HOUR = 3_600_000;
let work: string;
let child: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "rs-crash-"));
  child = await bundleChild(fileURLToPath(new URL("./crash/child.ts", import.meta.url)), join(work, "child.mjs"));
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the child to its end or its death; resolves with its exit signal (null when it exited) and output. */
function runChild(
  config: ChildConfig,
  dir: string,
  name: string,
): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  const configPath = join(dir, `${name}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, configPath], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    p.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    p.on("error", reject);
    p.on("exit", (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve({ signal, stdout });
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
    killAtAppend: fc.integer({ min: 1, max: 10 }),
    killAfterAppend: fc.boolean(),
    throwAtWrite: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 })),
    throwAfterWrite: fc.boolean(),
    resumeKillAtAppend: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 8 })),
    resumeKillAfterAppend: fc.boolean(),
  }),
  { numRuns: 220, seed: 20261123 },
);

async function runSchedule(index: number, s: Schedule, scenario: CrashScenario) {
  const dir = mkdtempSync(join(work, `s${index}-`));
  const { storePath, directoryPath } = copyScenario(scenario, dir);
  const base = {
    storePath,
    directoryPath,
    planPath: scenario.planPath,
    rosterPath: scenario.rosterPath,
    tenantId: scenario.tenantId,
    batchSize: s.batchSize,
  };
  const first = await runChild(
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
  const [run] = (await store.listRuns(scenario.tenantId))._unsafeUnwrap();
  expect(run, `schedule ${index}: the run was stored before any write`).toBeDefined();
  const runId = run!.runId;
  let resumeKilled = false;
  if (s.resumeKillAtAppend > 0) {
    // The resuming process may die too.
    const second = await runChild(
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
    resumeKilled = second.signal === "SIGKILL";
  }
  const directory = (await createSqliteDirectory({ path: directoryPath }))._unsafeUnwrap();
  const sync = createSync({
    tenantId: scenario.tenantId,
    source: createMemoryRosterSource({ snapshot: { people: [], schools: [], gradeLevels: [] } }),
    directory,
    store,
    clock: { now: () => Date.now() + 4 * HOUR },
  });
  const finished = (await sync.resume(runId))._unsafeUnwrap();
  const journal = (await store.readJournal(scenario.tenantId, runId))._unsafeUnwrap();
  const final = (await directory.listAccounts())._unsafeUnwrap();
  directory.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    finished,
    journal,
    final,
    killed: first.signal === "SIGKILL",
    thrown: first.stdout.includes("DirectoryFailed"),
    resumeKilled,
  };
}

describe("crash anywhere, resume, same state (docs/applying.md)", () => {
  it(`ends every one of ${schedules.length} kill/throw schedules in the uninterrupted state, exactly once`, async () => {
    const scenarios = [
      await crashScenario(work, "first-students", { seed: 5, people: 50, role: "student", nextYear: false }),
      await crashScenario(work, "next-year-students", { seed: 8, people: 60, role: "student", nextYear: true }),
      await crashScenario(work, "first-parents", { seed: 13, people: 80, role: "parent", nextYear: false }),
    ];
    const expected = new Map(scenarios.map((c) => [c.name, comparable(simulateApply(c.accounts, c.plan))]));
    for (const c of scenarios) expect(c.plan.actions.length).toBeGreaterThan(20);

    let next = 0;
    let killed = 0;
    let thrown = 0;
    let resumeKilled = 0;
    const failures: string[] = [];
    const worker = async () => {
      while (next < schedules.length) {
        const index = next++;
        const s = schedules[index]!;
        const scenario = scenarios[index % scenarios.length]!;
        const plan = scenario.plan;
        const { finished, journal, final, ...how } = await runSchedule(index, s, scenario);
        if (how.killed) killed++;
        if (how.thrown) thrown++;
        if (how.resumeKilled) resumeKilled++;
        const label = `schedule ${index} (${scenario.name}) ${JSON.stringify(s)}`;
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
          expect(comparable(final)).toEqual(expected.get(scenario.name));
        } catch {
          failures.push(`${label}: final directory differs from the uninterrupted run`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, availableParallelism()) }, worker));
    expect(failures).toEqual([]);
    console.log(
      `crash-anywhere: ${schedules.length} schedules, ${killed} killed, ${thrown} thrown, ${resumeKilled} resumes killed`,
    );
    // The schedules really did interrupt: most first processes were killed or had the directory throw.
    expect(killed).toBeGreaterThan(100);
    expect(thrown).toBeGreaterThan(20);
    expect(resumeKilled).toBeGreaterThan(20);
  }, 300_000);

  it("lets one of two worker processes applying the same school at once through; the other gets Locked", async () => {
    const scenario = await crashScenario(work, "two-workers", {
      seed: 31,
      people: 900,
      role: "student",
      nextYear: false,
    });
    const dir = mkdtempSync(join(work, "two-"));
    const { storePath, directoryPath } = copyScenario(scenario, dir);
    const startAt = Date.now() + 1500;
    const config = (): ChildConfig => ({
      storePath,
      directoryPath,
      planPath: scenario.planPath,
      rosterPath: scenario.rosterPath,
      tenantId: scenario.tenantId,
      batchSize: 16,
      killAtAppend: 0,
      killAfterAppend: false,
      throwAtWrite: 0,
      throwAfterWrite: false,
      clockOffsetMs: 0,
      startAt,
    });
    const [a, b] = await Promise.all([runChild(config(), dir, "a"), runChild(config(), dir, "b")]);
    const outcomes = [a.stdout, b.stdout].map((o) => JSON.parse(o) as { ok?: string; err?: string });
    expect(outcomes.map((o) => o.ok ?? o.err).sort()).toEqual(["Locked", "completed"]);
    const directory = (await createSqliteDirectory({ path: directoryPath }))._unsafeUnwrap();
    const final = (await directory.listAccounts())._unsafeUnwrap();
    directory.close();
    expect(comparable(final)).toEqual(comparable(simulateApply(scenario.accounts, scenario.plan)));
    expect(duplicates(final)).toEqual([]);
  }, 300_000);
});
