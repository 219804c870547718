import { describe, expect, it } from "vitest";
import { GRAY, IMPORTABLE, OUT_OF_SCOPE, RED } from "../src/analysis-codes.js";
import {
  flagDuplicates,
  groupByEmail,
  isMergeAfterTheFact,
  judgePeople,
  roundsOf,
  scopePeople,
  settlePending,
} from "../src/analysis-people.js";
import { readAccounts, readPeople, reservedAccounts } from "../src/analysis-read.js";
import { indexIds } from "../src/id-index.js";
import { settleEmails } from "../src/settle-emails.js";
import { StringTable } from "../src/string-table.js";
import type { Account, Decisions, SourcePerson, SyncProfile } from "../src/types.js";
import { EMPTY_DECISIONS } from "../src/types.js";
import type { InputProblem } from "../src/validate.js";

const person = (sourceId: string, email: string, over: Partial<SourcePerson> = {}): SourcePerson => ({
  sourceId,
  role: "student",
  firstName: `Kid${sourceId}`,
  lastName: "Lee",
  email,
  schoolCode: "MAIN",
  gradeLevel: "05",
  status: "enrolled",
  families: [{ familyId: "F1" }],
  studentIds: [],
  fields: {},
  ...over,
});

const account = (accountId: string, email: string, over: Partial<Account> = {}): Account => ({
  accountId,
  email,
  archived: false,
  managed: true,
  fields: {},
  neverAccessed: false,
  ...over,
});

const profile: SyncProfile = {
  role: "student",
  schools: ["MAIN"],
  gradeLevels: ["05"],
  defaultSelection: true,
  fieldMap: [],
  hoursSync: { enabled: false, historicImportDone: false },
};

/** Every pass of the analysis in order, as `analyseNow` runs them. */
function run(people: SourcePerson[], accounts: Account[], decisions: Decisions = EMPTY_DECISIONS) {
  const problems: InputProblem[] = [];
  const read = readPeople(people, problems);
  const { index: ids } = indexIds(people);
  const accountsRead = readAccounts(accounts, people.length, ids, decisions.merges, problems);
  const scoped = scopePeople(people, profile, ids);
  const groups = groupByEmail(read, scoped, accountsRead);
  const flags = flagDuplicates(people, groups, accountsRead, decisions.duplicates);
  const judged = judgePeople(people, accounts, { profile, decisions }, read, accountsRead, scoped, groups, flags);
  const round = settlePending(people, accounts, read, accountsRead, judged, scoped, flags);
  return { problems, read, accountsRead, scoped, groups, flags, judged, round };
}

