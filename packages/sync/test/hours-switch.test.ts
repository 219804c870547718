import { createMemoryHoursSink, type HostHourEntry, type MemoryHoursSink, type SyncProfile } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { historicHour, hostHour, hoursSchool } from "./helpers/hours.js";
import { manualClock, memorySchool, must, numberedAccounts, studentProfile } from "./helpers/school.js";

const OFF: SyncProfile = studentProfile();
const ON: SyncProfile = { ...OFF, hoursSync: { enabled: true, historicImportDone: false } };

const accounts = numberedAccounts(5, { sourceBase: 500 });

/** An hour FACTS held before the integration (the school typed it in). */
const historic = historicHour({
  serviceHoursId: "old-1",
  personId: "501",
  date: "2026-05-01",
  hours: 2,
  description: "Book fair",
});

const NOW = Date.UTC(2026, 8, 1, 12);
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();

const hour = (n: number, updatedAt: string, extra: Partial<HostHourEntry> = {}): HostHourEntry =>
  hostHour({
    hourId: `h${n}`,
    accountId: `a${(n % 5) + 1}`,
    date: `2026-0${5 + (n % 4)}-1${n % 10}`,
    hours: 1 + (n % 3),
    description: `Shift ${n}`,
    updatedAt,
    ...extra,
  });

function school(sink: MemoryHoursSink = createMemoryHoursSink()) {
  const clock = manualClock(NOW);
  return {
    ...hoursSchool({ tenantId: "school-switch", accounts, sink, clock }),
    setNow: (t: number) => {
      clock.at = t;
    },
  };
}

describe("the historic-hours guard on every path that switches write-back on (issue 15, item 3)", () => {
  // The school's own copy of the FACTS hour, brought into the host some other way than the import.
  const hostCopy = hostHour({
    hourId: "host-copy",
    accountId: "a1",
    date: historic.date,
    hours: historic.hours,
    description: historic.description,
    updatedAt: at(5),
  });

  it("setup({ hoursSync: { enabled: true } }) is refused while FACTS holds unseen hours, like enableHoursSync()", async () => {
    const { sync, sink, hoursSource } = school(createMemoryHoursSink({ hours: [historic] }));
    // A first setup that switches it on straight away.
    const first = await sync.setup(ON);
    expect(first.isErr() && first.error.type).toBe("HistoricHoursUnseen");
    expect(must(await sync.profile())).toBeNull();

    // A later setup that switches it on.
    must(await sync.setup(OFF));
    const viaSetup = await sync.setup(ON);
    expect(viaSetup.isErr() && viaSetup.error).toMatchObject({ type: "HistoricHoursUnseen", unseen: 1 });
    const viaEnable = await sync.enableHoursSync();
    expect(viaEnable.isErr() && viaEnable.error).toMatchObject({ type: "HistoricHoursUnseen", unseen: 1 });
    expect(must(await sync.profile())?.hoursSync.enabled).toBe(false);

    // Imported first, both paths pass; the host's copy of the hour is recognised, never echoed.
    must(await sync.importHistoricHours());
    const saved = must(await sync.setup({ ...ON, hoursSync: { ...ON.hoursSync, historicImportDone: true } }));
    expect(saved.hoursSync).toMatchObject({ enabled: true, enabledAt: new Date(NOW).toISOString() });
    hoursSource.put(hostCopy);
    must(await sync.pushHours());
    expect(sink.snapshot()).toEqual([historic]);
  });

  it("enableHoursSync() after the import passes too, and FACTS holds the historic hour once", async () => {
    const { sync, sink, hoursSource } = school(createMemoryHoursSink({ hours: [historic] }));
    must(await sync.setup(OFF));
    must(await sync.importHistoricHours());
    expect(must(await sync.enableHoursSync()).hoursSync.enabledAt).toBe(new Date(NOW).toISOString());
    hoursSource.put(hostCopy);
    expect(must(await sync.pushHours()).outcomes).toMatchObject([{ hourId: "host-copy", status: "from-sis" }]);
    expect(sink.snapshot()).toEqual([historic]);
  });

  it("a setup cannot forge enabledAt, and one that keeps write-back on keeps the moment it was switched on", async () => {
    const { sync, setNow } = school();
    const forged = must(
      await sync.setup({ ...ON, hoursSync: { ...ON.hoursSync, enabledAt: "2000-01-01T00:00:00.000Z" } }),
    );
    expect(forged.hoursSync.enabledAt).toBe(new Date(NOW).toISOString());
    setNow(NOW + 86_400_000);
    const edited = must(await sync.setup({ ...ON, gradeLevels: ["08", "09"] }));
    expect(edited.hoursSync.enabledAt).toBe(new Date(NOW).toISOString());
    const off = must(await sync.setup(OFF));
    expect(off.hoursSync.enabledAt).toBeUndefined();
    const again = must(await sync.setup(ON));
    expect(again.hoursSync.enabledAt).toBe(new Date(NOW + 86_400_000).toISOString());
  });

  it("needs both hours ports to switch on through setup", async () => {
    const { sync } = memorySchool({ tenantId: "t" });
    const refused = await sync.setup(ON);
    expect(refused.isErr() && refused.error.type).toBe("HoursNotConfigured");
  });
});

