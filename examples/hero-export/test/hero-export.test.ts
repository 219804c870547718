import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCsv } from "../../demo/test/csv.ts";
import { BELL_SCHEDULES } from "../src/hero.ts";

// The example runs as `pnpm start` runs it (the built packages), twice over the same folder.
const data = mkdtempSync(join(tmpdir(), "hero-export-test-"));
afterAll(() => rmSync(data, { recursive: true, force: true }));
const inbox = join(data, "sis-inbox");

function start() {
  return spawnSync(process.execPath, ["src/main.ts", "--data", data], {
    cwd: join(import.meta.dirname, ".."),
    encoding: "utf8",
    timeout: 60_000,
  });
}

/** RFC 4180 rows (quoted cells, doubled quotes, CRLF line ends). */
function parseCsv(text: string): string[][] {
  const { rows, quoted, row, cell } = readCsv(text);
  expect(quoted || cell !== "" || row.length > 0, "the file ends with a whole CRLF-terminated row").toBe(false);
  return rows;
}

/** Rows of one file as objects keyed by header. */
function records(file: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(join(inbox, file), "utf8"));
  return rows.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ""])));
}

/** The period whose [start, end) holds a check-in time, worked out here from the schedules themselves. */
function periodAt(schoolCode: string, time: string): string {
  const schedule = BELL_SCHEDULES.find((s) => s.schoolId === (schoolCode === "LHS" ? "lincoln-high" : "north-middle"));
  return schedule?.periods.find((p) => p.start <= time && time < p.end)?.name ?? "";
}

const summary = () => JSON.parse(readFileSync(join(data, "summary.json"), "utf8"));

describe("examples/hero-export", () => {
  const first = start();

  it("reports every shape problem and every settings problem at once", () => {
    if (first.status !== 0) console.error(first.stdout, first.stderr);
    expect(first.status).toBe(0);
    const s = summary();
    expect(s.shapeProblems.sort()).toEqual(
      ["exportId", "fields.0.field", "format", "schedule.frequency.type", "schedule.timezone", "schoolIds"].sort(),
    );
    expect(s.draftProblems.sort()).toEqual(
      [
        "DuplicateField",
        "DuplicateHeader",
        "EmptyExternalReferenceCode",
        "EmptyName",
        "ExternalReferenceCodeNotInSis",
        "InvalidTimeOfDay",
        "NoWeekdays",
        "SchoolWithoutSchedule",
        "UnknownBehaviorCode",
        "UnknownField",
        "UnknownSink",
        "UnknownTimezone",
      ].sort(),
    );
    expect(first.stdout).toMatch(/"Period" needs a bell schedule, but East Elementary has none mapped/);
    expect(first.stdout).toMatch(/The fixed export "Tardies to the SIS": 0 problems/);
  });

  it("sends Friday's 30 tardies, then only Monday's correction, void and new ones; re-runs send nothing", () => {
    const s = summary();
    const counts = s.runs.map((r: { counts: Record<string, number> }) => [
      r.counts.new,
      r.counts.correction,
      r.counts.void,
    ]);
    expect(counts).toEqual([
      [30, 0, 0],
      [0, 0, 0],
      [2, 1, 1],
      [0, 0, 0],
    ]);
    expect(s.runs[1].filename).toBeNull();
    expect(s.runs[3].filename).toBeNull();
    expect(readdirSync(inbox).sort()).toEqual([s.runs[0].filename, s.runs[2].filename].sort());

    const friday = records(s.runs[0].filename);
    expect(friday).toHaveLength(30);
    expect(new Set(friday.map((r) => r["Hero ID"])).size).toBe(30);
    for (const r of friday) {
      expect(r.Action).toBe("new");
      expect(r["Student ID"]).toMatch(/^\d+$/);
      expect(["T", "TU", "TB"]).toContain(r.Code);
      expect(r.Period, `${r["Hero ID"]} at ${r["Check-in time"]}`).toBe(
        periodAt(r["School code"] ?? "", r["Check-in time"] ?? ""),
      );
      expect(r.Period).not.toBe("");
    }
    // A comment typed like a formula reaches the SIS as text (R12).
    const formulas = friday.filter((r) => r.Comment?.includes("HYPERLINK"));
    expect(formulas.length).toBeGreaterThan(0);
    for (const r of formulas) expect(r.Comment?.startsWith("'=")).toBe(true);

    const monday = records(s.runs[2].filename);
    const byId = new Map(monday.map((r) => [r["Hero ID"], r]));
    expect(monday).toHaveLength(4);
    expect(byId.get(s.monday.corrected)).toMatchObject({ Action: "correction", Code: "TB", Comment: "Bus 14" });
    expect(byId.get(s.monday.voided)?.Action).toBe("void");
    for (const id of s.monday.added) expect(byId.get(id)?.Action).toBe("new");
    // Nothing was ever sent as new twice.
    const sentNew = [...friday, ...monday].filter((r) => r.Action === "new").map((r) => r["Hero ID"]);
    expect(new Set(sentNew).size).toBe(sentNew.length);
  });

  it("keeps 16:30 in New York across both clock changes, and handles the skipped and repeated hours", () => {
    const s = summary();
    expect(s.runs[0].at).toBe("2026-03-06T21:30:00Z"); // 16:30 EST
    expect(s.runs[2].at).toBe("2026-03-09T20:30:00.000Z"); // 16:30 EDT: nextRunAt chose it
    expect(s.schedule.map((x: { next: string }) => x.next)).toEqual([
      "2026-03-09T20:30:00.000Z", // Fri → Mon, after spring-forward
      "2026-03-10T20:30:00.000Z",
      "2026-11-02T21:30:00.000Z", // Fri → Mon, after fall-back
      "2026-03-08T07:00:00.000Z", // 02:30 does not exist on 8 March: 03:00 EDT
      "2026-11-01T05:30:00.000Z", // 01:30 happens twice on 1 November: the first, EDT
    ]);
    expect(first.stdout).toMatch(/Mon, Mar 9, 16:30 EDT/);
    expect(first.stdout).toMatch(/Mon, Nov 2, 16:30 EST/);
  });

  it("run again over the same store: nothing is sent twice, the files are left as they were", () => {
    const before = readdirSync(inbox)
      .sort()
      .map((f) => [f, readFileSync(join(inbox, f), "utf8")]);
    const again = start();
    if (again.status !== 0) console.error(again.stdout, again.stderr);
    expect(again.status).toBe(0);
    for (const r of summary().runs) {
      expect(r.counts).toMatchObject({ new: 0, correction: 0, void: 0 });
      expect(r.filename).toBeNull();
    }
    expect(
      readdirSync(inbox)
        .sort()
        .map((f) => [f, readFileSync(join(inbox, f), "utf8")]),
    ).toEqual(before);
  });
});
