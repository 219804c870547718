import { describe, expect, it } from "vitest";
import { plan } from "../src/plan.js";
import { review } from "../src/review.js";
import { account, inputOf, linkedStudentAccount, student, studentProfile } from "./test-fixtures.js";

describe("fields (R8)", () => {
  it("compares and writes only mapped fields, leaving unmapped target fields alone (R8)", () => {
    const kid = student("1", { fields: { homeroom: "5A", locker: "12" } });
    const acc = linkedStudentAccount("a1", kid, { fields: { Homeroom: "5A", Nickname: "Kiki" } });
    expect(plan(inputOf([kid], [acc])).actions).toEqual([]);
  });

  it("creates a missing target field first, dropdown options the distinct source values sorted (R8)", () => {
    const profile = studentProfile({
      fieldMap: [
        { source: "homeroom", target: "Homeroom" },
        { source: "house", target: "House", createAs: "dropdown" },
      ],
    });
    const people = [
      student("1", { fields: { homeroom: "5A", house: "Oak" } }),
      student("2", { fields: { homeroom: "5B", house: "Birch" } }),
      student("3", { fields: { homeroom: "5B", house: "Oak" } }),
      student("4", { fields: { homeroom: "5B", house: null } }),
    ];
    const p = plan(inputOf(people, [], { profile, targetFields: [{ name: "Homeroom", kind: "text" }] }));
    expect(p.actions[0]).toEqual({
      type: "createField",
      actionId: "createField:House",
      reasons: ["field-missing"],
      field: { name: "House", kind: "dropdown", options: ["Birch", "Oak"] },
    });
    expect(p.actions.slice(1).map((a) => a.type)).toEqual(["add", "add", "add", "add"]);
    expect(p.counts.createField).toBe(1);
  });

  it("maps the built-in grade, school and birth date, a field of the same name winning (R8)", () => {
    const profile = studentProfile({
      fieldMap: [
        { source: "gradeLevel", target: "Grade", createAs: "dropdown" },
        { source: "schoolCode", target: "School" },
        { source: "birthDate", target: "Birthday" },
      ],
    });
    const kid = student("1", { gradeLevel: "08", birthDate: "2012-04-03", fields: {} });
    const other = student("2", { gradeLevel: "07", birthDate: null, fields: { schoolCode: "ANNEX" } });
    const p = plan(inputOf([kid, other], [], { profile, targetFields: [] }));
    expect(p.actions.find((a) => a.type === "createField" && a.field.name === "Grade")).toMatchObject({
      field: { kind: "dropdown", options: ["07", "08"] },
    });
    const adds = p.actions.filter((a) => a.type === "add");
    expect(adds.map((a) => (a.type === "add" ? a.account.fields : null))).toEqual([
      { Grade: "08", School: kid.schoolCode, Birthday: "2012-04-03" },
      { Grade: "07", School: "ANNEX", Birthday: null },
    ]);
    // Promotion to the next grade is an update of the mapped field.
    const acc = linkedStudentAccount("a1", kid, {
      fields: { Grade: "08", School: kid.schoolCode, Birthday: "2012-04-03" },
    });
    const next = plan(inputOf([{ ...kid, gradeLevel: "09" }], [acc], { profile }));
    expect(next.actions).toMatchObject([{ type: "update", changes: [{ field: "Grade", from: "08", to: "09" }] }]);
  });

  it("lists target fields that nothing maps as askAtFirstLogin (R8)", () => {
    const p = plan(
      inputOf([], [], {
        targetFields: [
          { name: "T-Shirt", kind: "dropdown", options: ["S", "M"] },
          { name: "Homeroom", kind: "text" },
          { name: "Allergies", kind: "text" },
        ],
      }),
    );
    expect(p.askAtFirstLogin).toEqual(["Allergies", "T-Shirt"]);
  });

  it("updates the email of a linked person whose email changed (R8)", () => {
    const kid = student("1");
    const p = plan(inputOf([{ ...kid, email: "New.Kid@School.org" }], [linkedStudentAccount("a1", kid)]));
    expect(p.actions).toMatchObject([
      { type: "update", changes: [{ field: "email", from: "kid1@school.org", to: "new.kid@school.org" }] },
    ]);
  });

  it("reports a conflict and plans no write when the new email belongs to another account (R8)", () => {
    const kid = student("1");
    const input = inputOf(
      [{ ...kid, email: "taken@school.org" }],
      [linkedStudentAccount("a1", kid), account("a2", { email: "taken@school.org", managed: false })],
    );
    const row = review(input).rows[0];
    expect([row?.status, row?.reasons[0], row?.flag]).toEqual(["excluded", "email-in-use", "red"]);
    expect(plan(input).actions).toEqual([
      {
        type: "skip",
        actionId: "skip:1",
        reasons: ["email-in-use", "excluded-linked"],
        sourceId: "1",
        accountId: "a1",
      },
    ]);
  });

  it("does not count a change of case or spaces in the email as a change (R1, R8)", () => {
    const kid = student("1");
    expect(plan(inputOf([{ ...kid, email: " KID1@school.org" }], [linkedStudentAccount("a1", kid)])).actions).toEqual(
      [],
    );
  });

  it("lets a person take an email that another person's email change frees, after that change (R3, R8)", () => {
    const older = student("1", { email: "family@mail.org" });
    const input = inputOf(
      [student("2", { email: "family@mail.org" }), { ...older, email: "own@mail.org" }],
      [linkedStudentAccount("a1", older)],
    );
    expect(review(input).rows.map((r) => r.status)).toEqual(["importable", "importable"]);
    expect(plan(input).actions.map((a) => a.actionId)).toEqual(["update:1", "add:2"]);
  });

  it("keeps two accounts that would swap emails as conflicts: no order can apply it (R8)", () => {
    const ann = student("1", { email: "ann@mail.org" });
    const bo = student("2", { email: "bo@mail.org" });
    const input = inputOf(
      [
        { ...ann, email: "bo@mail.org" },
        { ...bo, email: "ann@mail.org" },
      ],
      [linkedStudentAccount("a1", ann), linkedStudentAccount("a2", bo)],
    );
    expect(review(input).rows.map((r) => r.reasons[0])).toEqual(["email-in-use", "email-in-use"]);
    expect(plan(input).actions.map((a) => a.type)).toEqual(["skip", "skip"]);
  });
});
