import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plan } from "../src/plan.js";
import { simulateApply } from "../src/simulate.js";
import { GRADE_CODES, generatedProfile, generateSchool, nextSchoolYear } from "../src/testing/index.js";
import type { LastRun, PlanInput, SyncPlan } from "../src/types.js";
import { checkPlanInput, RosterInputError } from "../src/validate.js";
import { account, inputOf, linkedStudentAccount, parent, student } from "./test-fixtures.js";

/** What sync saves after applying `p` (see docs/safety-holds.md). */
const lastRunOf = (p: SyncPlan): LastRun => ({
  sourceCount: p.sourceCount,
  errorFingerprints: [],
  managedCount: p.managedCount,
  inScopeCount: p.inScopeCount,
  inScopeSlices: p.inScopeSlices,
});

/** A school whose first sync was applied: the input of its next plan, with that run's `lastRun`. */
function afterFirstSync(seed: number, people: number, schools: readonly string[], role: "student" | "parent") {
  const school = generateSchool({ seed, people, schools });
  const profile = generatedProfile(school, role);
  const first = inputOf(school.people, school.accounts, { profile });
  const p = plan(first);
  const next: PlanInput = { ...first, accounts: simulateApply(school.accounts, p), lastRun: lastRunOf(p) };
  return { school, next };
}

const types = (p: SyncPlan): string[] => p.holds.map((h) => h.type);

describe("slice holds (R10)", () => {
  it("holds when any one grade or school of any generated school disappears, from the read or the setup (R10)", () => {
    // Students and parents profiles; the school's first sync applied, so the last run's counts exist.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 700, max: 1200 }),
        fc.constantFrom(["MAIN"], ["ES", "MS", "HS"], ["A", "B"]),
        fc.constantFrom("read", "setup"),
        fc.boolean(),
        fc.nat(),
        fc.constantFrom("student", "parent"),
        (seed, size, schools, where, grades, pick, role) => {
          // Grades are slices of a students profile; a parents profile has school slices only.
          const byGrade = grades && role === "student";
          const { school, next } = afterFirstSync(seed, size, schools, role);
          const code = schools[pick % schools.length] as string;
          const grade = GRADE_CODES[pick % GRADE_CODES.length] as string;
          // Dropped from the read: the slice's students (and, for a whole school, its parents too).
          const inSlice = (p: PlanInput["people"][number]) =>
            p.schoolCode === code && (p.role === "student" ? !byGrade || p.gradeLevel === grade : !byGrade);
          // A slice of at most `archiveMin` people is below every hold (docs/safety-holds.md).
          const enrolled = school.people.filter((p) => inSlice(p) && p.role === role && p.status === "enrolled").length;
          fc.pre(enrolled > 5);
          let dropped: PlanInput;
          if (where === "read") dropped = { ...next, people: next.people.filter((p) => !inSlice(p)) };
          else if (byGrade) {
            // A grade is a profile-wide setting: in a school of several codes, only the chosen one's grade
            // goes when it is the school's only code.
            if (schools.length > 1) return;
            dropped = {
              ...next,
              profile: { ...next.profile, gradeLevels: GRADE_CODES.filter((g) => g !== grade) },
            };
          } else dropped = { ...next, profile: { ...next.profile, schools: schools.filter((s) => s !== code) } };
          const p = plan(dropped);
          expect(types(p)).toContain("slice-shrink");
        },
      ),
      { numRuns: 40, seed: 2026 },
    );
  }, 300_000);

  it("holds a grade dropped from the setup on the plan alone, with no last run (R10)", () => {
    const { next } = afterFirstSync(11, 2600, ["MAIN"], "student");
    const withoutGrade = plan({
      ...next,
      lastRun: null,
      profile: { ...next.profile, gradeLevels: GRADE_CODES.filter((g) => g !== "07") },
    });
    const hold = withoutGrade.holds.find((h) => h.type === "slice-shrink");
    expect(hold?.message).toContain("grade 07 of school MAIN");
    expect(hold?.observed).toBe(1);
  });

  it("does not hold a normal new school year for a slice (R10)", () => {
    for (const seed of [3, 4]) {
      const { school, next } = afterFirstSync(seed, 3000, ["ES", "MS", "HS"], "student");
      const year = nextSchoolYear({ ...school, accounts: [...next.accounts] }, { seed: seed + 100 });
      const p = plan({ ...next, people: year.people });
      expect(types(p)).not.toContain("slice-shrink");
      expect(types(p)).not.toContain("directory-shrink");
    }
  });

  it("divides archives by the profile's own managed accounts, not the other role's (R10)", () => {
    // 40 students and 160 parents with managed accounts; 6 students leave: 15% of the students' accounts,
    // 3% of every managed account.
    const kids = Array.from({ length: 40 }, (_, i) => student(String(i + 1)));
    const parents = Array.from({ length: 160 }, (_, i) => parent(`p${i + 1}`, ["1"]));
    const accounts = [
      ...kids.map((k, i) => linkedStudentAccount(`a${i + 1}`, k)),
      ...parents.map((p, i) => account(`b${i + 1}`, { sourceId: p.sourceId, email: p.email as string })),
    ];
    const p = plan(inputOf([...kids.slice(6), ...parents], accounts));
    expect(p.counts.archive).toBe(6);
    expect(p.holds).toMatchObject([{ type: "archive-threshold", observed: 6, limit: 5 }]);
    expect(p.holds[0]?.message).toContain("6 of 40 managed accounts");
  });
});

