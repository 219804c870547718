import { describe, expect, it } from "vitest";
import { checkEmail, normaliseEmail } from "../src/email.js";
import {
  addPerson,
  hashJson,
  lastEmailHashSeen,
  lastEmailKindSeen,
  newSetDigest,
  planHashOf,
  profileHashOf,
} from "../src/hash.js";
import { plan } from "../src/plan.js";
import { review } from "../src/review.js";
import { hashOf } from "../src/scratch.js";
import { EMPTY_DECISIONS, type PlanInput } from "../src/types.js";
import { inputOf, linkedStudentAccount, parent, student, studentProfile } from "./test-fixtures.js";

/** The plan hash of the determinism test's input: changing the encoding changes every stored acknowledgement. */
const GOLDEN = "0a21bd0463d27fc5f40de897c5668f1af7e1dfdf53c680bf7193d0cd806d7ab5";

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
    expect(plan(input).planHash).toMatch(/^[0-9a-f]{64}$/);
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

/**
 * The plan hash before SHA-256 summed per-string 32-bit lanes: FNV-1a (lane A) and a Murmur-style step
 * (lane B), each invertible. This is that old digest of one string of `decisions.reviewed`, rebuilt here
 * only to show that its collisions cost milliseconds.
 */
const OLD = { seedA: 0x811c9dc5, seedB: 0x9747b28c, pA: 0x01000193, pB: 0x5bd1e995, end: 0x1f };
const inverse = (x: number): number => {
  let inv = x;
  for (let k = 0; k < 5; k++) inv = Math.imul(inv, 2 - Math.imul(x, inv));
  return inv;
};
const oldFinish = (h: number): number => {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
};
const oldFinishInverse = (h: number): number => {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, inverse(0xc2b2ae35));
  x ^= (x >>> 13) ^ (x >>> 26);
  x = Math.imul(x, inverse(0x85ebca6b));
  x ^= x >>> 16;
  return x | 0;
};
const stepB = (b: number, c: number): number => {
  const y = Math.imul(b ^ c, OLD.pB);
  return y ^ (y >>> 15);
};
/** Old lanes after the even-length `prefix`. */
function oldLanes(prefix: string): [number, number] {
  let a = OLD.seedA;
  let b = OLD.seedB;
  for (let i = 0; i < prefix.length; i += 2) {
    const c = prefix.charCodeAt(i) | (prefix.charCodeAt(i + 1) << 16);
    a = Math.imul(a ^ c, OLD.pA);
    b = stepB(b, c);
  }
  return [a, b];
}
/** The old per-string digest of `prefix` + two more UTF-16 units (`chunk`). */
function oldDigest(prefix: string, chunk: number): [number, number, string] {
  const [a0, b0] = oldLanes(prefix);
  const tail = OLD.end ^ ((prefix.length + 2) << 8);
  const a = Math.imul(Math.imul(a0 ^ chunk, OLD.pA) ^ tail, OLD.pA);
  const b = stepB(stepB(b0, chunk), tail);
  return [oldFinish(a), oldFinish(b), prefix + String.fromCharCode(chunk & 0xffff, chunk >>> 16)];
}
/** The chunk that makes the old lane A of `prefix` + chunk finish as `target`: FNV runs backwards. */
function chunkFor(prefix: string, target: number): number {
  const [a0] = oldLanes(prefix);
  const tail = OLD.end ^ ((prefix.length + 2) << 8);
  const pInv = inverse(OLD.pA);
  const afterChunk = Math.imul(oldFinishInverse(target), pInv) ^ tail;
  return (Math.imul(afterChunk, pInv) ^ a0) | 0;
}

