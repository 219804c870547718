/**
 * Regression suite of issue 14 §6: ids and field names that are also names on `Object.prototype`
 * (`__proto__`, `constructor`, `toString`, …) are ordinary ids and names.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { manualMerge, recordDefaults, removeMerge, select, unselect } from "../../src/decisions.js";
import { fieldChanges, newAccountFor } from "../../src/fields.js";
import { plan } from "../../src/plan.js";
import { review } from "../../src/review.js";
import { isSelected } from "../../src/selection.js";
import { EMPTY_DECISIONS } from "../../src/types.js";
import { account, inputOf, student, studentProfile } from "../test-fixtures.js";

const PROTO_NAMES = [...Object.getOwnPropertyNames(Object.prototype), "__proto__", "prototype"];
const protoName = fc.constantFrom(...PROTO_NAMES);

describe("prototype names as ids (issue 14 §6)", () => {
  it("unselect, select, manualMerge and removeMerge work for __proto__", () => {
    const d = unselect(EMPTY_DECISIONS, "__proto__");
    expect(Object.hasOwn(d.selections, "__proto__")).toBe(true);
    expect(isSelected("__proto__", d, studentProfile())).toBe(false);
    expect(JSON.parse(JSON.stringify(d)).selections).toEqual(JSON.parse('{"__proto__":false}'));
    const m = manualMerge(EMPTY_DECISIONS, "__proto__", "acct-1");
    expect(Object.hasOwn(m.merges, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(m.merges, "__proto__")?.value).toBe("acct-1");
    expect(Object.hasOwn(removeMerge(m, "__proto__").merges, "__proto__")).toBe(false);
  });

  it("recordDefaults keeps the default of a new person called __proto__", () => {
    const report = review(inputOf([student("__proto__"), student("constructor")]));
    const d = recordDefaults(EMPTY_DECISIONS, report);
    expect(Object.hasOwn(d.selections, "__proto__")).toBe(true);
    expect(Object.hasOwn(d.selections, "constructor")).toBe(true);
    expect(Object.keys(d.selections).sort()).toEqual(["__proto__", "constructor"]);
  });

  it("property: every decision helper stores and reads back ids drawn from Object.prototype's names", () => {
    fc.assert(
      fc.property(protoName, fc.boolean(), fc.string({ minLength: 1 }), (id, selected, accountId) => {
        const d = selected ? select(EMPTY_DECISIONS, id) : unselect(EMPTY_DECISIONS, id);
        expect(Object.keys(d.selections)).toEqual([id]);
        expect(isSelected(id, d, studentProfile({ defaultSelection: !selected }))).toBe(selected);
        const back = JSON.parse(JSON.stringify(d));
        expect(isSelected(id, back, studentProfile({ defaultSelection: !selected }))).toBe(selected);
        // Flipping a stored (JSON-read) decision works too.
        const flipped = selected ? unselect(back, id) : select(back, id);
        expect(isSelected(id, flipped, studentProfile({ defaultSelection: selected }))).toBe(!selected);
        const m = manualMerge(back, id, accountId);
        expect(Object.keys(m.merges)).toEqual([id]);
        expect(m.merges[id]).toBe(accountId);
        expect(Object.keys(removeMerge(m, id).merges)).toEqual([]);
        // A review of such a person, unselected, skips it.
        const people = [student(id)];
        const r = review(inputOf(people, [], { decisions: d }));
        expect(r.rows[0]?.selected).toBe(selected);
      }),
      { numRuns: 200 },
    );
  });
});

describe("prototype names in field maps (issue 14 §6)", () => {
  it("property: a mapping's source or target named like Object.prototype's members writes only strings or null", () => {
    fc.assert(
      fc.property(protoName, protoName, (source, target) => {
        const fieldMap = [{ source, target }];
        const person = student("1");
        const created = newAccountFor(person, "kid1@school.org", fieldMap, undefined);
        expect(Object.keys(created.fields)).toEqual([target]);
        expect(created.fields[target]).toBeNull();
        const changes = fieldChanges(
          person,
          account("a1", { sourceId: "1" }),
          fieldMap,
          "a1@host.org",
          undefined,
          "a1@host.org",
        );
        for (const c of changes) {
          expect(c.to === null || typeof c.to === "string").toBe(true);
          expect(c.from === null || typeof c.from === "string").toBe(true);
        }
        // Nothing to write: the SIS has no such field and the account none either.
        expect(changes.filter((c) => c.field === target)).toEqual([]);
        const p = plan(inputOf([person], [], { profile: studentProfile({ fieldMap }) }));
        for (const a of p.actions) {
          if (a.type === "add") expect(Object.keys(a.account.fields)).toEqual([target]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("reads a real field named constructor or __proto__ from the SIS", () => {
    const fields = JSON.parse('{"__proto__":"P","constructor":"C"}') as Record<string, string>;
    const person = student("1", { fields });
    const created = newAccountFor(
      person,
      "kid1@school.org",
      [
        { source: "__proto__", target: "toString" },
        { source: "constructor", target: "__proto__" },
      ],
      undefined,
    );
    expect(created.fields.toString).toBe("P");
    expect(Object.hasOwn(created.fields, "__proto__")).toBe(true);
    expect(JSON.parse(JSON.stringify(created.fields))).toEqual(JSON.parse('{"toString":"P","__proto__":"C"}'));
  });
});
