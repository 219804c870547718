import { describe, expect, it } from "vitest";
import { acknowledgeHold } from "../src/decisions.js";
import { plan } from "../src/plan.js";
import { holdsFor, isHeld, thresholdsOf } from "../src/safety.js";
import { DEFAULT_THRESHOLDS, EMPTY_DECISIONS } from "../src/types.js";
import { account, inputOf, linkedStudentAccount, student, studentProfile } from "./test-fixtures.js";

const kids = (n: number) => Array.from({ length: n }, (_, i) => student(String(i + 1)));
const accountsOf = (people: ReturnType<typeof kids>) => people.map((p, i) => linkedStudentAccount(`a${i + 1}`, p));

describe("safety (R10)", () => {
  it("holds a plan that archives more than 10% of managed accounts and more than 5 (R10)", () => {
    const people = kids(50);
    const remaining = people.slice(0, 44); // 6 gone: 12% and more than 5
    const p = plan(inputOf(remaining, accountsOf(people)));
    expect(p.counts.archive).toBe(6);
    expect(p.holds.map((h) => h.type)).toEqual(["archive-threshold"]);
    expect(isHeld(p, EMPTY_DECISIONS)).toBe(true);
  });

  it("does not hold 5 archives, even when they are more than 10% (R10)", () => {
    const people = kids(20);
    const p = plan(inputOf(people.slice(0, 15), accountsOf(people)));
    expect(p.counts.archive).toBe(5);
    expect(p.holds).toEqual([]);
  });

  it("holds a plan that updates more than 75% of managed accounts (R10)", () => {
    const people = kids(8);
    const changed = people.map((p, i) => (i < 7 ? { ...p, fields: { homeroom: "6A" } } : p));
    const p = plan(inputOf(changed, accountsOf(people)));
    expect(p.counts.update).toBe(7);
    expect(p.holds).toMatchObject([{ type: "update-threshold", observed: 7, limit: 6 }]);
  });

  it("holds a plan when the source shrank by more than 20% since the last successful run (R10)", () => {
    const p = plan(inputOf(kids(70), [], { lastRun: { sourceCount: 100, errorFingerprints: [] } }));
    expect(p.holds).toMatchObject([{ type: "source-shrink", observed: 0.3, limit: 0.2 }]);
    expect(plan(inputOf(kids(80), [], { lastRun: { sourceCount: 100, errorFingerprints: [] } })).holds).toEqual([]);
  });

  it("lets only an acknowledgement of that plan's hash release a hold (R10)", () => {
    const people = kids(50);
    const input = inputOf(people.slice(0, 40), accountsOf(people));
    const p = plan(input);
    const decisions = acknowledgeHold(EMPTY_DECISIONS, p.planHash);
    expect(isHeld(p, decisions)).toBe(false);
    // The acknowledgement is stored by hash, so storing it does not change the hash it names.
    const again = plan({ ...input, decisions });
    expect(again.planHash).toBe(p.planHash);
    expect(isHeld(again, decisions)).toBe(false);
    expect(isHeld(again, acknowledgeHold(EMPTY_DECISIONS, "0000"))).toBe(true);
  });

  it("uses the profile's thresholds, defaults for the missing ones (R10)", () => {
    expect(thresholdsOf(studentProfile({ thresholds: { archiveMin: 0 } }))).toEqual({
      ...DEFAULT_THRESHOLDS,
      archiveMin: 0,
    });
    expect(
      holdsFor(
        { archives: 1, updates: 0, managedAccounts: 100, sourceCount: 1 },
        { ...DEFAULT_THRESHOLDS, archiveMin: 0, archiveRatio: 0 },
      ),
    ).toHaveLength(1);
    expect(plan(inputOf([], [account("a1", { sourceId: "1" })])).holds).toEqual([]);
  });
});
