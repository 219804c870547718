import { describe, expect, it } from "vitest";
import { StringTable } from "../src/string-table.js";

describe("StringTable", () => {
  it("numbers keys densely, finds them, and tells new from known", () => {
    const table = new StringTable(2);
    expect(table.add("ann@school.org")).toBe(0);
    expect(table.added).toBe(true);
    expect(table.add("bo@school.org")).toBe(1);
    expect(table.add("ann@school.org")).toBe(0);
    expect(table.added).toBe(false);
    expect(table.find("bo@school.org")).toBe(1);
    expect(table.find("cy@school.org")).toBe(-1);
    expect(table.size).toBe(2);
  });

  it("grows past the announced size without losing keys", () => {
    const table = new StringTable(1);
    const keys = Array.from({ length: 5000 }, (_, i) => `id-${i}`);
    for (const k of keys) table.add(k);
    expect(keys.every((k, i) => table.find(k) === i)).toBe(true);
    expect(table.find("id-5000")).toBe(-1);
    // A key built at run time (another string object) is the same key.
    expect(table.find(["id", "42"].join("-"))).toBe(42);
  });
});
