import { describe, expect, it } from "vitest";
import {
  acknowledgeHold,
  decisionsBuilder,
  EMPTY_DECISIONS,
  errorReportCsv,
  inviteCandidates,
  isHeld,
  mergeCandidates,
  plan,
  review,
  simulateApply,
} from "../src/index.js";
import { generatedProfile, generateSchool } from "../src/testing/index.js";

describe("README example", () => {
  it("runs review → decide → plan → simulateApply on a generated school", () => {
    const school = generateSchool({ seed: 1, people: 3000 });
    const input = {
      people: school.people,
      accounts: school.accounts,
      profile: generatedProfile(school, "parent"),
      decisions: EMPTY_DECISIONS,
      lastRun: null,
      targetFields: [{ name: "Phone", kind: "text" as const }],
    };
    const report = review(input);
    expect(errorReportCsv(report).startsWith("sourceId,name")).toBe(true);
    const [group] = report.duplicateGroups;
    expect(group).toBeDefined();
    let decisions = decisionsBuilder(EMPTY_DECISIONS, report)
      .resolveDuplicate(group?.email ?? "", group?.members[0] ?? "")
      .selectAll({ gradeLevel: "12" }, false)
      .recordDefaults()
      .markReviewed()
      .done();
    expect(Array.isArray(mergeCandidates({ ...input, decisions }))).toBe(true);
    const p = plan({ ...input, decisions });
    if (isHeld(p, decisions)) decisions = acknowledgeHold(decisions, p.planHash);
    expect(isHeld(p, decisions)).toBe(false);
    const after = simulateApply(input.accounts, p);
    expect(inviteCandidates(after, p).length).toBeGreaterThanOrEqual(p.counts.add);
    expect(plan({ ...input, decisions, accounts: after }).counts).toMatchObject({ add: 0, link: 0, update: 0 });
  });
});