describe("the analysis's passes, each on its own", () => {
  it("readPeople normalises emails (R1) and reports a malformed record without stopping", () => {
    const problems: InputProblem[] = [];
    const people = [
      person("1", " Ann@School.ORG "),
      person("2", ""),
      person("3", "not an email"),
      { sourceId: 4 } as unknown as SourcePerson,
    ];
    const read = readPeople(people, problems);
    expect(read.email.slice(0, 3)).toEqual(["ann@school.org", "", "not an email"]);
    expect([...read.emailKind.slice(0, 3)]).toEqual([0, 1, 2]);
    expect(problems.some((p) => p.path.startsWith("people[3]"))).toBe(true);
  });

  it("readAccounts links accounts to people, gives an email to the smallest accountId and notes merge targets", () => {
    const people = [person("1", "a@x.org"), person("2", "b@x.org")];
    const accounts = [
      account("B", "shared@x.org"),
      account("A", "shared@x.org"),
      account("C", "c@x.org", { sourceId: "2" }),
    ];
    const problems: InputProblem[] = [];
    const read = readAccounts(accounts, 2, indexIds(people).index, { "1": "B" }, problems);
    expect(problems).toEqual([]);
    expect([...read.linked]).toEqual([-1, 2]);
    expect([...read.accountPerson]).toEqual([-1, -1, 1]);
    expect(read.owner[read.emails.find("shared@x.org")]).toBe(1);
    expect([...read.mergeTargets]).toEqual([["B", 0]]);
  });

  it("readAccounts lists a repeated accountId and a person linked twice", () => {
    const people = [person("1", "a@x.org")];
    const accounts = [account("A", "a@x.org", { sourceId: "1" }), account("A", "b@x.org", { sourceId: "1" })];
    const problems: InputProblem[] = [];
    readAccounts(accounts, 1, indexIds(people).index, {}, problems);
    expect(problems.map((p) => p.message)).toEqual([
      "is a duplicate accountId",
      "person 1 is linked to another account too",
    ]);
  });

  it("reservedAccounts maps each merge target to its person and ignores anything but an id", () => {
    const merges = { "1": "A", "2": 7 } as unknown as Decisions["merges"];
    expect([...reservedAccounts(merges)]).toEqual([["A", "1"]]);
  });

  it("scopePeople keeps parents out of a students profile", () => {
    const people = [person("1", "a@x.org"), person("2", "b@x.org", { role: "parent", gradeLevel: null })];
    const scoped = scopePeople(people, profile, indexIds(people).index);
    expect(scoped.reason).toEqual([null, "wrong-role"]);
    expect(scoped.scopeChild).toBeNull();
  });

  it("flagDuplicates: an unresolved group is red for all, a resolved one gray for the others", () => {
    const people = [person("1", "s@x.org"), person("2", "s@x.org"), person("3", "t@x.org"), person("4", "t@x.org")];
    const decisions: Decisions = {
      ...EMPTY_DECISIONS,
      duplicates: { "t@x.org": { chosen: "3", members: ["3", "4"] } },
    };
    const { flags, judged } = run(people, [], decisions);
    expect(flags.groups.map((g) => [g.email, g.flag, g.chosen])).toEqual([
      ["s@x.org", "red", null],
      ["t@x.org", "gray", "3"],
    ]);
    expect([...flags.flag]).toEqual([RED, RED, 0, GRAY]);
    expect(judged.status[2]).toBe(IMPORTABLE);
    expect(flags.duplicateReason.get(3)).toBe("duplicate-other-selected");
  });

  it("judgePeople: out of scope, unselected, email in use", () => {
    const people = [
      person("1", "a@x.org", { role: "parent", gradeLevel: null }),
      person("2", "b@x.org"),
      person("3", "held@x.org"),
    ];
    const accounts = [account("H", "held@x.org", { managed: false, sourceId: "9" })];
    const decisions: Decisions = { ...EMPTY_DECISIONS, selections: { "2": false, "3": false } };
    const { judged, scoped, flags } = run(people, accounts, decisions);
    expect(judged.status[0]).toBe(OUT_OF_SCOPE);
    expect(scoped.reason).toEqual(["wrong-role", "unselected", "email-in-use"]);
    expect(flags.fingerprint.has(2)).toBe(true);
    expect(judged.counts).toEqual({ importable: 0, excluded: 1, skipped: 1, outOfScope: 1 });
  });

  it("settlePending: a person takes an email in the round after its holder moved away", () => {
    // Account A (person 1) moves from old@ to new@; person 2 takes old@ afterwards.
    const people = [person("1", "new@x.org"), person("2", "old@x.org")];
    const accounts = [account("A", "old@x.org", { sourceId: "1" })];
    const { judged, round } = run(people, accounts);
    expect([...judged.status]).toEqual([IMPORTABLE, IMPORTABLE]);
    expect(round === null ? null : [...round]).toEqual([0, 1]);
  });

  it("settlePending: two accounts swapping emails never settle and are excluded", () => {
    const people = [person("1", "b@x.org"), person("2", "a@x.org")];
    const accounts = [account("A", "a@x.org", { sourceId: "1" }), account("B", "b@x.org", { sourceId: "2" })];
    const { judged, scoped, round } = run(people, accounts);
    expect(scoped.reason).toEqual(["email-in-use", "email-in-use"]);
    expect([...judged.target]).toEqual([-1, -1]);
    expect(round).toBeNull();
  });
});

describe("settleEmails", () => {
  const table = (owned: [string, number][]) => {
    const emails = new StringTable(8);
    const owner = new Int32Array(16).fill(-1);
    for (const [e, j] of owned) owner[emails.add(e)] = j;
    return { emails, owner };
  };

  it("answers nothing for nobody pending", () => {
    const { emails, owner } = table([]);
    expect(settleEmails([], [], new Int32Array(0), [], emails, owner, []).size).toBe(0);
  });

  it("a new account takes an email freed by a merge after the fact in round 0", () => {
    const { emails, owner } = table([["x@x.org", 0]]);
    const result = settleEmails([0], ["x@x.org"], Int32Array.of(-1), ["x@x.org"], emails, owner, ["x@x.org"]);
    expect([...result]).toEqual([[0, 0]]);
  });

  it("a conflict answers -2 - owner", () => {
    const { emails, owner } = table([["x@x.org", 3]]);
    const result = settleEmails([0], ["x@x.org"], Int32Array.of(-1), ["", "", "", "x@x.org"], emails, owner, []);
    expect([...result]).toEqual([[0, -5]]);
  });
});

describe("small rules", () => {
  it("isMergeAfterTheFact follows a managed duplicate into a free account only", () => {
    const dup = account("D", "d@x.org", { sourceId: "1" });
    expect(isMergeAfterTheFact(dup, account("F", "f@x.org", { managed: false }))).toBe(true);
    expect(isMergeAfterTheFact({ ...dup, managed: false }, account("F", "f@x.org", { managed: false }))).toBe(false);
    expect(isMergeAfterTheFact(dup, account("F", "f@x.org", { sourceId: "2" }))).toBe(false);
    expect(isMergeAfterTheFact(dup, account("F", "f@x.org", { archived: true, managed: true }))).toBe(false);
  });

  it("roundsOf is null when every write is in round 0", () => {
    expect(roundsOf(3, [1], new Map([[1, 0]]))).toBeNull();
    expect([
      ...(roundsOf(
        3,
        [1, 2],
        new Map([
          [1, 2],
          [2, -3],
        ]),
      ) as Int32Array),
    ]).toEqual([0, 2, 0]);
  });
});