describe("directory and scope shrink holds (R10)", () => {
  it("holds when the host lists far fewer of the profile's managed accounts than the last run left (R10)", () => {
    const { next } = afterFirstSync(21, 1200, ["MAIN"], "student");
    expect(plan(next).holds).toEqual([]);
    // The host's read was cut short: half of the managed accounts are missing, their people look new.
    const managed = next.accounts.filter((a) => a.managed);
    const missing = new Set(managed.slice(0, Math.ceil(managed.length / 2)).map((a) => a.accountId));
    const truncated = plan({ ...next, accounts: next.accounts.filter((a) => !missing.has(a.accountId)) });
    expect(truncated.counts.add).toBeGreaterThan(0);
    expect(types(truncated)).toContain("directory-shrink");
    // A last run saved before the count existed compares nothing.
    const { managedCount: _, ...older } = next.lastRun as LastRun;
    const unknown = plan({ ...next, lastRun: older, accounts: next.accounts.filter((a) => !missing.has(a.accountId)) });
    expect(types(unknown)).not.toContain("directory-shrink");
  });

  it("holds when the profile's in-scope people shrank though the whole source hardly did (issue 15, R10)", () => {
    // Parents 80, students 30: a Students read cut to 15 leaves the source at 95 of 110 (−14%), the
    // students profile's scope at 15 of 30 (−50%).
    const kids = Array.from({ length: 30 }, (_, i) => student(String(i + 1)));
    const parents = Array.from({ length: 80 }, (_, i) => parent(`p${i + 1}`, ["1"]));
    const lastRun: LastRun = { sourceCount: 110, errorFingerprints: [], inScopeCount: 30 };
    const p = plan(inputOf([...kids.slice(0, 15), ...parents], [], { lastRun }));
    expect(p.holds).toMatchObject([{ type: "source-shrink", observed: 0.5, limit: 0.2 }]);
    expect(p.holds[0]?.message).toContain("in this profile's scope");
    expect(
      plan(inputOf([...kids.slice(0, 15), ...parents], [], { lastRun: { ...lastRun, inScopeCount: 16 } })).holds,
    ).toEqual([]);
  });

  it("returns the counts the next run compares with (R10)", () => {
    const kids = Array.from({ length: 10 }, (_, i) => student(String(i + 1), { gradeLevel: i < 4 ? "05" : "06" }));
    const p = plan(inputOf([...kids, parent("p1", ["1"])], [linkedStudentAccount("a1", kids[0]!)]));
    expect(p.inScopeCount).toBe(10);
    expect(p.managedCount).toBe(10); // 1 managed now + 9 adds
    expect(p.inScopeSlices).toEqual({ "school:MAIN": 10, 'grade:["MAIN","05"]': 4, 'grade:["MAIN","06"]': 6 });
  });
});

describe("last run validation (R10)", () => {
  it("refuses a lastRun whose counts are NaN, Infinity, negative or fractions (R10)", () => {
    const bad: LastRun[] = [
      { sourceCount: Number.NaN, errorFingerprints: [] },
      { sourceCount: Number.POSITIVE_INFINITY, errorFingerprints: [] },
      { sourceCount: -1, errorFingerprints: [] },
      { sourceCount: 10, errorFingerprints: [], managedCount: Number.NaN },
      { sourceCount: 10, errorFingerprints: [], inScopeCount: Number.POSITIVE_INFINITY },
      { sourceCount: 10, errorFingerprints: [], inScopeCount: 2.5 },
      { sourceCount: 10, errorFingerprints: [], inScopeSlices: { "school:MAIN": Number.NaN } },
    ];
    for (const lastRun of bad) {
      const input = inputOf([student("1")], [], { lastRun });
      expect(() => plan(input), JSON.stringify(lastRun)).toThrow(RosterInputError);
      expect(checkPlanInput(input)[0]?.path).toMatch(/^lastRun\./);
    }
    // NaN used to switch the shrink hold off: 70 of "NaN" people passed.
    expect(() =>
      plan(inputOf([student("1")], [], { lastRun: { sourceCount: Number.NaN, errorFingerprints: [] } })),
    ).toThrow(/lastRun\.sourceCount/);
    expect(
      checkPlanInput(
        inputOf([student("1")], [], {
          lastRun: { sourceCount: 3, errorFingerprints: [], managedCount: 0, inScopeCount: 1, inScopeSlices: {} },
        }),
      ),
    ).toEqual([]);
  });
});
