// A night of a vendor's schools on 4 worker processes under one FACTS key (docs/fleet.md). Not a test: it
// prints a table and writes bench/results.json. Needs the built packages (`pnpm build`) and PostgreSQL 15
// binaries (it starts a private server). Knobs: RS_BENCH_SCHOOLS (default 1000), RS_BENCH_LIMIT (requests
// per long window, default 100) and RS_BENCH_WINDOW_MS (the long window, default 6000: FACTS's minute ÷ 10;
// the short window is a sixtieth of it with a tenth of the requests, FACTS's shape).
import { fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { createMemoryDirectory, createMemoryRosterSource } from "@rostersync/core";
import { createFactsSimulator, generateSchool } from "@rostersync/facts/testing";
import { createPostgresStore } from "@rostersync/storage-postgres";
import { createSync } from "@rostersync/sync";
import { startPostgres } from "../../testing/src/postgres-server.ts";
import { createPostgresFleet } from "../dist/index.js";
import { startGateway } from "../test/helpers/gateway.ts";
import { studentProfile } from "../test/helpers/world.ts";

const SCHOOLS = Number(process.env.RS_BENCH_SCHOOLS ?? 1000);
const LIMIT = Number(process.env.RS_BENCH_LIMIT ?? 100);
const WINDOW_MS = Number(process.env.RS_BENCH_WINDOW_MS ?? 6000);
const WORKERS = 4;
const windows = [
  { requests: LIMIT, windowMs: WINDOW_MS },
  { requests: Math.max(1, Math.round(LIMIT / 10)), windowMs: Math.round(WINDOW_MS / 60) },
];

/** Private K-12 sizes: median ~150 students, one in 25 ~2,000, the first ~5,000. */
const studentsOf = (i: number) => (i === 0 ? 5000 : i % 25 === 0 ? 2000 : 60 + ((i * 7919) % 181));
const id = (i: number) => `bench-${String(i).padStart(4, "0")}`;
const out = (line = "") => process.stdout.write(`${line}\n`);

const server = await startPostgres();
const gateway = startGateway(windows);
const load = { before: loadavg(), cpus: cpus().length };
try {
  out(
    `${SCHOOLS} schools, ${WORKERS} workers, budget ${LIMIT}/${WINDOW_MS} ms + ${windows[1]?.requests}/${windows[1]?.windowMs} ms`,
  );
  out(`load average before: ${load.before.map((l) => l.toFixed(2)).join(" ")} on ${load.cpus} CPUs (a shared machine)`);
  let students = 0;
  for (let i = 0; i < SCHOOLS; i++) {
    const s = studentsOf(i);
    students += s;
    // A clean school (no data errors, no shared emails): the unattended night applies it without a person.
    const school = generateSchool({
      seed: 40_000 + i,
      people: Math.round(s * 2.4),
      schools: ["MAIN"],
      sharedEmailRate: 0,
      missingEmailRate: 0,
      invalidEmailRate: 0,
      grandparentRate: 0,
      blendedRate: 0,
      notEnrolledRate: 0,
    });
    gateway.routes.set(
      `api-${id(i)}`,
      createFactsSimulator({
        school,
        keys: { subscriptionKey: "bench-subscription", apiKey: `api-${id(i)}` },
        rateLimit: false,
      }),
    );
  }
  const url = await gateway.listen();
  const store = (
    await createPostgresStore({ connectionString: server.url, schema: "fleet_bench_store" })
  )._unsafeUnwrap();
  const profile = studentProfile();
  const control = (
    await createPostgresFleet({
      connectionString: server.url,
      schema: "fleet_bench",
      windows,
      open: () => {
        throw new Error("the control process works no jobs");
      },
    })
  )._unsafeUnwrap();
  for (let i = 0; i < SCHOOLS; i++) {
    const sync = createSync({
      tenantId: id(i),
      source: createMemoryRosterSource({ snapshot: { people: [], schools: [], gradeLevels: [] } }),
      directory: createMemoryDirectory(),
      store,
    });
    (await sync.setup(profile))._unsafeUnwrap();
    // A school's first sync is attended (an unattended run never applies one): the admin's, here of an
    // empty roster, so that the night's unattended run applies the whole school.
    (await sync.refresh())._unsafeUnwrap();
    const first = (await sync.plan())._unsafeUnwrap();
    (await sync.apply(first.planHash, { acknowledge: first.planHash }))._unsafeUnwrap();
    (await control.addSchool({ tenantId: id(i), timeZone: "America/New_York" }))._unsafeUnwrap();
  }
  out(`${students} students in all; schools set up`);

  const finished = new Map<string, { at: number; did: string; jobMs: number; waitMs: number; factsMs: number }>();
  const startedAt = new Map<string, number>();
  const workers = Array.from({ length: WORKERS }, (_, w) =>
    fork(
      join(import.meta.dirname, "worker.ts"),
      [JSON.stringify({ url: server.url, gateway: url, windows, name: `w${w}` })],
      {
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      },
    ),
  );
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) =>
          w.on(
            "message",
            (m: {
              ready?: boolean;
              school?: string;
              kind?: string;
              did?: string;
              at?: number;
              opened?: boolean;
              jobMs?: number;
              waitMs?: number;
              factsMs?: number;
            }) => {
              if (m.ready) resolve();
              else if (m.opened) return;
              // The night's sync only (the hours crons tick too, and skip: write-back is off).
              else if (m.school !== undefined && m.kind === "sync" && !finished.has(m.school)) {
                startedAt.set(m.school, (m.at as number) - (m.jobMs ?? 0));
                finished.set(m.school, {
                  at: m.at as number,
                  did: m.did as string,
                  jobMs: m.jobMs ?? 0,
                  waitMs: m.waitMs ?? 0,
                  factsMs: m.factsMs ?? 0,
                });
              }
            },
          ),
        ),
    ),
  );
  gateway.state.limiting = true;
  const started = Date.now();
  // The night's jobs, as the crons would queue them: the largest school first, then the rest 25 at a time
  // (one by one, queueing a thousand schools would take longer than the first ones take to run).
  (await control.runNow(id(0), "sync"))._unsafeUnwrap();
  for (let i = 1; i < SCHOOLS; i += 25) {
    const chunk = Array.from({ length: Math.min(25, SCHOOLS - i) }, (_, k) => control.runNow(id(i + k), "sync"));
    for (const r of await Promise.all(chunk)) r._unsafeUnwrap();
  }
  let last = 0;
  while (finished.size < SCHOOLS) {
    await new Promise((r) => setTimeout(r, 500));
    if (Date.now() - last > 15_000) {
      last = Date.now();
      out(
        `  ${((Date.now() - started) / 1000).toFixed(0)} s: ${finished.size}/${SCHOOLS} schools, ${gateway.state.requests} requests`,
      );
    }
  }
  const wallMs = Date.now() - started;
  const load_after = loadavg();
  for (const w of workers) w.send({ stop: true });
  await Promise.all(workers.map((w) => new Promise((r) => w.once("exit", r))));
  await control.close();
  await store.close();

  const requests = gateway.state.requests;
  // Where the time above the bound went: requests per long window over the night (a full window sends
  // LIMIT), the jobs open at each window's start, and the tail after the last school started.
  const buckets = Math.ceil(wallMs / WINDOW_MS);
  const perWindow = Array.from({ length: buckets }, () => 0);
  for (const t of gateway.arrivals) {
    const b = Math.floor((t - started) / WINDOW_MS);
    if (b >= 0 && b < buckets) perWindow[b] = (perWindow[b] ?? 0) + 1;
  }
  const openAt = (t: number) =>
    [...startedAt.entries()].filter(
      ([school, at]) => at <= t && (finished.get(school)?.at ?? Number.POSITIVE_INFINITY) > t,
    ).length;
  const lastStart = Math.max(...startedAt.values());
  const timeline = perWindow.map((n, i) => ({
    fromS: (i * WINDOW_MS) / 1000,
    requests: n,
    openJobs: openAt(started + i * WINDOW_MS),
  }));
  const firstRequest = Math.min(...gateway.arrivals);
  // Job time (summed over the night's sync jobs): waiting for the budget, with FACTS, and the rest (store
  // reads, planning, the apply's writes and journal).
  const sum = (f: (x: { jobMs: number; waitMs: number; factsMs: number }) => number) =>
    [...finished.values()].reduce((n, x) => n + f(x), 0);
  const jobTime = { jobMs: sum((x) => x.jobMs), budgetWaitMs: sum((x) => x.waitMs), factsMs: sum((x) => x.factsMs) };
  const boundMs = (requests / LIMIT) * WINDOW_MS;
  const waits = [...finished.entries()].map(([school, f]) => ({ school, ms: f.at - started }));
  const sorted = waits.map((w) => w.ms).sort((a, b) => a - b);
  const smallWaits = waits.filter((w) => studentsOf(Number(w.school.slice(6))) < 1000).map((w) => w.ms);
  const result = {
    schools: SCHOOLS,
    students,
    workers: WORKERS,
    windows,
    wallMs,
    requests,
    refused429: gateway.state.refused,
    maxPerWindow: gateway.limiter.maxPerWindow(),
    boundMs: Math.round(boundMs),
    wallOverBound: Number((wallMs / boundMs).toFixed(3)),
    minimalRequests: gateway.state.minimal,
    requestsOverMinimal: Number((requests / gateway.state.minimal).toFixed(3)),
    applied: [...finished.values()].filter((f) => f.did === "applied").length,
    outcomes: Object.fromEntries(
      [...new Set([...finished.values()].map((f) => f.did))].map((d) => [
        d,
        [...finished.values()].filter((f) => f.did === d).length,
      ]),
    ),
    medianFinishMs: sorted[Math.floor(sorted.length / 2)],
    slowestFinishMs: sorted.at(-1),
    biggestSchoolFinishMs: waits.find((w) => w.school === id(0))?.ms,
    slowestSmallSchoolFinishMs: Math.max(...smallWaits),
    concurrency: Number(process.env.RS_BENCH_CONCURRENCY ?? 8),
    jobTime,
    firstRequestAfterMs: firstRequest - started,
    lastSchoolStartedAfterMs: lastStart - started,
    tailAfterLastStartMs: wallMs - (lastStart - started),
    requestsAfterLastStart: gateway.arrivals.filter((t) => t >= lastStart).length,
    timeline,
    load: { before: load.before, after: load_after, cpus: load.cpus },
    at: new Date().toISOString(),
  };
  out();
  out("| measure | value |");
  out("| --- | --- |");
  out(`| schools / students | ${SCHOOLS} / ${students} |`);
  out(`| wall time | ${(wallMs / 1000).toFixed(1)} s |`);
  out(`| bound Σ requests ÷ rate | ${(boundMs / 1000).toFixed(1)} s |`);
  out(`| wall ÷ bound | ${result.wallOverBound}× |`);
  out(`| FACTS requests (429s) | ${requests} (${result.refused429}) |`);
  out(`| minimal Σ⌈rows ÷ page⌉ of the reads made | ${result.minimalRequests} |`);
  out(`| requests ÷ minimal | ${result.requestsOverMinimal}× |`);
  out(`| busiest windows | ${result.maxPerWindow.join(" / ")} of ${windows.map((w) => w.requests).join(" / ")} |`);
  out(`| sync outcomes | ${JSON.stringify(result.outcomes)} |`);
  out(
    `| median / slowest school finished after | ${(result.medianFinishMs ?? 0) / 1000} s / ${(result.slowestFinishMs ?? 0) / 1000} s |`,
  );
  out(
    `| 5,000-student school / slowest small school finished after | ${(result.biggestSchoolFinishMs ?? 0) / 1000} s / ${result.slowestSmallSchoolFinishMs / 1000} s |`,
  );
  out(
    `| first request / last school started / tail after it | ${result.firstRequestAfterMs / 1000} s / ${result.lastSchoolStartedAfterMs / 1000} s / ${result.tailAfterLastStartMs / 1000} s (${result.requestsAfterLastStart} requests) |`,
  );
  out(
    `requests per ${WINDOW_MS} ms window (open jobs): ${timeline.map((t) => `${t.requests}(${t.openJobs})`).join(" ")}`,
  );
  out(
    `| load average before → after (${load.cpus} CPUs) | ${load.before[0]?.toFixed(2)} → ${load_after[0]?.toFixed(2)} |`,
  );
  writeFileSync(join(import.meta.dirname, "results.json"), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await gateway.close();
  server.stop();
}
