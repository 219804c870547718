// A vendor with a handful of schools, on one machine, no server: the embedded fleet (SQLite) runs each
// school's nightly unattended sync under one shared FACTS budget, holds what needs a person, and says so in
// status() and a digest. Every school's FACTS is the simulator from @rostersync/facts/testing on a loopback
// port. `pnpm start` (after `pnpm build`); `--dir <folder>` keeps the files.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { SyncProfile } from "@rostersync/core";
import { createFactsClient, createFactsSource } from "@rostersync/facts";
import {
  createFactsSimulator,
  FACTS_GRADE_CODES,
  type FactsServer,
  generateSchool,
  startFactsServer,
} from "@rostersync/facts/testing";
import { createEmbeddedFleet, type JobOutcome, type OpenSchool } from "@rostersync/fleet";
import { createSqliteDirectory, createSqliteStore } from "@rostersync/storage-sqlite";
import { createSync } from "@rostersync/sync";

const { values } = parseArgs({ options: { dir: { type: "string" } } });
const dir = values.dir ?? mkdtempSync(join(tmpdir(), "rs-fleet-example-"));
const out = (line = "") => process.stdout.write(`${line}\n`);
const KEYS = { subscriptionKey: "vendor-subscription-key", apiKey: "school-api-key" };
const PROFILE: SyncProfile = {
  role: "student",
  schools: ["MAIN"],
  gradeLevels: [...FACTS_GRADE_CODES],
  fieldMap: [],
  defaultSelection: true,
  hoursSync: { enabled: false, historicImportDone: false },
};
const SCHOOLS = [
  { tenantId: "st-anne", timeZone: "America/Chicago", seed: 11, people: 120 },
  { tenantId: "st-brendan", timeZone: "Europe/Dublin", seed: 12, people: 90 },
  { tenantId: "st-clare", timeZone: "Australia/Sydney", seed: 13, people: 150 },
  { tenantId: "st-dominic", timeZone: "America/New_York", seed: 14, people: 80 },
];

const servers = new Map<string, FactsServer>();
const store = (await createSqliteStore({ path: join(dir, "store.db") }))._unsafeUnwrap();
const sourceOf = (tenantId: string, budget?: ReturnType<Parameters<OpenSchool>[1]["budget"]>) =>
  createFactsSource({
    client: createFactsClient({
      ...KEYS,
      baseUrl: servers.get(tenantId)?.url,
      ...(budget === undefined ? {} : { budget }),
    }),
  });
const serve = async (tenantId: string, seed: number, people: number) => {
  await servers.get(tenantId)?.close();
  const sim = createFactsSimulator({ school: generateSchool({ seed, people, schools: ["MAIN"] }), keys: KEYS });
  servers.set(tenantId, await startFactsServer(sim));
};

try {
  out("1. Each school's admin does the first sync by hand (setup, review, decisions, apply)");
  for (const s of SCHOOLS) {
    await serve(s.tenantId, s.seed, s.people);
    const directory = (await createSqliteDirectory({ path: join(dir, `${s.tenantId}.db`) }))._unsafeUnwrap();
    const sync = createSync({ tenantId: s.tenantId, source: sourceOf(s.tenantId), directory, store });
    (await sync.setup(PROFILE))._unsafeUnwrap();
    const review = (await sync.refresh())._unsafeUnwrap();
    (
      await sync.decide((d) => {
        let draft = d;
        for (const g of review.duplicateGroups) draft = draft.resolveDuplicate(g.email, [...g.members].sort()[0] ?? "");
        return draft.recordDefaults().markReviewed();
      })
    )._unsafeUnwrap();
    const run = (await sync.apply((await sync.plan())._unsafeUnwrap()))._unsafeUnwrap();
    out(`   ${s.tenantId}: ${run.counts.add} accounts added`);
    await directory.close();
  }
  // Overnight St Clare's FACTS lists a different school: archiving everyone is held for a person (R10).
  await serve("st-clare", 99, 40);
  // A few new people at St Anne, St Brendan and St Dominic.
  await serve("st-anne", 11, 130);
  await serve("st-dominic", 14, 86);
  await serve("st-brendan", 12, 100);

  out("\n2. The embedded fleet runs the night (one process, one SQLite file, one FACTS budget)");
  const open: OpenSchool = async (school, ctx) => {
    const opened = await createSqliteDirectory({ path: join(dir, `${school.tenantId}.db`) });
    if (opened.isErr()) throw new Error(`${school.tenantId}: ${opened.error.message}`);
    const directory = opened.value;
    const sync = createSync({
      tenantId: school.tenantId,
      source: sourceOf(school.tenantId, ctx.budget(KEYS.subscriptionKey)),
      directory,
      store,
    });
    return { sync, store, close: () => directory.close() };
  };
  const done: { school: string; outcome: JobOutcome }[] = [];
  const opened = await createEmbeddedFleet({
    path: join(dir, "fleet.db"),
    open,
    tickMs: 100,
    onJob: (job, outcome) => {
      done.push({ school: job.tenantId, outcome });
      out(
        `   ${job.tenantId}: ${job.kind} ${outcome.did}${outcome.runId ? ` (run ${outcome.runId.slice(0, 8)})` : ""}`,
      );
    },
  });
  if (opened.isErr()) throw new Error(`cannot open the fleet: ${opened.error.message}`);
  const fleet = opened.value;
  const since = new Date();
  const week = 7 * 86_400_000;
  for (const s of SCHOOLS) {
    const pauses =
      s.tenantId === "st-brendan"
        ? [
            {
              from: new Date(Date.now() - week).toISOString(),
              to: new Date(Date.now() + week).toISOString(),
              reason: "summer rollover",
            },
          ]
        : [];
    (await fleet.addSchool({ tenantId: s.tenantId, timeZone: s.timeZone, pauses }))._unsafeUnwrap();
  }
  (await fleet.start())._unsafeUnwrap();
  // The nightly crons fire at 02:00 in each school's zone; for the example, run tonight's jobs now.
  for (const s of SCHOOLS) (await fleet.runNow(s.tenantId, "sync"))._unsafeUnwrap();
  while (done.length < SCHOOLS.length) await new Promise((r) => setTimeout(r, 100));

  out("\n3. fleet.status()");
  for (const s of (await fleet.status())._unsafeUnwrap()) {
    const detail =
      s.state === "held"
        ? `held since ${s.held?.since}: ${s.held?.holds.map((h) => h.type).join(", ")} (plan ${s.held?.planHash.slice(0, 12)})`
        : s.state === "paused"
          ? `paused (${s.paused?.reason}), ${s.pendingWrites} writes waiting`
          : `last success ${s.lastSuccess?.at}`;
    out(`   ${s.tenantId.padEnd(11)} ${s.state.padEnd(10)} ${detail}; next sync ${s.nextRuns.sync}`);
  }
  out("\n4. The digest a host would email (a held school is reported once)");
  const first = (await fleet.digest({ since }))._unsafeUnwrap();
  const second = (await fleet.digest({ since }))._unsafeUnwrap();
  out(`   first digest:  held ${first.held.map((s) => s.tenantId).join(", ") || "none"}; synced ${first.synced}`);
  out(
    `   second digest: held ${second.held.map((s) => s.tenantId).join(", ") || "none"}; still held ${second.stillHeld}`,
  );
  await fleet.close();
} finally {
  for (const s of servers.values()) await s.close();
  await store.close();
  if (values.dir === undefined) rmSync(dir, { recursive: true, force: true });
}
