import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { JournalEntry, RunRecord } from "@rostersync/core";
import { createSqliteStore, LATEST_VERSION, MIGRATIONS } from "@rostersync/storage-sqlite";
import { afterAll, describe, expect, it } from "vitest";

const KILLS = 40;
const writer = fileURLToPath(new URL("./fixtures/crash-writer.ts", import.meta.url));
const hooks = fileURLToPath(new URL("../../testing/support/register-sources.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "rs-sqlite-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the writer and SIGKILLs it: `afterMs` after it was spawned (`blind`, to hit the create and
 * migrate window), or `afterMs` after it says its store is open (to hit writes whatever the machine's
 * load). Resolves once it is dead, saying whether it had opened.
 */
async function killMidWrite(path: string, seed: number, afterMs: number, blind: boolean): Promise<boolean> {
  const child: ChildProcess = fork(writer, [path, String(seed)], {
    execArgv: ["--import", hooks],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const opened = new Promise<boolean>((resolve) => {
    child.once("message", () => resolve(true));
    child.once("exit", () => resolve(false));
  });
  if (blind) {
    await sleep(afterMs);
  } else {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), 30_000);
    });
    const isOpen = await Promise.race([opened, gaveUp]);
    clearTimeout(timer);
    if (isOpen) await sleep(afterMs);
  }
  child.kill("SIGKILL");
  await exited;
  if (child.signalCode !== "SIGKILL") throw new Error(`the writer stopped by itself (${child.exitCode}): ${stderr}`);
  return opened;
}

/**
 * Checks the invariants a crash must never break, on the `newest` runs of each school (the ones a kill
 * can have interrupted) or on every run; returns how many runs it saw and how many were complete.
 */
async function check(path: string, newest?: number): Promise<{ runs: number; completed: number }> {
  const store = (await createSqliteStore({ path }))._unsafeUnwrap();
  try {
    const db = store.getInstance();
    expect(store.schemaVersion).toBe(LATEST_VERSION);
    expect(db.prepare("PRAGMA integrity_check").get()?.integrity_check).toBe("ok");
    const versions = db.prepare("SELECT version FROM schema_migrations ORDER BY version").all();
    expect(versions.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
    let runs = 0;
    let completed = 0;
    for (const tenantId of ["school-0", "school-1", "school-2"]) {
      for (const run of (await store.listRuns(tenantId, { limit: newest }))._unsafeUnwrap()) {
        runs++;
        const journal = (await store.readJournal(tenantId, run.runId))._unsafeUnwrap();
        expectWholeBatches(run, journal);
        if (run.status === "completed") {
          completed++;
          expect(journal).toHaveLength(run.totalActions * 2);
          expect((run.summary as { lines: number }).lines).toBe(journal.length);
        } else {
          expect(run.status).toBe("running");
          expect(journal.length).toBeLessThanOrEqual(run.totalActions * 2);
        }
      }
    }
    return { runs, completed };
  } finally {
    await store.close();
  }
}

/** Every journal is 1..n without gaps, and holds every line of each batch or none of it. */
function expectWholeBatches(run: RunRecord, journal: readonly JournalEntry[]): void {
  expect(journal.map((e) => e.seq)).toEqual(journal.map((_, i) => i + 1));
  const counts = new Map<number, { seen: number; size: number }>();
  for (const entry of journal) {
    const { batch, size } = entry.result as { batch: number; size: number };
    const count = counts.get(batch) ?? { seen: 0, size };
    count.seen++;
    counts.set(batch, count);
  }
  for (const [batch, { seen, size }] of counts) {
    expect(seen, `run ${run.runId} batch ${batch}`).toBe(size);
  }
}

describe("SQLite store under SIGKILL", () => {
  it(`opens intact after being killed mid-write ${KILLS} times, with no complete run missing journal lines`, async () => {
    const path = join(dir, "crash.sqlite");
    let opened = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      // The first kills land blind, early: while the first process may still be creating and migrating the
      // file. The others land at a random moment of the writing loop.
      const blind = kill < 4;
      const afterMs = blind ? 40 + kill * 60 : Math.floor(Math.random() * 250);
      if (await killMidWrite(path, kill + 1, afterMs, blind)) opened++;
      await check(path, 5);
    }
    const last = await check(path);
    expect(opened).toBeGreaterThanOrEqual(KILLS - 4);
    expect(last.completed).toBeGreaterThan(0);
    expect(last.runs).toBeGreaterThan(last.completed);
  }, 300_000);
});