describe("write-back starts when it is switched on; older hours only through a backfill (issue 15, item 3)", () => {
  for (const path of ["setup", "enableHoursSync"] as const) {
    it(`hours logged before switching on (${path}) are not pushed; backfillHours shows them, then sends them once`, async () => {
      const { sync, sink, hoursSource, setNow } = school();
      // Logged in the host before the integration.
      const before = [1, 2, 3, 4].map((n) => hour(n, at(-100 + n), { createdAt: at(-100 + n) }));
      for (const e of before) hoursSource.put(e);
      if (path === "setup") must(await sync.setup(ON));
      else {
        must(await sync.setup(OFF));
        must(await sync.enableHoursSync());
      }
      setNow(NOW + 3_600_000);
      // After: a new hour, and an old one approved again with a change (still logged before).
      hoursSource.put(hour(10, at(10), { createdAt: at(10) }));
      hoursSource.put({ ...(before[0] as HostHourEntry), hours: 9, updatedAt: at(11) });
      const pushed = must(await sync.pushHours());
      expect(pushed.created).toBe(1);
      expect(pushed.outcomes.find((o) => o.hourId === "h1")?.status).toBe("before-enabled");
      expect(sink.snapshot().map((r) => r.hostHourId)).toEqual(["h10"]);

      // The dry run lists what a backfill from May would send, and sends nothing.
      const requests = sink.getInstance().requests.count;
      const dry = must(await sync.backfillHours({ from: "2026-05-01", dryRun: true }));
      expect(dry.dryRun).toBe(true);
      const expected = [...before.slice(1), { ...(before[0] as HostHourEntry), hours: 9 }].filter(
        (e) => e.date >= "2026-05-01",
      );
      expect(dry.writes.map((w) => w.hourId).sort()).toEqual(expected.map((e) => e.hourId).sort());
      expect(dry.writes.find((w) => w.hourId === "h1")).toMatchObject({ op: "create", hours: 9, personId: "502" });
      expect(sink.getInstance().requests.count).toBe(requests);
      expect(sink.snapshot()).toHaveLength(1);

      const sent = must(await sync.backfillHours({ from: "2026-05-01" }));
      expect(sent).toMatchObject({ dryRun: false, created: expected.length, settled: true });
      expect(must(await sync.backfillHours({ from: "2026-05-01" })).writes).toEqual([]);
      expect(must(await sync.pushHours()).writes).toBe(0);
      const ids = sink.snapshot().map((r) => r.hostHourId);
      expect(ids.sort()).toEqual(["h10", ...expected.map((e) => e.hourId)].sort());
      expect(new Set(ids).size).toBe(ids.length);

      // A backfilled hour edited later is pushed as an update of the same record.
      hoursSource.put({ ...(before[1] as HostHourEntry), hours: 5, updatedAt: at(20) });
      expect(must(await sync.pushHours())).toMatchObject({ updated: 1, created: 0 });
    });
  }

  it("a backfill checks its range and needs write-back on", async () => {
    const { sync } = school();
    must(await sync.setup(OFF));
    const off = await sync.backfillHours({ from: "2026-05-01" });
    expect(off.isErr() && off.error.type).toBe("HoursSyncOff");
    const bad = await sync.backfillHours({ from: "May 1st", to: "2026-13" });
    expect(bad.isErr() && bad.error).toMatchObject({
      type: "InvalidInput",
      problems: [{ path: "from" }, { path: "to" }],
    });
  });
});
