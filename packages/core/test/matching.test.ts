import { describe, expect, it } from "vitest";
import { manualMerge } from "../src/decisions.js";
import { findAccount, indexAccounts } from "../src/matching.js";
import { plan } from "../src/plan.js";
import { EMPTY_DECISIONS } from "../src/types.js";
import { account, familyAccount, inputOf, linkedStudentAccount, student } from "./test-fixtures.js";

describe("matching (R6)", () => {
  it("updates the account linked to the person when a mapped field changed, and does nothing otherwise (R6)", () => {
    const kid = student("1");
    const same = plan(inputOf([kid], [linkedStudentAccount("a1", kid)]));
    expect(same.actions).toEqual([]);
    const moved = plan(inputOf([{ ...kid, fields: { homeroom: "6A" } }], [linkedStudentAccount("a1", kid)]));
    expect(moved.actions).toEqual([
      {
        type: "update",
        actionId: "update:1",
        reasons: ["fields-changed"],
        sourceId: "1",
        accountId: "a1",
        changes: [{ field: "Homeroom", from: "5A", to: "6A" }],
      },
    ]);
  });

  it("restores an archived linked account of a returning person (R6, R7)", () => {
    const kid = student("1");
    const p = plan(inputOf([kid], [linkedStudentAccount("a1", kid, { archived: true })]));
    expect(p.actions).toMatchObject([{ type: "restore", accountId: "a1", reasons: ["returning"], changes: [] }]);
  });

  it("links an unlinked account with the same normalised email: auto-merge, the account keeps its id and hours (R6)", () => {
    const kid = student("1", { email: "Kid1@School.org" });
    const existing = familyAccount("host-9", "kid1@school.org");
    const p = plan(inputOf([kid], [existing]));
    expect(p.actions).toEqual([
      {
        type: "link",
        actionId: "link:1",
        reasons: ["email-match"],
        sourceId: "1",
        accountId: "host-9",
        changes: [{ field: "Homeroom", from: null, to: "5A" }],
      },
    ]);
  });

  it("follows the admin's manual merge before matching by email (R6)", () => {
    const kid = student("1");
    const other = account("host-3", { email: "old.address@home.net", managed: false });
    const decisions = manualMerge(EMPTY_DECISIONS, "1", "host-3");
    const p = plan(inputOf([kid], [other], { decisions }));
    expect(p.actions).toMatchObject([
      {
        type: "link",
        reasons: ["manual-merge"],
        accountId: "host-3",
        changes: [
          { field: "email", from: "old.address@home.net", to: "kid1@school.org" },
          { field: "firstName", from: null, to: "Kid1" },
          { field: "lastName", from: null, to: "Lee" },
          { field: "Homeroom", from: null, to: "5A" },
        ],
      },
    ]);
  });

  it("creates a new account for a person whose email no account has, never merging by name (R6)", () => {
    const kid = student("1", { birthDate: "2015-04-02" });
    const lookalike = familyAccount("host-5", "kiddo@home.net");
    expect(plan(inputOf([kid], [lookalike])).actions.map((a) => a.actionId)).toEqual(["add:1"]);
  });

  it("never links an account someone else is linked to, nor an archived unlinked one (R6)", () => {
    const index = indexAccounts(
      [
        account("a1", { email: "x@school.org", sourceId: "9" }),
        account("a2", { email: "y@school.org", archived: true }),
      ],
      EMPTY_DECISIONS,
    );
    expect(findAccount(index, "1", "x@school.org", EMPTY_DECISIONS)).toEqual({ account: -1, kind: "none" });
    expect(findAccount(index, "1", "y@school.org", EMPTY_DECISIONS)).toEqual({ account: -1, kind: "none" });
    expect(findAccount(index, "9", "", EMPTY_DECISIONS)).toEqual({ account: 0, kind: "linked" });
  });
});
