import type { HostHourEntry } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { entriesInRange, newestEntries } from "../../src/hours/entries.js";
import { HOURS_PARKED, parkedToSave, parseParked } from "../../src/hours/ledger.js";

const entry = (hourId: string, updatedAt: string, date = "2026-02-10"): HostHourEntry => ({
  hourId,
  accountId: "a1",
  role: "student",
  date,
  hours: 1,
  description: "d",
  approved: true,
  deleted: false,
  updatedAt,
});

describe("which entries a step looks at", () => {
  it("takes the newest state of each entry, the page's over a parked one of the same age", () => {
    const parked = [entry("h1", "2026-02-01"), entry("h2", "2026-02-05")];
    const page = [
      entry("h1", "2026-02-01"),
      entry("h2", "2026-02-03"),
      entry("h3", "2026-02-02"),
      entry("h3", "2026-02-01"),
    ];
    const latest = newestEntries(parked, page);
    expect([...latest.keys()]).toEqual(["h1", "h2", "h3"]);
    expect(latest.get("h1")).toBe(page[0]);
    expect(latest.get("h2")).toBe(parked[1]);
    expect(latest.get("h3")?.updatedAt).toBe("2026-02-02");
  });

  it("keeps an entry in a backfill's range only while its newest state is dated in it", () => {
    const changes = [
      entry("h1", "t1", "2026-01-05"),
      entry("h2", "t1", "2026-01-20"),
      entry("h2", "t2", "2026-03-01"), // moved out of the range
      entry("h3", "t1", "2025-12-31"),
    ];
    const inRange = entriesInRange(changes, { from: "2026-01-01", to: "2026-01-31" });
    expect([...inRange.keys()]).toEqual(["h1"]);
    expect([...entriesInRange(changes, { from: "2026-01-01" }).keys()]).toEqual(["h1", "h2"]);
  });
});

describe("the parked entries as stored", () => {
  it("reads nothing stored as none, and a corrupt value as a fatal store error", () => {
    expect(parseParked(null)._unsafeUnwrap()).toEqual([]);
    const corrupt = parseParked("{not json");
    expect(corrupt.isErr() && corrupt.error).toMatchObject({ type: "Corrupt", fatal: true });
    expect(corrupt.isErr() && corrupt.error.message).toContain(HOURS_PARKED);
    expect(parseParked('{"a":1}').isErr()).toBe(true);
  });

  it("saves parked entries sorted by hour id, and only when they changed", () => {
    const a = entry("a", "t");
    const b = entry("b", "t");
    expect(parkedToSave([], [])).toBeNull();
    expect(parkedToSave([], [b, a])).toBe(JSON.stringify([a, b]));
    expect(parkedToSave([a, b], [b, a])).toBeNull();
    expect(parkedToSave([a], [])).toBe("[]");
  });
});
