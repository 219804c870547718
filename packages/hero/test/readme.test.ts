// The README's example, run: Save & Run Now to FACTS (over the attendance model) and a file drop, then the
// host's timer with dueExports.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStore, createMemoryTardySource } from "@rostersync/core";
import { createFactsClient } from "@rostersync/facts";
import { expect, it } from "vitest";
import {
  createFactsAttendanceSink,
  createFileDirectorySink,
  defineExport,
  dueExports,
  listExports,
  problemCodes,
  runExport,
  saveAndRunNow,
} from "../src/index.js";
import { createFakeFacts } from "./helpers/fake-facts-attendance.js";
import { behaviorCodes, bellSchedules, factsFields, schools, tardy } from "./helpers/school.js";

it("runs the README example", async () => {
  const dir = await mkdtemp(join(tmpdir(), "hero-readme-"));
  try {
    const fake = createFakeFacts();
    const store = createMemoryStore();
    const hero = createMemoryTardySource({
      schools,
      behaviorCodes,
      bellSchedules,
      tardies: [tardy("e1", { comment: "=bus" }), tardy("e2", { periodId: "p2" })],
    });
    const facts = createFactsClient({
      subscriptionKey: "sub-0123456789abcdef",
      apiKey: "api-0123456789abcdef0123456789",
      baseUrl: "https://facts.test",
      fetch: fake.fetch,
      budget: { windows: [{ requests: 10_000, windowMs: 1000 }], marginMs: 0 },
    });
    const sinks = {
      "sis-inbox": createFileDirectorySink({ directory: dir }),
      facts: createFactsAttendanceSink({
        client: facts,
        classes: { "LHS/1": { classId: 5012, column: 1 }, "LHS/2": { classId: 5013, column: 2 } },
      }),
    };
    const config = defineExport({
      exportId: "tardies-to-facts",
      name: "Tardies to FACTS",
      schoolIds: ["hs"],
      behaviorCodeIds: ["tardy", "tardy-unexcused"],
      // The FACTS export's columns, the comment headed "Reason" as in the README.
      fields: factsFields.map((f) => (f.field === "comment" ? { ...f, header: "Reason" } : f)),
      format: "csv",
      preset: "facts",
      sink: "facts",
      schedule: { frequency: { type: "weekdays" }, timeOfDay: "16:30", timezone: "America/New_York" },
    });
    const deps = { now: Date.parse("2026-09-14T20:30:00Z"), tenantId: "school-1", store, source: hero, sinks };

    // Problems come back all at once, and nothing is saved or sent.
    const bad = await saveAndRunNow({ ...config, schoolIds: ["hs", "ms"] }, { expectedVersion: null }, deps);
    expect(bad._unsafeUnwrapErr()).toMatchObject({
      type: "InvalidExport",
      problems: [{ code: problemCodes.SchoolWithoutSchedule }],
    });

    expect((await listExports(store, "school-1"))._unsafeUnwrap()).toEqual([]);
    const done = (
      await saveAndRunNow(config, { expectedVersion: null }, { ...deps, sisCodes: ["T", "TU"] })
    )._unsafeUnwrap();
    expect(done.run.delivered).toBe(2);
    expect([...fake.rows.values()].map((r) => [r.classId, r.attendanceCode, r.attendanceEventReason])).toEqual([
      [5012, "T", "=bus [hero:e1]"],
      [5013, "T", "[hero:e2]"],
    ]);

    // The same tardies as a CSV drop: the comment is guarded against formula injection.
    const drop = { ...config, exportId: "tardies-file", name: "Tardies file", sink: "sis-inbox" };
    (await saveAndRunNow(drop, { expectedVersion: null }, deps))._unsafeUnwrap();
    const [file] = await readdir(dir);
    expect(await readFile(join(dir, file as string), "utf8")).toBe(
      "studentId,schoolCode,attendanceDate,period,attendanceCode,Reason\r\n" +
        "1001,LHS,2026-09-14,1,T,'=bus\r\n" +
        "1002,LHS,2026-09-14,2,T,\r\n",
    );

    // The host's timer: both ran at 16:30 on Monday; the next weekday run is due on Tuesday.
    const stored = (await listExports(store, "school-1"))._unsafeUnwrap().map((e) => e.config);
    const lastRuns = { "tardies-to-facts": deps.now, "tardies-file": deps.now };
    const tuesday = dueExports(stored, lastRuns, Date.parse("2026-09-15T20:31:00Z"));
    expect(tuesday.due.map((d) => d.config.exportId).sort()).toEqual(["tardies-file", "tardies-to-facts"]);
    for (const { config: c } of tuesday.due) {
      const r = (await runExport(c, { ...deps, now: Date.parse("2026-09-15T20:31:00Z") }))._unsafeUnwrap();
      expect(r.delivered).toBe(0); // nothing new: nothing sent twice
    }
    expect(dueExports(stored, lastRuns, Date.parse("2026-09-15T12:00:00Z")).nextWakeAt?.toISOString()).toBe(
      "2026-09-15T20:30:00.000Z",
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
