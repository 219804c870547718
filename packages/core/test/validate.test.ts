import { describe, expect, it } from "vitest";
import { plan } from "../src/plan.js";
import { review } from "../src/review.js";
import type { Account, PlanInput, SourcePerson } from "../src/types.js";
import { checkPlanInput, RosterInputError } from "../src/validate.js";
import { account, inputOf, student, studentProfile } from "./test-fixtures.js";

/** Feed the API what untyped callers (JSON, JavaScript) can feed it. */
const untyped = (value: unknown): SourcePerson => value as SourcePerson;

describe("input validation", () => {
  const bad: PlanInput = inputOf(
    [
      student("1"),
      untyped({ ...student("2"), firstName: null }),
      untyped({ ...student("3"), role: "teacher" }),
      student("1"),
      untyped({ ...student("5"), status: "alumni", fields: { homeroom: 5 } }),
      untyped(null),
    ],
    [
      account("a1", { sourceId: "1" }),
      account("a2", { sourceId: "1" }),
      { ...account("a3"), archived: "no" as unknown as boolean },
    ],
  );

  it("lists every bad record with its id and field path (nulls, unknown roles and statuses, duplicate ids)", () => {
    const problems = checkPlanInput(bad);
    expect(problems.map((p) => [p.record, p.path])).toEqual([
      ["person 2", "people[1].firstName"],
      ["person 3", "people[2].role"],
      ["person 1", "people[3].sourceId"],
      ["person 5", "people[4].status"],
      ["person 5", "people[4].fields.homeroom"],
      ["people[5]", "people[5]"],
      ["account a2", "accounts[1].sourceId"],
      ["account a3", "accounts[2].archived"],
    ]);
  });

  it("makes review and plan throw one typed RosterInputError with all the problems, never a crash inside", () => {
    for (const run of [review, plan]) {
      let caught: unknown;
      try {
        run(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RosterInputError);
      const error = caught as RosterInputError;
      expect(error.type).toBe("InvalidInput");
      expect(error.problems).toHaveLength(8);
      expect(error.message).toContain("person 2 (people[1].firstName)");
    }
  });

  it("refuses each malformed field the plan hash reads, in every record, and only those", () => {
    // Each of these used to be hashed or read without a check: the digest's walk now checks as it reads.
    const input = inputOf(
      [
        student("1"),
        untyped({ ...student("2"), families: [{ familyId: "F2", listedFirst: "yes" }] }),
        untyped({ ...student("3"), families: [{ familyId: "F3", custody: 1 }] }),
        untyped({ ...student("4"), email: undefined }),
        untyped({ ...student("5"), studentIds: [7] }),
      ],
      [
        account("a1", { sourceId: "1" }),
        { ...account("a2"), firstName: 7 as unknown as string },
        { ...account("a3"), birthDate: false as unknown as string },
        { ...account("a4"), lastName: null as unknown as string },
      ],
    );
    const problems = checkPlanInput(input).map((p) => p.path);
    expect(problems).toEqual([
      "people[1].families[0].listedFirst",
      "people[2].families[0].custody",
      "people[3].email",
      "people[4].studentIds",
      "accounts[1].firstName",
      "accounts[2].birthDate",
    ]);
    expect(() => plan(input)).toThrow(RosterInputError);
  });

  it("checks the profile and decisions too (reserved targets, unknown role, bad selections)", () => {
    const problems = checkPlanInput({
      ...inputOf([student("1")]),
      profile: studentProfile({ role: "staff" as "student", fieldMap: [{ source: "x", target: "email" }] }),
      decisions: {
        selections: { "1": "yes" as unknown as boolean },
        duplicates: {},
        merges: {},
        reviewed: [],
        acknowledgedHolds: [],
      },
    });
    expect(problems.map((p) => p.path)).toEqual([
      "profile.role",
      "profile.fieldMap[0].target",
      "decisions.selections.1",
    ]);
  });

  it("names a record without a usable id by its position, and a repeated id under the record", () => {
    const input = inputOf(
      [
        untyped({ ...student("1"), sourceId: "" }),
        untyped({ ...student("2"), sourceId: 2, firstName: null }),
        student("3"),
        student("3"),
      ],
      [
        { ...account("a1"), accountId: null as unknown as string },
        "a2" as unknown as Account,
        account("a3"),
        account("a3"),
      ],
    );
    expect(checkPlanInput(input)).toEqual([
      { record: "people[0]", path: "people[0].sourceId", message: "must be a non-empty string" },
      { record: "people[1]", path: "people[1].sourceId", message: "must be a non-empty string" },
      { record: "people[1]", path: "people[1].firstName", message: "must be a string" },
      { record: "person 3", path: "people[3].sourceId", message: "is a duplicate sourceId" },
      { record: "accounts[0]", path: "accounts[0].accountId", message: "must be a non-empty string" },
      { record: "accounts[1]", path: "accounts[1]", message: "must be an object" },
      { record: "account a3", path: "accounts[3].accountId", message: "is a duplicate accountId" },
    ]);
  });

  it("accepts good input", () => {
    expect(checkPlanInput(inputOf([student("1")], [account("a1")]))).toEqual([]);
  });
});

describe("input validation under fuzzing", () => {
  it("answers any malformed record with RosterInputError, never another exception", async () => {
    const fc = (await import("fast-check")).default;
    const junkPerson = fc.oneof(
      fc.anything(),
      fc.record({ ...Object.fromEntries(Object.keys(student("1")).map((k) => [k, fc.anything()])) }),
      fc.constant(student("1")),
    );
    const junkAccount = fc.oneof(
      fc.anything(),
      fc.constant(account("a1")),
      fc.record({ accountId: fc.anything(), email: fc.anything() }),
    );
    fc.assert(
      fc.property(
        fc.array(junkPerson, { maxLength: 4 }),
        fc.array(junkAccount, { maxLength: 3 }),
        (people, accounts) => {
          const input = inputOf(people as SourcePerson[], accounts as ReturnType<typeof account>[]);
          try {
            review(input);
            plan(input);
          } catch (error) {
            expect(error).toBeInstanceOf(RosterInputError);
            expect((error as RosterInputError).problems.length).toBeGreaterThan(0);
            expect(checkPlanInput(input).length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
