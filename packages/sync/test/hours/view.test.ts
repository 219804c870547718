import type { HostHourEntry, HoursSink, HoursSource, Role, SisServiceHour } from "@rostersync/core";
import { errAsync, okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { roleHours } from "../../src/hours/view.js";

const entry = (hourId: string, role: Role): HostHourEntry => ({
  hourId,
  accountId: `acct-${hourId}`,
  role,
  date: "2026-02-10",
  hours: 1,
  description: "d",
  approved: true,
  deleted: false,
  updatedAt: "2026-02-10T00:00:00.000Z",
});

/** A host whose changes come in pages of the given entries; each page's watermark is its index. */
function pagedSource(pages: readonly (readonly HostHourEntry[])[]): HoursSource & { asked: (string | null)[] } {
  const asked: (string | null)[] = [];
  return {
    name: "paged",
    asked,
    changedSince(watermark) {
      asked.push(watermark);
      const i = watermark === null ? 0 : Number(watermark) + 1;
      const entries = pages[i] ?? [];
      return okAsync({ entries, watermark: entries.length === 0 ? watermark : String(i) });
    },
    importHistoric: (hours) => okAsync({ imported: hours.length }),
  };
}

const sis = (serviceHoursId: string, role: Role): SisServiceHour => ({
  personId: "p",
  role,
  date: "2026-02-10",
  hours: 1,
  description: "d",
  serviceHoursId,
  hostHourId: null,
});

const sink = (records: readonly SisServiceHour[]): HoursSink => ({
  name: "records",
  listAll: () => okAsync(records),
  write: (writes) =>
    okAsync(writes.map((w) => ({ hourId: w.hourId, status: "created", serviceHoursId: "s" }) as const)),
});

describe("a profile's view of the hours: its own role's only", () => {
  it("shows one page of the host's changes with the other role's entries left out, keeping the watermark", async () => {
    const view = roleHours(pagedSource([[entry("s1", "student"), entry("p1", "parent")]]), sink([]), "parent");
    const page = (await view.changedSince(null))._unsafeUnwrap();
    expect(page.entries.map((e) => e.hourId)).toEqual(["p1"]);
    expect(page.watermark).toBe("0");
  });

  it("follows the host's pages to the end, even past a page holding only the other role's entries", async () => {
    const source = pagedSource([[entry("s1", "student")], [entry("s2", "student")], [entry("p1", "parent")], []]);
    const view = roleHours(source, sink([]), "parent");
    const all = (await view.changesToEnd(null))._unsafeUnwrap();
    expect(all.entries.map((e) => e.hourId)).toEqual(["p1"]);
    expect(all.watermark).toBe("2");
    expect(source.asked).toEqual([null, "0", "1", "2"]);
  });

  it("lists only the role's SIS records", async () => {
    const view = roleHours(pagedSource([]), sink([sis("a", "student"), sis("b", "parent")]), "student");
    expect((await view.listAll())._unsafeUnwrap().map((h) => h.serviceHoursId)).toEqual(["a"]);
  });

  it("reports a failing host or SIS as HoursFailed, naming what failed", async () => {
    const failing: HoursSource = {
      name: "down",
      changedSince: () => errAsync({ type: "Unavailable", message: "host down" }),
      importHistoric: () => errAsync({ type: "Unavailable", message: "host down" }),
    };
    const broken: HoursSink = {
      name: "down",
      listAll: () => errAsync({ type: "AuthFailed", message: "bad key" }),
      write: () => errAsync({ type: "AuthFailed", message: "bad key" }),
    };
    const view = roleHours(failing, broken, "student");
    expect((await view.changesToEnd(null))._unsafeUnwrapErr()).toMatchObject({
      type: "HoursFailed",
      message: "Reading the host's hours failed: host down",
    });
    expect((await view.listAll())._unsafeUnwrapErr().message).toBe("Reading SIS hours failed: bad key");
    expect((await view.importHistoric([]))._unsafeUnwrapErr().message).toBe("The host's import failed: host down");
    expect((await view.write([], {}))._unsafeUnwrapErr().message).toBe("Writing hours to the SIS failed: bad key");
  });
});
