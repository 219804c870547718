import { describe, expect, it } from "vitest";
import { manualMerge } from "../src/decisions.js";
import { plan } from "../src/plan.js";
import { simulateApply } from "../src/simulate.js";
import { EMPTY_DECISIONS } from "../src/types.js";
import { account, inputOf, linkedStudentAccount, parent, parentProfile, student } from "./test-fixtures.js";

describe("simulateApply", () => {
  it("leaves what a correct apply leaves: new accounts with deterministic ids, links, archives (R6, R7)", () => {
    const people = [student("1"), student("2"), student("3", { fields: { homeroom: "5C" } })];
    const accounts = [
      account("host-2", { email: "kid2@school.org", managed: false }),
      linkedStudentAccount("a3", student("3")),
      account("a9", { sourceId: "9" }),
    ];
    const p = plan(inputOf(people, accounts));
    const after = simulateApply(accounts, p);
    expect(after.map((a) => [a.accountId, a.sourceId, a.archived, a.managed, a.fields.Homeroom])).toEqual([
      ["host-2", "2", false, true, "5A"],
      ["a3", "3", false, true, "5C"],
      ["a9", "9", true, true, undefined],
      ["new:1", "1", false, true, "5A"],
    ]);
    expect(accounts[0]?.sourceId).toBeUndefined();
  });

  it("converges: planning again after the apply finds nothing to write (R6–R9)", () => {
    const people = [student("1"), parent("10", ["1"]), parent("11", ["1"], { email: "NEW@mail.org" })];
    const accounts = [account("x", { email: "old@mail.org", managed: false })];
    const input = inputOf(people, accounts, {
      profile: parentProfile({ familyOverrides: { F1: "g1" } }),
      decisions: manualMerge(EMPTY_DECISIONS, "11", "x"),
    });
    const first = plan(input);
    expect(first.counts).toMatchObject({ add: 1, link: 1 });
    const again = plan({ ...input, accounts: simulateApply(accounts, first) });
    expect(again.actions).toEqual([]);
  });
});
