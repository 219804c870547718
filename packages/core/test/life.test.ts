import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { markReviewed, recordDefaults, select } from "../src/decisions.js";
import { plan } from "../src/plan.js";
import { filterRows, review } from "../src/review.js";
import { scopeRules, studentScopeReason } from "../src/scope.js";
import { simulateApply } from "../src/simulate.js";
import { type GeneratedSchool, generatedProfile, generateSchool, nextSchoolYear } from "../src/testing/index.js";
import { type Account, type Decisions, EMPTY_DECISIONS, type Role, type SourcePerson } from "../src/types.js";

/** Give some people of this year whose email is missing or invalid a fresh, valid one (the admin fixed it). */
function fixEmails(people: readonly SourcePerson[], rate: number, year: number): SourcePerson[] {
  let k = 0;
  return people.map((p) => {
    const bad = p.email === null || p.email === "" || !p.email.includes("@");
    if (!bad || (k++ * 7919 + year) % 100 >= rate * 100) return p;
    return { ...p, email: `fixed.${p.sourceId}.${year}@mail.example.org` };
  });
}

/**
 * A school's years, lived through core alone: each year the admin reviews (selecting every new person or
 * none), the review is recorded as an apply records it, and the plan is applied. The invariants of R2 and
 * R5 are checked on every year's review.
 */
function live(seed: number, role: Role, grades: readonly string[], selectNew: readonly boolean[], fixRate: number) {
  let school: GeneratedSchool = generateSchool({ seed, people: 160, schools: ["ES", "HS"], accountsFor: "none" });
  const profile = { ...generatedProfile(school, role), gradeLevels: grades, defaultSelection: false };
  let accounts: Account[] = [];
  let decisions: Decisions = EMPTY_DECISIONS;
  const seenInScope = new Set<string>();
  let excludedLastTime = new Set<string>();
  for (let year = 0; year < selectNew.length; year++) {
    if (year > 0) {
      school = nextSchoolYear(school, { seed: seed * 31 + year, returnRate: 0.5 });
      school = { ...school, people: fixEmails(school.people, fixRate, year) };
    }
    const input = { people: school.people, accounts, profile, decisions };
    const report = review(input);
    const rules = scopeRules(profile);
    const byId = new Map(school.people.map((p) => [p.sourceId, p]));
    const shownAtOpen = new Set(filterRows(report, report.openOn).map((r) => r.sourceId));
    for (const row of report.rows) {
      const inScope = row.status !== "out-of-scope";
      // R2: a parent is in scope exactly when enrolled with any child in the student scope.
      if (role === "parent" && row.role === "parent") {
        const p = byId.get(row.sourceId) as SourcePerson;
        const anyChild = p.studentIds.some((id) => {
          const child = byId.get(id);
          return child !== undefined && studentScopeReason(child, rules) === null;
        });
        expect(inScope).toBe(p.status === "enrolled" && anyChild);
        if (inScope) expect(row.scopeChildId).not.toBeNull();
      }
      if (!inScope) continue;
      // R5: New? exactly when never seen in scope at an earlier review.
      expect(row.isNew).toBe(!seenInScope.has(row.sourceId));
      // R5: fixed exactly when excluded at the last review and not now.
      expect(row.isFixed).toBe(row.status !== "excluded" && excludedLastTime.has(row.sourceId));
      // A re-sync opens on every new and fixed person: nobody enters unseen.
      if (year > 0 && (row.isNew || row.isFixed)) expect(shownAtOpen.has(row.sourceId)).toBe(true);
    }
    // The admin's turn, then the apply records the review.
    const newIds = report.rows.filter((r) => r.isNew && r.status !== "out-of-scope").map((r) => r.sourceId);
    let next = recordDefaults(decisions, report);
    if (selectNew[year]) next = select(next, newIds);
    const decided = { ...input, decisions: next };
    const final = review(decided);
    const p = plan(decided);
    accounts = simulateApply(accounts, p);
    decisions = markReviewed(recordDefaults(next, final), final);
    for (const r of final.rows) if (r.status !== "out-of-scope") seenInScope.add(r.sourceId);
    excludedLastTime = new Set(final.rows.filter((r) => r.status === "excluded").map((r) => r.sourceId));
    // Planning again right after the apply writes nothing.
    const again = plan({ ...decided, accounts, decisions });
    expect(again.counts).toMatchObject({ add: 0, link: 0, update: 0, restore: 0, archive: 0 });
    // Nobody importable is without an active account linked to them.
    const active = new Set(accounts.filter((a) => !a.archived && a.sourceId !== undefined).map((a) => a.sourceId));
    for (const r of final.rows) if (r.status === "importable") expect(active.has(r.sourceId)).toBe(true);
  }
}

describe("a school's life over several years (R2, R5)", () => {
  it("makes everyone who enters the scope New? (or fixed) at the next review, over 4 years", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom<Role>("student", "parent"),
        fc.constantFrom(["09", "10", "11", "12"], ["K", "01", "02", "03", "04", "05"], ["06", "07", "08"]),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.constantFrom(0, 0.3, 1),
        (seed, role, grades, selectNew, fixRate) => live(seed, role, grades, selectNew, fixRate),
      ),
      { numRuns: 40 },
    );
  });
});
