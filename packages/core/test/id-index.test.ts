import { describe, expect, it } from "vitest";
import { indexIds, numericId } from "../src/id-index.js";
import { review } from "../src/review.js";
import { inputOf, student } from "./test-fixtures.js";

const people = (...ids: string[]) => ids.map((sourceId) => ({ sourceId }));

describe("sourceId index: linking accounts to people (R6)", () => {
  it("reads only canonical decimal ids as numbers", () => {
    expect(numericId("0")).toBe(0);
    expect(numericId("1042")).toBe(1042);
    expect(numericId("999999999")).toBe(999999999);
    for (const id of ["", "042", "00", "1e3", "4.2", "-1", " 42", "1000000000", "٤٢"]) expect(numericId(id)).toBe(-1);
  });

  it("finds every person by id, dense numbers or not, and nobody else", () => {
    const cases = [
      people("1005", "1001", "1003", "1002"), // dense numbers: the array index
      people("7", "70000000", "3"), // numbers spread too thinly: the hash table
      people("42", "042", "A-7", "0"), // "42" and "042" are different people
    ];
    for (const list of cases) {
      const { index, duplicates } = indexIds(list);
      expect(duplicates).toEqual([]);
      list.forEach((p, i) => {
        expect(index.find(p.sourceId)).toBe(i);
      });
      for (const absent of ["1004", "1000", "999999999", "00042", "x", "", "4200"]) {
        if (!list.some((p) => p.sourceId === absent)) expect(index.find(absent)).toBe(-1);
      }
    }
  });

  it("reports repeated ids by position on both paths", () => {
    expect(indexIds(people("10", "11", "10", "12", "11")).duplicates).toEqual([2, 4]);
    expect(indexIds(people("a", "b", "a")).duplicates).toEqual([2]);
  });

  it("gives review the same answer either way (a duplicate id is an input error)", () => {
    expect(() => review(inputOf([student("5"), student("6"), student("5")]))).toThrow(/duplicate sourceId/);
    expect(() => review(inputOf([student("s5"), student("s6"), student("s5")]))).toThrow(/duplicate sourceId/);
  });
});
