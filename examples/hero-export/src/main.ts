// A Hero tardy export end to end: the config checked (zod shape, then validateExport's every problem),
// Friday's run into a drop folder as CSV, a re-run that sends nothing, Monday's corrections, void and new
// tardies, and the schedule across the March and November clock changes. The ledger lives in a SQLite
// store, so running the example again sends nothing twice either.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import {
  createFileDirectorySink,
  type ExportConfig,
  type ExportRunReport,
  loadValidationContext,
  nextRunAt,
  parseExportConfig,
  runExport,
  validateExport,
} from "@rostersync/hero";
import { createSqliteStore } from "@rostersync/storage-sqlite";
import { BROKEN_DRAFT, FIRST_DRAFT, TARDIES_TO_SIS } from "./exports.ts";
import { createHero, mondayChanges, SIS_CODES } from "./hero.ts";

const TENANT = "lincoln-district";
const out = (line = "") => process.stdout.write(`${line}\n`);

const { values } = parseArgs({
  options: { data: { type: "string" }, fresh: { type: "boolean", default: false } },
});
const dataDir = values.data ?? join(import.meta.dirname, "..", ".data");
if (values.fresh) rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
const inbox = join(dataDir, "sis-inbox");

/** A UTC instant and the same instant on the export's wall clock. */
function when(at: Date | number | null, timeZone: string): string {
  if (at === null) return "never";
  const date = new Date(at);
  const local = new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(date);
  return `${date.toISOString().slice(0, 16)}Z  (${local})`;
}

const opened = await createSqliteStore({ path: join(dataDir, "rostersync.db") });
if (opened.isErr()) throw new Error(`cannot open the store: ${opened.error.message}`);
const store = opened.value;
const hero = createHero();
const sinks = { "sis-inbox": createFileDirectorySink({ directory: inbox }) };

out("1. The export's shape (zod): a broken draft");
const broken = parseExportConfig(BROKEN_DRAFT);
const shapeProblems = broken.ok ? [] : broken.problems;
for (const p of shapeProblems) out(`   ✗ ${p.message}`);

out("\n2. validateExport on the first draft: every problem at once");
const context = (
  await loadValidationContext(hero, { sisCodes: SIS_CODES, sinkNames: Object.keys(sinks) })
)._unsafeUnwrap();
/** A config written in this file: its shape was checked above, so a shape problem here is a bug in the example. */
const parsedOrThrow = (input: unknown): ExportConfig => {
  const parsed = parseExportConfig(input);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join("\n"));
  return parsed.config;
};
const draftProblems = validateExport(parsedOrThrow(FIRST_DRAFT), context);
for (const p of draftProblems) out(`   ✗ [${p.code}] ${p.message}`);

const config: ExportConfig = parsedOrThrow(TARDIES_TO_SIS);
const problems = validateExport(config, context);
out(`\n3. The fixed export "${config.name}": ${problems.length} problems`);
if (problems.length > 0) throw new Error(problems.map((p) => p.message).join("\n"));

const runs: { label: string; at: string; report: ExportRunReport }[] = [];
async function run(label: string, at: string): Promise<void> {
  const result = await runExport(config, { now: Date.parse(at), tenantId: TENANT, store, source: hero, sinks });
  if (result.isErr()) throw new Error(`${label}: ${result.error.type}: ${result.error.message}`);
  const r = result.value;
  runs.push({ label, at, report: r });
  const c = r.counts;
  out(
    `   ${label.padEnd(24)} new ${c.new}, correction ${c.correction}, void ${c.void}, unchanged ${c.unchanged}` +
      ` → ${r.filename ?? "nothing to send"}`,
  );
}

out("\n4. Runs into the SIS's drop folder");
await run("Friday 6 Mar, 16:30 EST", "2026-03-06T21:30:00Z");
await run("re-run a minute later", "2026-03-06T21:31:00Z");
const monday = mondayChanges(hero);
out(`   (Monday: ${monday.corrected} corrected, ${monday.voided} voided, ${monday.added.join(" and ")} recorded)`);
const mondayRun = nextRunAt(config, Date.parse("2026-03-06T21:31:00Z"));
await run("Monday 9 Mar, 16:30 EDT", mondayRun?.toISOString() ?? "2026-03-09T20:30:00Z");
await run("re-run a minute later", "2026-03-09T20:31:00Z");
const files = readdirSync(inbox).sort();
out(`   in ${relative(process.cwd(), inbox) || "."}: ${files.join(", ")}`);

out(`\n5. nextRunAt: "${config.schedule.frequency.type} at ${config.schedule.timeOfDay}, ${config.schedule.timezone}"`);
const zone = config.schedule.timezone;
const schedule: { asked: string; next: string }[] = [];
const show = (what: string, exportConfig: Pick<ExportConfig, "schedule" | "enabled">, asked: string) => {
  const next = nextRunAt(exportConfig, Date.parse(asked));
  schedule.push({ asked, next: next?.toISOString() ?? "never" });
  out(`   ${what.padEnd(36)} → ${when(next, zone)}`);
};
show("after Fri 6 Mar 16:45 EST", config, "2026-03-06T21:45:00Z");
show("after Mon 9 Mar 16:45 EDT", config, "2026-03-09T20:45:00Z");
show("after Fri 30 Oct 16:45 EDT", config, "2026-10-30T20:45:00Z");
const daily = (timeOfDay: string) => ({
  ...config,
  schedule: { ...config.schedule, frequency: { type: "daily" as const }, timeOfDay },
});
show("daily 02:30, after Sat 7 Mar 12:00", daily("02:30"), "2026-03-07T17:00:00Z");
show("daily 01:30, after Sat 31 Oct 12:00", daily("01:30"), "2026-10-31T16:00:00Z");

writeFileSync(
  join(dataDir, "summary.json"),
  `${JSON.stringify(
    {
      shapeProblems: shapeProblems.map((p) => p.path.join(".")),
      draftProblems: draftProblems.map((p) => p.code),
      runs: runs.map((r) => ({ label: r.label, at: r.at, counts: r.report.counts, filename: r.report.filename })),
      monday,
      files,
      schedule,
    },
    null,
    2,
  )}\n`,
);
await store.close();
