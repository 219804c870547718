import { describe, expect, it } from "vitest";
import { markReviewed, recordDefaults, unselect } from "../src/decisions.js";
import { plan } from "../src/plan.js";
import { review } from "../src/review.js";
import { simulateApply } from "../src/simulate.js";
import { generatedProfile, generateSchool, nextSchoolYear } from "../src/testing/index.js";
import { ACTION_TYPES, EMPTY_DECISIONS, type PlanAction } from "../src/types.js";
import { account, inputOf, linkedStudentAccount, student } from "./test-fixtures.js";

const countsOf = (actions: readonly PlanAction[]) =>
  Object.fromEntries(ACTION_TYPES.map((t) => [t, actions.filter((a) => a.type === t).length]));

describe("plan", () => {
  it("orders actions createField, then add/link/update/restore, archive, skip, each by id", () => {
    const people = [
      student("5", { email: null }),
      student("4", { fields: { homeroom: "9Z" } }),
      student("3"),
      student("2"),
      student("1"),
    ];
    const accounts = [
      account("z", { sourceId: "99" }),
      linkedStudentAccount("b", student("4")),
      linkedStudentAccount("c", student("2"), { archived: true }),
      account("d", { email: "kid3@school.org", managed: false }),
      account("a", { sourceId: "98" }),
    ];
    const p = plan(
      inputOf(people, accounts, {
        decisions: unselect(EMPTY_DECISIONS, "1"),
        profile: { ...inputOf([]).profile, fieldMap: [{ source: "homeroom", target: "Room" }] },
        targetFields: [],
      }),
    );
    expect(p.actions.map((a) => a.actionId)).toEqual([
      "createField:Room",
      "restore:2",
      "link:3",
      "update:4",
      "archive:a",
      "archive:z",
      "skip:1",
      "skip:5",
    ]);
    expect(p.counts).toEqual(countsOf(p.actions));
    expect(p.sourceCount).toBe(5);
    expect(p.accountCount).toBe(5);
  });

  it("re-syncs a year later: graduates archived, returning students restored, new families added, only new errors new", () => {
    const year1 = generateSchool({ seed: 21, people: 600, accountsFor: "none" });
    const profile = generatedProfile(year1, "student");
    const input1 = { people: year1.people, accounts: year1.accounts, profile, decisions: EMPTY_DECISIONS };
    const report1 = review(input1);
    const plan1 = plan(input1);
    expect(plan1.counts.add).toBe(report1.totals.toSync);
    const decisions = markReviewed(recordDefaults(EMPTY_DECISIONS, report1), report1);
    const accounts = simulateApply(year1.accounts, plan1);

    const year2 = nextSchoolYear(year1, { seed: 22, returnRate: 1 });
    const lastRun = { sourceCount: year1.people.length, errorFingerprints: report1.errorFingerprints };
    const input2 = { people: year2.people, accounts, profile, decisions, lastRun };
    const report2 = review(input2);
    const plan2 = plan(input2);

    const graduated = year2.people.filter((p, i) => p.status === "graduated" && year1.people[i]?.status === "enrolled");
    const importable1 = new Set(report1.rows.filter((r) => r.status === "importable").map((r) => r.sourceId));
    const archived = new Set(plan2.actions.flatMap((a) => (a.type === "archive" ? [a.sourceId] : [])));
    for (const g of graduated) if (importable1.has(g.sourceId)) expect(archived.has(g.sourceId)).toBe(true);

    // New? = not seen in scope last year (R5): newcomers, and people who entered the scope since.
    const seenInScope1 = new Set(report1.rows.filter((r) => r.status !== "out-of-scope").map((r) => r.sourceId));
    const newcomers = report2.rows.filter((r) => r.isNew);
    expect(newcomers.length).toBeGreaterThan(0);
    expect(newcomers.every((r) => !seenInScope1.has(r.sourceId))).toBe(true);
    expect(report2.rows.filter((r) => !r.isNew).every((r) => seenInScope1.has(r.sourceId))).toBe(true);
    const newErrorRows = report2.rows.filter((r) => r.isNewError);
    expect(newErrorRows.every((r) => !report1.errorFingerprints.includes(r.errorFingerprint ?? ""))).toBe(true);
    expect(report2.totals.newErrors).toBeLessThan(report2.totals.excluded);

    // Returning students (withdrawn last year, enrolled now) get no second account: they are added now
    // for the first time or, once archived, restored.
    const again = plan({ ...input2, accounts: simulateApply(accounts, plan2) });
    expect(again.counts).toMatchObject({ add: 0, link: 0, update: 0, restore: 0, archive: 0 });
  });

  it("restores a returning student's archived account with their history (R7)", () => {
    const kid = student("1");
    const year1 = plan(inputOf([{ ...kid, status: "withdrawn" }], [linkedStudentAccount("a1", kid)]));
    const afterYear1 = simulateApply([linkedStudentAccount("a1", kid)], year1);
    expect(afterYear1[0]?.archived).toBe(true);
    const year2 = plan(inputOf([kid], afterYear1));
    expect(year2.actions).toMatchObject([{ type: "restore", accountId: "a1" }]);
    expect(simulateApply(afterYear1, year2)[0]).toMatchObject({ accountId: "a1", archived: false });
  });
});
