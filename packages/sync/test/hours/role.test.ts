import { createMemoryHoursSink, type HostHourEntry } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { historicHour, hostHour, hoursSchool } from "../helpers/hours.js";
import { EMPTY_SCHOOL, hostAccount, studentProfile } from "../helpers/school.js";

const PROFILE = studentProfile();

const account = (accountId: string, sourceId: string) => hostAccount(accountId, `${accountId}@example.org`, sourceId);

const entry = (hourId: string, accountId: string, role: HostHourEntry["role"], updatedAt: string): HostHourEntry =>
  hostHour({ hourId, accountId, role, date: "2026-02-10", hours: 2, description: `Shift ${hourId}`, updatedAt });

describe("a profile sees only its own role's hours (docs/hours.md)", () => {
  it("guards, pushes and imports the students' hours, leaving the parents' to the parents' profile", async () => {
    // FACTS holds a parent's hour the students' ledger never saw: it is the parents' profile's to import.
    const sink = createMemoryHoursSink({
      hours: [
        historicHour({
          serviceHoursId: "900",
          personId: "2001",
          role: "parent",
          date: "2025-11-01",
          hours: 3,
          description: "Bake sale",
        }),
      ],
    });
    const { sync, hoursSource } = hoursSchool({
      roster: EMPTY_SCHOOL,
      accounts: [account("a1", "1001"), account("a2", "2001")],
      sink,
    });
    (await sync.setup(PROFILE))._unsafeUnwrap();

    // The guard does not count the parent's record as unseen.
    (await sync.enableHoursSync())._unsafeUnwrap();

    hoursSource.put(entry("h1", "a1", "student", "2026-02-10T10:00:00.000Z"));
    hoursSource.put(entry("h2", "a2", "parent", "2026-02-10T10:00:01.000Z"));
    const pushed = (await sync.pushHours())._unsafeUnwrap();
    expect(pushed).toMatchObject({ entries: 1, created: 1, writes: 1, settled: true });
    expect(pushed.outcomes.map((o) => o.hourId)).toEqual(["h1"]);
    expect(sink.snapshot().map((r) => [r.role, r.hostHourId])).toEqual(
      expect.arrayContaining([
        ["parent", null],
        ["student", "h1"],
      ]),
    );
    expect(sink.snapshot()).toHaveLength(2);

    // The import finds the students' records only, and hands the host nothing of the parents'.
    const imported = (await sync.importHistoricHours())._unsafeUnwrap();
    expect(imported).toEqual({ found: 1, unseen: 0, imported: 0 });
    expect(hoursSource.getInstance().imported).toEqual([]);

    // A backfill of the whole range sends nothing of the parents' either.
    const backfill = (await sync.backfillHours({ from: "2000-01-01", dryRun: true }))._unsafeUnwrap();
    expect(backfill).toMatchObject({ entries: 1, writes: [] });
  });
});
