import { describe, expect, it } from "vitest";
import { mergeCandidates } from "./merge-candidates.js";
import { plan } from "./plan.js";
import { account, inputOf, linkedStudentAccount, student } from "./test-fixtures.js";

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
    const stranger = account("host-6", { email: "x@home.net", managed: false, firstName: "Kid1", lastName: "Lee" });
    const input = inputOf([kid], [lookalike, stranger]);
    expect(plan(input).actions.map((a) => a.actionId)).toEqual(["add:1"]);
    expect(mergeCandidates(input)).toEqual([
      {
        sourceId: "1",
        accountId: "host-5",
        personName: "Kid1 Lee",
        personEmail: "kid1@school.org",
        accountEmail: "kiddo@home.net",
        evidence: ["same-birth-date"],
      },
    ]);
  });

  it("suggests a merge for a shared family group too (R6)", () => {
    const kid = student("1");
    const lookalike = account("host-5", {
      email: "k@home.net",
      managed: false,
      firstName: "Kid1",
      lastName: "Lee",
      familyGroupId: "F1",
    });
    expect(mergeCandidates(inputOf([kid], [lookalike]))[0]?.evidence).toEqual(["same-family"]);
  });

  it("lists nobody for people who are linked, matched by email or not importable (R6)", () => {
    const kid = student("1");
    const lookalike = account("host-5", {
      email: "k@home.net",
      managed: false,
      firstName: "Kid1",
      lastName: "Lee",
      familyGroupId: "F1",
    });
    expect(mergeCandidates(inputOf([kid], [linkedStudentAccount("a1", kid), lookalike]))).toEqual([]);
    expect(mergeCandidates(inputOf([{ ...kid, email: null }], [lookalike]))).toEqual([]);
    expect(mergeCandidates(inputOf([{ ...kid, status: "withdrawn" }], [lookalike]))).toEqual([]);
  });
});
