// Forks lease-test workers as plain `node` processes that run the workspace's TypeScript sources, and
// collects the report each one sends over IPC before it exits.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LeaseReport } from "../src/leases.ts";

const hooks = fileURLToPath(new URL("./register-sources.mjs", import.meta.url));

/** Runs `count` copies of `file` with `args(i)`; resolves with their reports, rejects if one fails. */
export function forkWorkers(file: string, count: number, args: (index: number) => string[]): Promise<LeaseReport[]> {
  return Promise.all(
    Array.from(
      { length: count },
      (_, index) =>
        new Promise<LeaseReport>((resolve, reject) => {
          const child = fork(file, args(index), {
            execArgv: ["--import", hooks],
            stdio: ["ignore", "inherit", "inherit", "ipc"],
          });
          let report: LeaseReport | undefined;
          child.on("message", (message) => {
            report = message as LeaseReport;
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
