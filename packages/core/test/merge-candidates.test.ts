import { describe, expect, it } from "vitest";
import { manualMerge } from "../src/decisions.js";
import { mergeCandidates } from "../src/merge-candidates.js";
import { plan } from "../src/plan.js";
import { review } from "../src/review.js";
import { simulateApply } from "../src/simulate.js";
import { EMPTY_DECISIONS } from "../src/types.js";
import { account, familyAccount, inputOf, linkedStudentAccount, student } from "./test-fixtures.js";

describe("merge candidates (R6)", () => {
  it("creates a new account for a different email and lists the look-alike as a merge candidate, never merging it (R6)", () => {
    const kid = student("1", { birthDate: "2015-04-02" });
    const lookalike = account("host-5", {
      email: "kiddo@home.net",
      managed: false,
      firstName: "kid1",
      lastName: "LEE",
      birthDate: "2015-04-02",
    });
    const stranger = familyAccount("host-6", "x@home.net");
    const input = inputOf([kid], [lookalike, stranger]);
    expect(plan(input).actions.map((a) => a.actionId)).toEqual(["add:1"]);
    expect(mergeCandidates(input)).toEqual([
      {
        sourceId: "1",
        accountId: "host-5",
        personName: "Kid1 Lee",
        personEmail: "kid1@school.org",
        accountEmail: "kiddo@home.net",
        evidence: ["same-name", "same-birth-date"],
        strength: "strong",
        duplicateAccountId: null,
      },
      // Same name, nothing to compare: a weaker candidate, said so.
      {
        sourceId: "1",
        accountId: "host-6",
        personName: "Kid1 Lee",
        personEmail: "kid1@school.org",
        accountEmail: "x@home.net",
        evidence: ["same-name"],
        strength: "weak",
        duplicateAccountId: null,
      },
    ]);
  });

  it("suggests a merge for a shared family group too (R6)", () => {
    const kid = student("1");
    const lookalike = familyAccount("host-5", "k@home.net", { familyGroupId: "F1" });
    expect(mergeCandidates(inputOf([kid], [lookalike]))[0]).toMatchObject({
      evidence: ["same-name", "same-family"],
      strength: "strong",
    });
  });

  it("suggests name-only look-alikes as weak candidates, but never an account with another birth date (R6)", () => {
    const kid = student("1", { birthDate: "2015-04-02" });
    const nameOnly = familyAccount("host-5", "k@home.net");
    const otherBirth = familyAccount("host-6", "k2@home.net", { birthDate: "2001-01-01" });
    const archived = familyAccount("host-7", "k3@home.net", { archived: true });
    expect(
      mergeCandidates(inputOf([kid], [nameOnly, otherBirth, archived])).map((c) => [c.accountId, c.strength]),
    ).toEqual([["host-5", "weak"]]);
  });

  it("lists nobody for people who are matched by email, merged by hand or not importable (R6)", () => {
    const kid = student("1");
    const lookalike = familyAccount("host-5", "k@home.net", { familyGroupId: "F1" });
    expect(
      mergeCandidates(inputOf([kid], [account("a1", { email: kid.email ?? "", managed: false }), lookalike])),
    ).toEqual([]);
    expect(mergeCandidates(inputOf([{ ...kid, email: null }], [lookalike]))).toEqual([]);
    expect(mergeCandidates(inputOf([{ ...kid, status: "withdrawn" }], [lookalike]))).toEqual([]);
  });
});

describe("merging after the fact (R6)", () => {
  const kid = student("1", { birthDate: "2015-04-02" });
  // The sync made kid 1 an account under the SIS email; the family had one already, with hours.
  const duplicate = linkedStudentAccount("a1", kid);
  const before = familyAccount("host-5", "kiddo@home.net", { birthDate: "2015-04-02" });

  it("still lists the look-alike once the duplicate account exists, naming the duplicate (R6)", () => {
    expect(mergeCandidates(inputOf([kid], [duplicate, before]))).toEqual([
      expect.objectContaining({
        sourceId: "1",
        accountId: "host-5",
        evidence: ["same-name", "same-birth-date"],
        duplicateAccountId: "a1",
      }),
    ]);
  });

  it("links the person to the chosen account and archives the duplicate as merged, first (R6)", () => {
    const decisions = manualMerge(EMPTY_DECISIONS, "1", "host-5");
    const input = inputOf([kid], [duplicate, before], { decisions });
    expect(review(input).rows[0]).toMatchObject({ status: "importable", reasons: [] });
    const p = plan(input);
    expect(p.actions).toEqual([
      {
        type: "archive",
        actionId: "archive:a1",
        reasons: ["merged"],
        accountId: "a1",
        sourceId: "1",
        mergedInto: "host-5",
      },
      expect.objectContaining({
        type: "link",
        sourceId: "1",
        accountId: "host-5",
        reasons: ["manual-merge"],
        changes: expect.arrayContaining([{ field: "email", from: "kiddo@home.net", to: "kid1@school.org" }]),
      }),
    ]);
    expect(p.counts).toMatchObject({ archive: 1, link: 1, add: 0 });
    expect(mergeCandidates(input)).toEqual([]);
    // After the apply the duplicate is retired and planning again writes nothing (convergence).
    const after = simulateApply(input.accounts, p);
    const retired = after.find((a) => a.accountId === "a1");
    expect(retired?.archived).toBe(true);
    expect(retired?.sourceId).toBeUndefined();
    expect(retired?.email).not.toBe("kid1@school.org");
    expect(after.find((a) => a.accountId === "host-5")).toMatchObject({ sourceId: "1", email: "kid1@school.org" });
    const again = plan({ ...input, accounts: after });
    expect(again.actions).toEqual([]);
  });

  it("does not follow a merge into an account another person is linked to (R6)", () => {
    const taken = { ...before, sourceId: "2", managed: true };
    const p = plan(
      inputOf([kid, student("2")], [duplicate, taken], { decisions: manualMerge(EMPTY_DECISIONS, "1", "host-5") }),
    );
    expect(p.actions.some((a) => a.type === "archive" || (a.type === "link" && a.sourceId === "1"))).toBe(false);
  });
});

describe("a same-email account the host archived (R6)", () => {
  const kid = student("1");
  const retired = familyAccount("host-9", "KID1@school.org", { archived: true });

  it("restores and links an archived account no sync ever linked, instead of email-in-use (R6)", () => {
    const input = inputOf([kid], [retired]);
    expect(review(input).rows[0]).toMatchObject({ status: "importable", reasons: [] });
    const p = plan(input);
    expect(p.actions).toEqual([
      expect.objectContaining({
        type: "link",
        accountId: "host-9",
        restore: true,
        reasons: ["email-match", "returning"],
      }),
    ]);
    const after = simulateApply(input.accounts, p);
    expect(after[0]).toMatchObject({ archived: false, managed: true, sourceId: "1" });
    expect(plan({ ...input, accounts: after }).actions).toEqual([]);
  });

  it("leaves an account a sync archived alone: the email stays in use (R6)", () => {
    const p = plan(inputOf([kid], [{ ...retired, managed: true }]));
    expect(p.actions).toEqual([expect.objectContaining({ type: "skip", reasons: ["email-in-use"] })]);
  });
});
