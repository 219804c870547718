import { describe, expect, it } from "vitest";
import { checkEmail } from "../../src/email.js";
import { generateSchool, nextSchoolYear } from "../../src/testing/school.js";

describe("generateSchool", () => {
  it("gives the same school for the same seed", () => {
    expect(generateSchool({ seed: 5, people: 200 })).toEqual(generateSchool({ seed: 5, people: 200 }));
    expect(generateSchool({ seed: 6, people: 200 })).not.toEqual(generateSchool({ seed: 5, people: 200 }));
  });

  it("has unique sourceIds, unique account emails and the promised mix of emails (R1, R3)", () => {
    const school = generateSchool({ seed: 11, people: 5000 });
    const ids = new Set(school.people.map((p) => p.sourceId));
    expect(ids.size).toBe(school.people.length);
    const accountEmails = new Set(school.accounts.map((a) => a.email.toLowerCase()));
    expect(accountEmails.size).toBe(school.accounts.length);
    const kinds = { ok: 0, missing: 0, invalid: 0 };
    for (const p of school.people) kinds[checkEmail(p.email).kind] += 1;
    const n = school.people.length;
    expect(kinds.missing / n).toBeGreaterThan(0.03);
    expect(kinds.missing / n).toBeLessThan(0.08);
    expect(kinds.invalid / n).toBeGreaterThan(0.01);
    expect(kinds.invalid / n).toBeLessThan(0.04);
    const seen = new Map<string, number>();
    for (const p of school.people) {
      const c = checkEmail(p.email);
      if (c.kind === "ok") seen.set(c.email, (seen.get(c.email) ?? 0) + 1);
    }
    expect([...seen.values()].some((count) => count > 1)).toBe(true);
  });

  it("moves everyone up a year: seniors graduate, new families arrive", () => {
    const school = generateSchool({ seed: 3, people: 2000 });
    const next = nextSchoolYear(school, { seed: 4 });
    expect(next.people.length).toBeGreaterThan(school.people.length);
    const before = new Map(school.people.map((p) => [p.sourceId, p]));
    for (const p of next.people) {
      const old = before.get(p.sourceId);
      if (old?.role === "student" && old.status === "enrolled" && old.gradeLevel === "12") {
        expect(p.status).toBe("graduated");
      }
      if (old?.role === "student" && old.gradeLevel === "K" && p.status === "enrolled" && old.status === "enrolled") {
        expect(p.gradeLevel).toBe("01");
      }
    }
  });
});