describe("plan hash: collision resistance (R11)", () => {
  const people = [student("1"), student("2")];
  const base = inputOf(people, [linkedStudentAccount("a1", student("1"))]);

  it("tells null, 0, empty and absent apart, parentOrder included (R11)", () => {
    const variants = [{ a: null }, { a: 0 }, { a: "" }, { a: false }, {}, { a: "0" }, { a: [] }, { a: {} }];
    expect(new Set(variants.map(hashJson)).size).toBe(variants.length);
    const orders = [null, 0, undefined, 1, 4294967297, 0.5].map((parentOrder) =>
      planHashOf(inputOf([parent("9", [], { families: [{ familyId: "F1", parentOrder: parentOrder as number }] })])),
    );
    expect(new Set(orders).size).toBe(orders.length);
  });

  it("never reads one field boundary as another (R11)", () => {
    const split = (first: string, last: string) =>
      planHashOf(inputOf([student("1", { firstName: first, lastName: last })]));
    expect(split("ab", "c")).not.toBe(split("a", "bc"));
    expect(split("ab", "")).not.toBe(split("a", "b"));
    expect(hashJson(["ab", "c"])).not.toBe(hashJson(["a", "bc"]));
    expect(hashJson({ ab: "c" })).not.toBe(hashJson({ a: "bc" }));
    // Wide and narrow encodings of strings cannot meet: "\u0100" is not "\u0000\u0001".
    expect(hashJson("\u0100")).not.toBe(hashJson("\u0000\u0001"));
    expect(hashJson("\u0100")).not.toBe(hashJson("\u0001\u0000"));
    const fields = (f: Record<string, string | null>) => planHashOf(inputOf([student("1", { fields: f })]));
    expect(fields({ a: "b", c: "d" })).not.toBe(fields({ a: "d", c: "b" }));
    expect(fields({ a: null })).not.toBe(fields({ a: "" }));
    expect(fields({ a: "" })).not.toBe(fields({}));
  });

  it("does not fall to the forgery that broke the old additive digest (R11)", () => {
    // Four reviewed ids whose old digests add up to those of four others: lane A is solved backwards
    // (FNV-1a is invertible), lane B is matched between two lists of 2^17 (a birthday search).
    const original = ["r1", "r2", "r3", "r4"].map((id) => oldDigest(id, 0x00300030));
    const sumA = original.reduce((s, [a]) => (s + a) | 0, 0);
    const sumB = original.reduce((s, [, b]) => (s + b) | 0, 0);
    const split = 0x12345678;
    const forge = (prefix: string, a: number) => oldDigest(prefix, chunkFor(prefix, a));
    const left = new Map<number, number>();
    for (let x = 0; x < 1 << 17; x++) {
      left.set((forge("f1", x)[1] + forge("f2", (split - x) | 0)[1]) | 0, x);
    }
    let forged: string[] | null = null;
    for (let y = 0; y < 1 << 17 && forged === null; y++) {
      const right = (forge("f3", y)[1] + forge("f4", (sumA - split - y) | 0)[1]) | 0;
      const x = left.get((sumB - right) | 0);
      if (x === undefined) continue;
      const parts = [forge("f1", x), forge("f2", (split - x) | 0), forge("f3", y), forge("f4", (sumA - split - y) | 0)];
      // The old digest of the forged set is the original one's, lane for lane.
      expect(parts.reduce((s, [a]) => (s + a) | 0, 0)).toBe(sumA);
      expect(parts.reduce((s, [, b]) => (s + b) | 0, 0)).toBe(sumB);
      forged = parts.map(([, , s]) => s);
    }
    expect(forged).not.toBeNull();
    const reviewed = (ids: readonly string[]) =>
      planHashOf({ ...base, decisions: { ...EMPTY_DECISIONS, reviewed: ids } });
    expect(reviewed(forged as string[])).not.toBe(reviewed(original.map(([, , s]) => s)));
  });

  it("is deterministic: the same for the same input, in any order, in any process (R11)", () => {
    const input = inputOf(
      [student("10"), student("9", { fields: { b: "1", a: null } }), parent("100", ["9"])],
      [linkedStudentAccount("a10", student("10")), linkedStudentAccount("a9", student("9"))],
      { lastRun: { sourceCount: 3, errorFingerprints: ["x"], managedCount: 2, inScopeCount: 2 } },
    );
    const again = inputOf(
      [parent("100", ["9"]), student("9", { fields: { a: null, b: "1" } }), student("10")],
      [linkedStudentAccount("a9", student("9")), linkedStudentAccount("a10", student("10"))],
      { lastRun: { inScopeCount: 2, managedCount: 2, errorFingerprints: [], sourceCount: 3 } },
    );
    expect(planHashOf(again)).toBe(planHashOf(input));
    expect(plan(again).planHash).toBe(planHashOf(input));
    // Sets are sets: the reviewed list in any order, with repeats, hashes alike.
    const reviewed = (ids: string[]) => planHashOf({ ...input, decisions: { ...EMPTY_DECISIONS, reviewed: ids } });
    expect(reviewed(["99999", "100000", "9"])).toBe(reviewed(["100000", "9", "99999", "9"]));
    expect(reviewed(["99999", "100000"])).not.toBe(reviewed(["99999"]));
    // A fixed value: the encoding is a format (a stored acknowledgement names it), not an accident.
    expect(planHashOf(input)).toBe(GOLDEN);
  });

  it("leaves the acknowledgements out and keeps the counts R10 compares with (R10, R11)", () => {
    const acknowledged = { ...base, decisions: { ...EMPTY_DECISIONS, acknowledgedHolds: [planHashOf(base)] } };
    expect(planHashOf(acknowledged)).toBe(planHashOf(base));
    const withRun = (lastRun: PlanInput["lastRun"]) => planHashOf({ ...base, lastRun });
    const runs = [
      null,
      { sourceCount: 0, errorFingerprints: [] },
      { sourceCount: 2, errorFingerprints: [] },
      { sourceCount: 2, errorFingerprints: [], managedCount: 0 },
      { sourceCount: 2, errorFingerprints: [], inScopeCount: 0 },
      { sourceCount: 2, errorFingerprints: [], inScopeSlices: { "school:MAIN": 2 } },
    ];
    expect(new Set(runs.map(withRun)).size).toBe(runs.length);
    expect(withRun(undefined)).toBe(withRun(null));
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
