// Forks lease-test workers as plain `node` processes that run the workspace's TypeScript sources, starts
// them together (each says "ready" once its store is open; all get "go" when every one is ready, so a
// slow-booting worker does not find the work done), and collects the report each sends before it exits.
// `workForParent` is the other end of that exchange, run by each worker.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { SyncStore } from "@rostersync/core";
import { type LeaseReport, type LeaseWorkload, runLeaseWorker } from "../src/store/leases.ts";

const hooks = fileURLToPath(new URL("./register-sources.mjs", import.meta.url));

/** Runs `count` copies of `file` with `args(i)`; resolves with their reports, rejects if one fails. */
export function forkWorkers(file: string, count: number, args: (index: number) => string[]): Promise<LeaseReport[]> {
  const children: ChildProcess[] = [];
  let ready = 0;
  const start = () => {
    ready++;
    if (ready === count) for (const child of children) child.send("go");
  };
  return Promise.all(
    Array.from(
      { length: count },
      (_, index) =>
        new Promise<LeaseReport>((resolve, reject) => {
          const child = fork(file, args(index), {
            execArgv: ["--import", hooks],
            stdio: ["ignore", "inherit", "inherit", "ipc"],
          });
          children.push(child);
          let report: LeaseReport | undefined;
          child.on("message", (message) => {
            if (message === "ready") start();
            else report = message as LeaseReport;
          });
          child.once("error", reject);
          child.once("exit", (code) =>
            code === 0 && report
              ? resolve(report)
              : reject(new Error(`worker ${index} exited with ${code} and no report`)),
          );
        }),
    ),
  );
}

/**
 * A forked worker's side (call it once its store is open): says "ready", waits for the parent's "go", runs
 * the lease workload as `worker`, closes the store and sends its report to the parent.
 */
export async function workForParent(store: SyncStore, worker: string, workload: LeaseWorkload): Promise<void> {
  await new Promise((resolve) => {
    process.once("message", resolve);
    process.send?.("ready");
  });
  const report = await runLeaseWorker(store, worker, workload);
  await store.close();
  process.send?.(report, () => process.disconnect());
}
