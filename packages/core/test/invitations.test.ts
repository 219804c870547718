import { describe, expect, it } from "vitest";
import { inviteCandidates } from "../src/invitations.js";
import { plan } from "../src/plan.js";
import { simulateApply } from "../src/simulate.js";
import { account, inputOf, linkedStudentAccount, student } from "./test-fixtures.js";

describe("invitations (R13)", () => {
  it("lists accounts the plan added and synced accounts never accessed, and nothing else (R13)", () => {
    const people = [student("1"), student("2"), student("3")];
    const accounts = [
      linkedStudentAccount("a2", people[1] as (typeof people)[0], { neverAccessed: true }),
      linkedStudentAccount("a3", people[2] as (typeof people)[0], { neverAccessed: false }),
      account("a4", { email: "staff@host.org", managed: false, neverAccessed: true }),
      account("a5", { email: "gone@host.org", sourceId: "5", neverAccessed: true, archived: true }),
    ];
    const p = plan(inputOf(people, accounts));
    const after = simulateApply(accounts, p);
    expect(inviteCandidates(after, p).map((i) => [i.accountId, i.reason])).toEqual([
      ["new:1", "added"],
      ["a2", "never-accessed"],
    ]);
  });
});
