import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkPage,
  findRepeat,
  type PageEnvelope,
  planPages,
  RECORD_KEYS,
  recordKey,
  recordKeysFor,
  recordsOnPage,
} from "../src/pages.js";

const env = (rowCount: number, pageSize: number, pageCount = Math.ceil(rowCount / pageSize), currentPage = 1) =>
  ({ rowCount, pageSize, pageCount, currentPage }) satisfies PageEnvelope;

describe("planPages: page 1 must describe a listing that can exist", () => {
  it("accepts ⌈rowCount / pageSize⌉ pages, and 0 or 1 page for an empty listing", () => {
    expect(planPages(env(2500, 1000))).toBe(3);
    expect(planPages(env(1000, 1000))).toBe(1);
    expect(planPages(env(0, 1000, 0))).toBe(1);
    expect(planPages(env(0, 1000, 1))).toBe(1);
  });

  it("refuses a pageCount that rowCount and pageSize cannot give (pageCount: 1000000 for 3 rows)", () => {
    expect(planPages(env(3, 1000, 1_000_000))).toMatchObject({ expected: 1, actual: 1_000_000 });
    expect(planPages(env(2500, 1000, 2))).toMatchObject({ expected: 3, actual: 2 });
  });

  it("refuses more pages than the hard cap even when they add up", () => {
    expect(planPages(env(1_000_000, 1))).toMatchObject({ expected: 10_000, actual: 1_000_000 });
    expect(planPages(env(50, 1), 20)).toMatchObject({ expected: 20, actual: 50 });
    expect(planPages(env(20, 1), 20)).toBe(20);
  });

  it("refuses a first page that calls itself another page", () => {
    expect(planPages(env(10, 5, 2, 2))).toMatchObject({ expected: 1, actual: 2 });
  });
});

describe("checkPage: every page agrees with page 1 and holds what its position allows", () => {
  const head = env(2500, 1000);
  it("accepts full pages and the short last page", () => {
    expect(checkPage(head, 2, env(2500, 1000, 3, 2), 1000)).toBeNull();
    expect(checkPage(head, 3, env(2500, 1000, 3, 3), 500)).toBeNull();
    expect(recordsOnPage(head, 3)).toBe(500);
  });

  it("refuses a page with other counts, another page number, another page size, or the wrong number of records", () => {
    expect(checkPage(head, 2, env(2400, 1000, 3, 2), 1000)).toMatchObject({ expected: 2500, actual: 2400 });
    expect(checkPage(head, 2, { ...env(2500, 1000, 3, 2), pageCount: 4 }, 1000)).toMatchObject({ actual: 4 });
    expect(checkPage(head, 2, env(2500, 1000, 3, 3), 1000)).toMatchObject({ expected: 2, actual: 3 });
    expect(checkPage(head, 2, { ...env(2500, 1000, 3, 2), pageSize: 500 }, 500)).toMatchObject({ actual: 500 });
    // A missing page answered empty with the same counts.
    expect(checkPage(head, 2, env(2500, 1000, 3, 2), 0)).toMatchObject({ expected: 1000, actual: 0 });
    expect(checkPage(head, 3, env(2500, 1000, 3, 3), 1000)).toMatchObject({ expected: 500, actual: 1000 });
  });
});

describe("record keys and repeats", () => {
  it("names every paged roster endpoint, link tables by their composite keys", () => {
    expect(RECORD_KEYS["/People/ParentStudent"]).toEqual(["parentID", "studentID"]);
    expect(RECORD_KEYS["/People/PersonFamily"]).toEqual(["personId", "familyId"]);
    expect(RECORD_KEYS["/UserDefinedData"]).toEqual(["fieldId", "linkedId"]);
    expect(recordKeysFor("/Students")).toEqual(["studentId"]);
    expect(recordKeysFor("/Unknown")).toEqual([]);
    expect(recordKeysFor("/Students", "personStudentId")).toEqual(["personStudentId"]);
    expect(recordKeysFor("constructor")).toEqual([]);
  });

  it('keeps composite keys apart: (1,2) is not (2,1), 12/3 is not 1/23, 1 is not "1"', () => {
    const keys = ["a", "b"];
    expect(recordKey({ a: 1, b: 2 }, keys)).not.toBe(recordKey({ a: 2, b: 1 }, keys));
    expect(recordKey({ a: 12, b: 3 }, keys)).not.toBe(recordKey({ a: 1, b: 23 }, keys));
    expect(recordKey({ a: 1 }, ["a"])).not.toBe(recordKey({ a: "1" }, ["a"]));
    expect(recordKey({ a: 1 }, keys)).toBeNull();
    expect(recordKey({ a: { x: 1 }, b: 1 }, keys)).toBeNull();
  });

  it("finds a link repeated on another page (same counts), and nothing in a clean listing", () => {
    const keys = ["parentID", "studentID"];
    const p1 = [
      { parentID: 1, studentID: 10 },
      { parentID: 1, studentID: 11 },
    ];
    const p2 = [
      { parentID: 2, studentID: 10 },
      { parentID: 2, studentID: 11 },
    ];
    expect(findRepeat([p1, p2], keys)).toBeNull();
    expect(findRepeat([p1, p1], keys)).toMatchObject({ key: "1/10", firstPage: 1, page: 2, distinct: 2 });
    expect(findRepeat([p1, p1], [])).toBeNull();
  });

  it("catches any page replaced by a copy of another page (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 })), {
          minLength: 2,
          maxLength: 60,
          selector: ([a, b]) => `${a}/${b}`,
        }),
        fc.integer({ min: 1, max: 7 }),
        fc.nat(),
        fc.nat(),
        (pairs, size, x, y) => {
          const rows = pairs.map(([personId, familyId]) => ({ personId, familyId }));
          const keys = ["personId", "familyId"];
          const pages: (typeof rows)[] = [];
          for (let i = 0; i < rows.length; i += size) pages.push(rows.slice(i, i + size));
          const head = env(rows.length, size);
          expect(findRepeat(pages, keys)).toBeNull();
          for (const [i, p] of pages.entries())
            expect(checkPage(head, i + 1, { ...head, currentPage: i + 1 }, p.length)).toBeNull();
          if (pages.length < 2) return;
          const from = x % pages.length;
          const to = (from + 1 + (y % (pages.length - 1))) % pages.length;
          const bad = pages.map((p, i) => (i === to ? (pages[from] as typeof rows) : p));
          // Either the copy has the wrong length for its position, or one of its links comes twice.
          const caught =
            findRepeat(bad, keys) !== null ||
            checkPage(head, to + 1, { ...head, currentPage: to + 1 }, (bad[to] as typeof rows).length) !== null;
          expect(caught).toBe(true);
        },
      ),
    );
  });
});
