// A SchoolMint Hero tardy export: validate the settings, run it into a drop folder, run it again.
import { join } from "node:path";
import { createMemoryTardySource } from "@rostersync/core";
import {
  createFileDirectorySink,
  exportConfigSchema,
  loadValidationContext,
  nextRunAt,
  runExport,
  validateExport,
} from "@rostersync/hero";
import { createSqliteStore } from "@rostersync/storage-sqlite";

function must(result, what) {
  if (result.isOk()) return result.value;
  console.error(`${what} failed: ${result.error.type}: ${result.error.message}`);
  process.exit(1);
}

// Hero's side, as your TardySource would answer it: one school, two codes, a bell schedule, three tardies.
const tardy = (n, code, time, comment = null) => ({
  eventId: `t${n}`,
  schoolId: "lhs",
  studentSisId: String(100000 + n),
  studentFirstName: "Ava",
  studentLastName: `Student ${n}`,
  date: "2026-11-20",
  checkInTime: time,
  minutesLate: 7,
  periodId: null, // found from the bell schedule by check-in time
  behaviorCodeId: code,
  staff: "Front office",
  comment,
  status: "active",
  updatedAt: `2026-11-20T13:0${n}:00Z`,
});
const hero = createMemoryTardySource({
  schools: [{ schoolId: "lhs", name: "Lincoln High", sisSchoolCode: "LHS" }],
  behaviorCodes: [
    { codeId: "tardy", name: "Tardy", externalReferenceCode: "T" },
    { codeId: "late-bus", name: "Late Bus", externalReferenceCode: "" }, // not set up yet in Hero
  ],
  bellSchedules: [
    {
      scheduleId: "regular",
      schoolId: "lhs",
      periods: [
        { periodId: "p1", name: "1", start: "08:00", end: "08:50" },
        { periodId: "p2", name: "2", start: "08:55", end: "09:45" },
      ],
    },
  ],
  tardies: [tardy(1, "tardy", "08:07"), tardy(2, "tardy", "09:02", "=overslept"), tardy(3, "late-bus", "08:20")],
});

const data = join(import.meta.dirname, "data"); // the same folder as first-sync.mjs
const store = must(await createSqliteStore({ path: join(data, "rostersync.db") }), "open the store");
const sinks = { "sis-inbox": createFileDirectorySink({ directory: join(data, "sis-inbox") }) };

const settings = {
  exportId: "tardies-daily",
  name: "Tardies to the SIS",
  schoolIds: ["lhs"],
  behaviorCodeIds: ["tardy", "late-bus"],
  fields: [
    { field: "studentSisId", header: "Student ID" },
    { field: "date" },
    { field: "period" },
    { field: "externalReferenceCode", header: "Code" },
    { field: "comment" },
    { field: "eventId" },
  ],
  format: "csv",
  sink: "sis-inbox",
  schedule: { frequency: { type: "weekdays" }, timeOfDay: "16:30", timezone: "America/New_York" },
};

// 1. Every problem at once, in words an administrator can act on.
let config = exportConfigSchema.parse(settings);
const checks = { sisCodes: ["T", "LB"], sinkNames: Object.keys(sinks) }; // sisCodes: your SIS's attendance codes
const context = must(await loadValidationContext(hero, checks), "read Hero's setup");
const problems = validateExport(config, context);
for (const p of problems) console.log("problem:", p.message);

// 2. The administrator fixes it: Late Bus gets the SIS's code.
hero.getInstance().behaviorCodes[1] = { codeId: "late-bus", name: "Late Bus", externalReferenceCode: "LB" };
config = exportConfigSchema.parse(settings);

// 3. Run it ("Save & Run Now" without the save), then run it again: nothing goes twice.
const now = Date.parse("2026-11-20T21:30:00Z");
const first = must(await runExport(config, { now, tenantId: "lincoln-high", store, source: hero, sinks }), "export");
console.log("first run:", JSON.stringify(first.counts), "→", first.filename);
const again = must(await runExport(config, { now, tenantId: "lincoln-high", store, source: hero, sinks }), "re-run");
console.log("re-run:", JSON.stringify(again.counts), "file:", again.filename);

// 4. When it runs next on its own (the host's timer calls runExport then).
console.log("next run:", nextRunAt(config, now)?.toISOString());
await store.close();
