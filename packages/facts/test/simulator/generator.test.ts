import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FACTS_GRADE_CODES, generateSchool, nextSchoolYear } from "../../src/testing/index.js";

describe("generateSchool", () => {
  it("is the same for the same seed and differs for another", () => {
    const a = generateSchool({ seed: 7, people: 500 });
    expect(generateSchool({ seed: 7, people: 500 }).tables).toEqual(a.tables);
    expect(generateSchool({ seed: 8, people: 500 }).tables).not.toEqual(a.tables);
  });

  it("makes about the people asked for, from 100 up, with one expected person per student and parent", () => {
    for (const people of [100, 1000, 20_000]) {
      const school = generateSchool({ seed: 1, people });
      const { students, parents } = school.counts;
      // A family has at most 4 children and 4 adults, so the count overshoots by less than one family.
      expect(students + parents).toBeGreaterThanOrEqual(people);
      expect(students + parents).toBeLessThan(people + 8);
      expect(school.expectedPeople).toHaveLength(students + parents);
      expect(school.tables["/Students"]).toHaveLength(students);
      expect(school.tables["/People"]).toHaveLength(students + parents);
    }
  });

  it("holds the traps of live FACTS data", () => {
    const school = generateSchool({ seed: 3, people: 5000, schools: ["MAIN", "EAST"] });
    const t = school.tables;
    const personIds = new Set(t["/People"].map((p) => p.personId));
    const emails = t["/People"].map((p) => p.email);
    // personStudentId is another range that collides with real personIds.
    expect(t["/Students"].filter((s) => personIds.has(s.personStudentId)).length).toBeGreaterThan(100);
    // Zero-padded grade codes, a final grade, graduates and students not enrolled.
    expect(new Set(t["/Students"].map((s) => s.school?.gradeLevel))).toEqual(new Set(FACTS_GRADE_CODES));
    expect(t["/Academics/GradeLevels"].filter((g) => g.finalGradeLevel).map((g) => g.gradeLevelName)).toEqual([
      "12",
      "12",
    ]);
    const statuses = new Set(t["/Students"].map((s) => s.school?.status));
    for (const s of ["Enrolled", "Graduated", "Withdrawn", "Pre-Enrolled", "Inactive"]) expect(statuses).toContain(s);
    // Missing (null and ""), invalid, and shared emails.
    expect(emails).toContain(null);
    expect(emails).toContain("");
    expect(emails.some((e) => e != null && e !== "" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e.trim()))).toBe(true);
    const counts = new Map<string, number>();
    for (const e of emails) if (e) counts.set(e, (counts.get(e) ?? 0) + 1);
    expect([...counts.values()].some((n) => n > 1)).toBe(true);
    // Families of 1–3 parents; grandparents known only through ParentStudent.
    const inFamily = new Set(t["/People/PersonFamily"].map((pf) => pf.personId));
    const linkedOnly = new Set(
      t["/People/ParentStudent"].filter((l) => !inFamily.has(l.parentID)).map((l) => l.parentID),
    );
    expect(linkedOnly.size).toBeGreaterThan(0);
    expect(t["/People/ParentStudent"].filter((l) => linkedOnly.has(l.parentID)).every((l) => l.grandparent)).toBe(true);
    // Stepparents: one person in two families, with a link to the children of both.
    const blended = school.expectedPeople.filter((p) => p.role === "parent" && p.families.length === 2);
    expect(blended.length).toBeGreaterThan(0);
    for (const p of blended) expect(p.fields.familyIds).toBe(p.families.map((f) => f.familyId).join(","));
    // User-defined values of every group type, and of a STAFF group the source ignores.
    const groupOf = new Map(t["/UserDefinedFields"].map((f) => [f.fieldId, f.groupId]));
    const typeOf = new Map(t["/UserDefinedGroups"].map((g) => [g.groupId, g.groupType]));
    const types = new Set(t["/UserDefinedData"].map((d) => typeOf.get(groupOf.get(d.fieldId) ?? -1)));
    expect(types).toEqual(new Set(["STUDENT", "PARENT", "FAMILY", "STAFF"]));
    // Both schools are used.
    expect(new Set(t["/Students"].map((s) => s.schoolCode))).toEqual(new Set(["MAIN", "EAST"]));
  });

  it("lists the parents first by the lowest familyOrder, which is not always the first parent created", () => {
    const school = generateSchool({ seed: 4, people: 3000 });
    const parents = school.expectedPeople.filter((p) => p.role === "parent");
    const firstByFamily = new Map<string, number>();
    for (const p of parents) {
      for (const f of p.families) if (f.listedFirst) firstByFamily.set(f.familyId, Number(p.sourceId));
    }
    const lowestId = new Map<string, number>();
    for (const p of parents) {
      for (const f of p.families)
        lowestId.set(f.familyId, Math.min(lowestId.get(f.familyId) ?? Infinity, Number(p.sourceId)));
    }
    // One listed-first parent per family with parents in it, and often not the lowest id.
    expect(firstByFamily.size).toBe(lowestId.size);
    expect([...firstByFamily].filter(([f, id]) => lowestId.get(f) !== id).length).toBeGreaterThan(50);
  });
});

