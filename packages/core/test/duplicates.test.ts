import { describe, expect, it } from "vitest";
import { resolveDuplicate } from "../src/decisions.js";
import { duplicateFingerprint, resolutionState } from "../src/duplicates.js";
import { plan } from "../src/plan.js";
import { review } from "../src/review.js";
import { EMPTY_DECISIONS } from "../src/types.js";
import { account, inputOf, parent, parentProfile, student } from "./test-fixtures.js";

const family = "family@mail.org";

describe("duplicates (R3)", () => {
  it("excludes every member of an unresolved duplicate email group, flag red (R3)", () => {
    const report = review(
      inputOf([student("1", { email: family }), student("2", { email: "FAMILY@mail.org" }), student("3")]),
    );
    expect(report.rows.slice(0, 2).map((r) => [r.status, r.reasons[0], r.flag])).toEqual([
      ["excluded", "duplicate-unresolved", "red"],
      ["excluded", "duplicate-unresolved", "red"],
    ]);
    expect(report.rows[2]?.status).toBe("importable");
    expect(report.duplicateGroups).toEqual([
      { email: family, members: ["1", "2"], chosen: null, stale: false, flag: "red" },
    ]);
    expect(report.totals.duplicatesRed).toBe(2);
  });

  it("imports the chosen member of a resolved group and excludes the others gray (R3)", () => {
    const input = inputOf([student("1", { email: family }), student("2", { email: family })]);
    const decisions = resolveDuplicate(EMPTY_DECISIONS, family, "2", review(input));
    const report = review({ ...input, decisions });
    expect(report.rows.map((r) => [r.sourceId, r.status, r.reasons[0] ?? null, r.flag])).toEqual([
      ["1", "excluded", "duplicate-other-selected", "gray"],
      ["2", "importable", null, null],
    ]);
    expect(report.duplicateGroups[0]).toMatchObject({ chosen: "2", stale: false, flag: "gray" });
    expect(report.totals.duplicatesGray).toBe(1);
    // A resolved group is not an error any more.
    expect(report.errorFingerprints).toEqual([]);
  });

  it("makes a resolution stale when someone joins the group: red again and a new error (R3, R5)", () => {
    const before = inputOf([student("1", { email: family }), student("2", { email: family })]);
    const decisions = resolveDuplicate(EMPTY_DECISIONS, family, "2", review(before));
    const after = { ...before, people: [...before.people, student("3", { email: family })], decisions };
    const report = review({
      ...after,
      lastRun: { sourceCount: 2, errorFingerprints: review(before).errorFingerprints },
    });
    expect(report.duplicateGroups[0]).toMatchObject({
      members: ["1", "2", "3"],
      chosen: null,
      stale: true,
      flag: "red",
    });
    expect(report.rows.every((r) => r.status === "excluded" && r.flag === "red" && r.isNewError)).toBe(true);
    expect(report.totals.newErrors).toBe(3);
  });

  it("makes a resolution stale when a member leaves the group (R3)", () => {
    expect(resolutionState({ chosen: "1", members: ["1", "2", "3"] }, ["1", "2"])).toBe("stale");
    expect(resolutionState({ chosen: "9", members: ["1", "2"] }, ["1", "2"])).toBe("stale");
    expect(resolutionState({ chosen: "1", members: ["2", "1"] }, ["1", "2"])).toBe("resolved");
    expect(resolutionState(undefined, ["1", "2"])).toBe("unresolved");
    expect(duplicateFingerprint("a@b.org", ["1", "2"], true)).not.toBe(
      duplicateFingerprint("a@b.org", ["1", "2"], false),
    );
  });

  it("groups only in-scope people: a graduate sharing the email does not block a sibling (R3)", () => {
    const report = review(
      inputOf([student("1", { email: family }), student("2", { email: family, status: "graduated" })]),
    );
    expect(report.rows[0]?.status).toBe("importable");
    expect(report.duplicateGroups).toEqual([]);
  });

  it("excludes as email-in-use a person whose email an account linked to someone else owns (R3)", () => {
    const input = inputOf(
      [student("1", { email: "kid@school.org" })],
      [account("a1", { email: "Kid@School.org", sourceId: "77" })],
    );
    const row = review(input).rows[0];
    expect([row?.status, row?.reasons[0], row?.flag]).toEqual(["excluded", "email-in-use", "red"]);
    expect(row?.errorFingerprint).toBe("email-in-use:1,a1");
    expect(plan(input).actions.filter((a) => a.type === "add" || a.type === "link")).toEqual([]);
  });

  it("handles the shared family email of a parents profile: both parents red until one is chosen (R3)", () => {
    const people = [
      student("1"),
      parent("10", ["1"], { email: family }),
      parent("11", ["1"], { email: family, families: [{ familyId: "F1", relationship: "Father", parentOrder: 2 }] }),
    ];
    const input = inputOf(people, [], { profile: parentProfile() });
    const first = review(input);
    expect(first.rows.filter((r) => r.flag === "red").map((r) => r.sourceId)).toEqual(["10", "11"]);
    const decisions = resolveDuplicate(EMPTY_DECISIONS, family, "10", first);
    const planned = plan({ ...input, decisions });
    expect(planned.actions.map((a) => a.actionId)).toEqual(["add:10", "skip:11"]);
  });
});
