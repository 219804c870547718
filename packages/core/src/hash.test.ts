import { describe, expect, it } from "vitest";
import { checkEmail, normaliseEmail } from "./email.js";
import {
  addPerson,
  hashJson,
  lastEmailHashSeen,
  lastEmailKindSeen,
  newSetDigest,
  planHashOf,
  profileHashOf,
} from "./hash.js";
import { plan } from "./plan.js";
import { review } from "./review.js";
import { hashOf } from "./scratch.js";
import { inputOf, linkedStudentAccount, student, studentProfile } from "./test-fixtures.js";
import { EMPTY_DECISIONS } from "./types.js";

describe("plan hash (R11)", () => {
  const people = [student("1"), student("2"), student("3", { email: null })];
  const accounts = [linkedStudentAccount("a1", student("1")), linkedStudentAccount("a9", student("9"))];
  const input = inputOf(people, accounts);

  it("is the same for the same input in another order (R11)", () => {
    const shuffled = inputOf([...people].reverse(), [...accounts].reverse());
    expect(planHashOf(shuffled)).toBe(planHashOf(input));
    const reordered = inputOf(
      people.map((p) => ({ ...p, fields: Object.fromEntries(Object.entries(p.fields).reverse()) })),
      accounts,
    );
    expect(planHashOf(reordered)).toBe(planHashOf(input));
    expect(plan(input).planHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("changes when the source, the accounts, the decisions or the profile change (R11)", () => {
    const base = planHashOf(input);
    const variants = [
      inputOf([...people.slice(1), { ...student("1"), lastName: "Leé" }], accounts),
      inputOf(people.slice(1), accounts),
      inputOf(people, [
        accounts[0] as (typeof accounts)[0],
        { ...(accounts[1] as (typeof accounts)[0]), archived: true },
      ]),
      inputOf(people, accounts, { decisions: { ...EMPTY_DECISIONS, selections: { "1": false } } }),
      inputOf(people, accounts, { profile: studentProfile({ defaultSelection: false }) }),
      inputOf(people, accounts, { targetFields: [] }),
      inputOf([{ ...student("1"), email: "" }, ...people.slice(1)], accounts),
    ];
    const hashes = new Set(variants.map(planHashOf));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(base)).toBe(false);
  });

  it("tells null, empty and absent apart (R11)", () => {
    expect(hashJson({ a: null })).not.toBe(hashJson({ a: "" }));
    expect(hashJson({ a: undefined })).toBe(hashJson({}));
    expect(hashJson(["ab", "c"])).not.toBe(hashJson(["a", "bc"]));
    expect(hashJson({ a: 1, b: [2, 3] })).toBe(hashJson({ b: [2, 3], a: 1 }));
  });

  it("digests the profile alone as the profileHash (R11)", () => {
    expect(profileHashOf(studentProfile({ schools: ["B", "A"] }))).toBe(
      profileHashOf(studentProfile({ schools: ["A", "B"] })),
    );
    expect(profileHashOf(studentProfile())).not.toBe(profileHashOf(studentProfile({ role: "parent" })));
    expect(plan(input).profileHash).toBe(profileHashOf(input.profile));
  });
});

describe("the digest's email scan", () => {
  it("judges an address and takes its table hash as R1 and the email table would (R1, R11)", () => {
    const addresses = [
      ...["ann@school.org", "a.b+c@x.io", "ann@school", "@x.org", "Ann@School.org", " ann@x.org", "é@x.org", "abc"],
      ...["a@b@c.org", "a b@x.org", "ann@x.org.", "ann@.org", "a@x.o", "x", "ann@x.org\t", "Z@x.org", "ann@x.orgZ"],
      ...["", "  ", "a@b.c", "an n@x.org", "ren\u00e9e@x.org", null],
    ];
    for (const address of addresses) {
      addPerson(newSetDigest(), student("1", { email: address }));
      const kind = lastEmailKindSeen();
      // Clean: an address R1 would leave as it is (trimmed, lower-case ASCII); empty is missing, not clean.
      const clean =
        address !== null &&
        address !== "" &&
        address === normaliseEmail(address) &&
        [...address].every((ch) => ch.charCodeAt(0) <= 0x7f);
      expect(kind === -1).toBe(!clean);
      if (kind === -1 || address === null) continue; // null is never clean: asserted just above
      expect(kind).toBe(checkEmail(address).kind === "ok" ? 0 : 2);
      expect(lastEmailHashSeen()).toBe(hashOf(address));
    }
    // Through the whole analysis (fast path or normalisation), each address ends as checkEmail says.
    for (const address of addresses) {
      const row = review(inputOf([student("1", { email: address })])).rows[0];
      const expected = checkEmail(address);
      expect(row?.email ?? null, String(address)).toBe(expected.kind === "ok" ? expected.email : null);
      const reason =
        expected.kind === "missing" ? "missing-email" : expected.kind === "invalid" ? "invalid-email" : null;
      expect(row?.reasons[0] ?? null, String(address)).toBe(reason);
    }
  });
});
