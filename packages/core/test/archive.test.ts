import { describe, expect, it } from "vitest";
import { archiveReason } from "../src/archive.js";
import { unselect } from "../src/decisions.js";
import { plan } from "../src/plan.js";
import { EMPTY_DECISIONS } from "../src/types.js";
import { account, inputOf, linkedStudentAccount, parent, student } from "./test-fixtures.js";

describe("archive (R7)", () => {
  it("archives a managed account whose person is gone from the source (R7)", () => {
    const p = plan(
      inputOf([student("1")], [linkedStudentAccount("a1", student("1")), account("a2", { sourceId: "2" })]),
    );
    expect(p.actions).toEqual([
      { type: "archive", actionId: "archive:a2", reasons: ["gone-from-source"], accountId: "a2", sourceId: "2" },
    ]);
  });

  it("archives a managed account whose person left the scope, e.g. a graduate (R7)", () => {
    const grad = student("1", { status: "graduated", gradeLevel: "12" });
    const p = plan(inputOf([grad], [linkedStudentAccount("a1", grad)]));
    expect(p.actions).toMatchObject([{ type: "archive", accountId: "a1", reasons: ["out-of-scope"] }]);
  });

  it("never archives unmanaged accounts (R7)", () => {
    const p = plan(inputOf([], [account("a1", { sourceId: "1", managed: false }), account("a2", { managed: false })]));
    expect(p.actions).toEqual([]);
  });

  it("never archives a skipped person's account: it is skipped (R7)", () => {
    const kid = student("1");
    const p = plan(inputOf([kid], [linkedStudentAccount("a1", kid)], { decisions: unselect(EMPTY_DECISIONS, "1") }));
    expect(p.actions.map((a) => [a.type, a.reasons])).toEqual([["skip", ["unselected", "skipped-linked"]]]);
  });

  it("skips, with the error, a linked person whose email went missing: never archived (R7)", () => {
    const kid = student("1");
    const p = plan(inputOf([{ ...kid, email: null }], [linkedStudentAccount("a1", kid)]));
    expect(p.actions).toEqual([
      {
        type: "skip",
        actionId: "skip:1",
        reasons: ["missing-email", "excluded-linked"],
        sourceId: "1",
        accountId: "a1",
      },
    ]);
    expect(p.counts.archive).toBe(0);
  });

  it("skips a linked person caught in an unresolved duplicate group instead of archiving (R7)", () => {
    const kid = student("1");
    const sibling = student("2", { email: kid.email });
    const p = plan(inputOf([kid, sibling], [linkedStudentAccount("a1", kid)]));
    expect(p.actions.map((a) => a.actionId)).toEqual(["skip:1", "skip:2"]);
    expect(p.actions[0]).toMatchObject({ accountId: "a1", reasons: ["duplicate-unresolved", "excluded-linked"] });
  });

  it("leaves people of the other role to the school's other profile (R7)", () => {
    const mum = parent("10", ["1"]);
    const p = plan(inputOf([student("1"), mum], [account("a1", { sourceId: "10", email: mum.email ?? "" })]));
    expect(p.actions.filter((a) => a.type === "archive")).toEqual([]);
  });

  it("does not archive an account twice (R7)", () => {
    expect(archiveReason(account("a1", { sourceId: "1", archived: true }), null)).toBeNull();
    expect(archiveReason(account("a1", { sourceId: "1" }), "excluded")).toBeNull();
    expect(archiveReason(account("a1", { sourceId: "1" }), "out-of-scope", "not-enrolled")).toBe("out-of-scope");
  });
});
