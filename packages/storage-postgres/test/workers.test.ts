import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createPostgresStore } from "@rostersync/storage-postgres";
import { describe, expect, inject, it } from "vitest";

const url = inject("pgUrl");
const WORKERS = 4;
const SCHOOLS = 50;
const LINES = 40;
const workerFile = fileURLToPath(new URL("./fixtures/lease-worker.ts", import.meta.url));
const hooks = fileURLToPath(new URL("../../storage-testing/support/register-sources.mjs", import.meta.url));

interface Report {
  readonly worker: string;
  readonly intervals: readonly { school: string; start: number; end: number }[];
  readonly appended: Readonly<Record<string, number>>;
  readonly locked: number;
}

const runWorker = (worker: string, schema: string) =>
  new Promise<Report>((resolve, reject) => {
    const child = fork(workerFile, [url ?? "", schema, worker, String(SCHOOLS), String(LINES)], {
      execArgv: ["--import", hooks],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let report: Report | undefined;
    child.on("message", (message) => {
      report = message as Report;
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 && report ? resolve(report) : reject(new Error(`${worker} exited with ${code} and no report`)),
    );
  });

describe.skipIf(!url)(`postgres leases across processes (${url ? "real server" : inject("pgSkipReason")})`, () => {
  it(`${WORKERS} worker processes share ${SCHOOLS} schools: complete journals, no overlap, no row lost`, async () => {
    const schema = `workers_${process.pid}`;
    const store = (await createPostgresStore({ connectionString: url ?? "", schema }))._unsafeUnwrap();
    try {
      for (let s = 0; s < SCHOOLS; s++) {
        const run = {
          runId: "nightly",
          planHash: `plan-${s}`,
          profileHash: "profile",
          status: "running" as const,
          startedAt: new Date().toISOString(),
          totalActions: LINES / 2,
          plan: { school: s },
        };
        (await store.createRun(`school-${s}`, run))._unsafeUnwrap();
      }

      const reports = await Promise.all(Array.from({ length: WORKERS }, (_, w) => runWorker(`worker-${w}`, schema)));

      // Every school's journal is complete: seq 1..LINES, each line written by the worker that says so.
      let total = 0;
      for (let s = 0; s < SCHOOLS; s++) {
        const school = `school-${s}`;
        const journal = (await store.readJournal(school, "nightly"))._unsafeUnwrap();
        expect(journal.map((e) => e.seq)).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
        total += journal.length;
        for (const report of reports) {
          const written = journal.filter((e) => (e.result as { worker: string }).worker === report.worker).length;
          expect(written, `${report.worker} on ${school}`).toBe(report.appended[school] ?? 0);
        }
        const run = (await store.getRun(school, "nightly"))._unsafeUnwrap();
        expect(run?.status).toBe("completed");
        expect(run?.summary).toMatchObject({ lines: LINES });
      }
      // No row lost or invented: what the workers say they appended is exactly what is stored.
      const appended = reports.flatMap((r) => Object.values(r.appended)).reduce((a, b) => a + b, 0);
      expect(appended).toBe(SCHOOLS * LINES);
      expect(total).toBe(SCHOOLS * LINES);

      // No school was held by two workers at once.
      for (let s = 0; s < SCHOOLS; s++) {
        const held = reports
          .flatMap((r) =>
            r.intervals.filter((i) => i.school === `school-${s}`).map((i) => ({ ...i, worker: r.worker })),
          )
          .sort((a, b) => a.start - b.start || a.end - b.end);
        for (let i = 1; i < held.length; i++) {
          const [before, after] = [held[i - 1]!, held[i]!];
          expect(after.start, `school-${s}: ${before.worker} then ${after.worker}`).toBeGreaterThanOrEqual(before.end);
        }
      }
      // The workers really competed: each one held leases, and schools changed hands.
      for (const report of reports) expect(report.intervals.length).toBeGreaterThan(0);
      const sharedSchools = Array.from({ length: SCHOOLS }, (_, s) => `school-${s}`).filter(
        (school) => reports.filter((r) => (r.appended[school] ?? 0) > 0).length > 1,
      );
      expect(sharedSchools.length).toBeGreaterThan(SCHOOLS / 2);
      expect((await store.getInstance().query(`SELECT count(*)::int AS n FROM "${schema}".locks`)).rows[0]?.n).toBe(0);
    } finally {
      await store.close();
    }
  }, 120_000);
});