describe("nextSchoolYear", () => {
  const seeds = fc.record({ seed: fc.integer({ min: 1, max: 10_000 }), next: fc.integer({ min: 1, max: 10_000 }) });

  it("graduates the final grade, promotes everyone else enrolled by one grade or withdraws them, keeps ids, adds families (property)", () => {
    fc.assert(
      fc.property(seeds, ({ seed, next: nextSeed }) => {
        const school = generateSchool({ seed, people: 600 });
        const before = JSON.stringify(school.tables);
        const next = nextSchoolYear(school, { seed: nextSeed });
        // Pure: the given school is unchanged.
        expect(JSON.stringify(school.tables)).toBe(before);
        expect(next.schoolYear).toBe(school.schoolYear + 1);
        const after = new Map(next.tables["/Students"].map((s) => [s.studentId, s]));
        for (const s of school.tables["/Students"]) {
          const now = after.get(s.studentId);
          expect(now).toBeDefined();
          const grade = s.school?.gradeLevel as string;
          const status = s.school?.status;
          if (status === "Enrolled" && grade === "12") {
            expect(now?.school).toMatchObject({ status: "Graduated", gradeLevel: "12" });
          } else if (status === "Enrolled") {
            const up = FACTS_GRADE_CODES[FACTS_GRADE_CODES.indexOf(grade as "K") + 1];
            expect(
              (now?.school?.status === "Enrolled" && now.school.gradeLevel === up) ||
                (now?.school?.status === "Withdrawn" && now.school.gradeLevel === grade),
            ).toBe(true);
          } else if (status !== "Withdrawn") {
            expect(now?.school).toEqual(s.school);
          }
        }
        // The final grade of last year is no longer enrolled in it.
        const lastYearSeniors = school.tables["/Students"].filter(
          (s) => s.school?.gradeLevel === "12" && s.school.status === "Enrolled",
        );
        for (const s of lastYearSeniors) expect(after.get(s.studentId)?.school?.status).toBe("Graduated");
        // New families with new people, young children only.
        const oldFamilies = new Set(school.tables["/Families"].map((f) => f.familyID));
        const newFamilies = next.tables["/Families"].filter((f) => !oldFamilies.has(f.familyID));
        expect(newFamilies.length).toBeGreaterThanOrEqual(1);
        const oldIds = new Set(school.tables["/People"].map((p) => p.personId));
        const newStudents = next.tables["/Students"].filter((s) => !oldIds.has(s.studentId));
        expect(newStudents.length).toBeGreaterThan(0);
        for (const s of newStudents) expect(["K", "01", "06", "09"]).toContain(s.school?.gradeLevel);
        // Expected people follow: parents of graduates only are no longer enrolled.
        const people = new Map(next.expectedPeople.map((p) => [p.sourceId, p]));
        for (const p of next.expectedPeople.filter((x) => x.role === "parent")) {
          const anyEnrolled = p.studentIds.some((id) => people.get(id)?.status === "enrolled");
          expect(p.status).toBe(anyEnrolled ? "enrolled" : "inactive");
        }
      }),
      { numRuns: 15 },
    );
  });
});
