import type { HoursLedgerEntry, HourWriteOutcome, SisServiceHour } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { countWrites, NO_COUNTS } from "../../src/hours/counts.js";
import { settleBatch, unseenHours } from "../../src/hours/reconcile.js";
import { plannedWrite } from "../helpers/hours.js";

const hour = { personId: "p1", role: "student", date: "2026-02-10", hours: 2, description: "Library" } as const;

const planned = (hourId: string, op: "create" | "update" | "delete", serviceHoursId: string | null = null) =>
  plannedWrite({ hourId, op, serviceHoursId, hour });

describe("settling a batch by what the SIS answered", () => {
  it("records created, withdrawn and deleted writes with the SIS's own id (none once deleted)", () => {
    const answered: HourWriteOutcome[] = [
      { hourId: "h1", status: "created", serviceHoursId: "s1" },
      { hourId: "h2", status: "withdrawn", serviceHoursId: "s2", attention: "delete s2" },
      { hourId: "h3", status: "deleted", serviceHoursId: "s3" },
    ];
    const s = settleBatch(
      [planned("h1", "create"), planned("h2", "delete", "s2"), planned("h3", "delete", "s3")],
      answered,
    );
    expect(s.ledger.map((l) => [l.hourId, l.state, l.serviceHoursId])).toEqual([
      ["h1", "synced", "s1"],
      ["h2", "withdrawn", "s2"],
      ["h3", "deleted", null],
    ]);
    expect(s.outcomes[1]).toEqual({ hourId: "h2", status: "withdrawn", serviceHoursId: "s2", attention: "delete s2" });
    expect(s.failed).toEqual([]);
  });

  it("keeps a failed or unanswered write pending (no ledger entry), except an update whose record is gone", () => {
    const s = settleBatch(
      [planned("h1", "create"), planned("h2", "update", "s2"), planned("h3", "update", "s3")],
      [
        { hourId: "h2", status: "failed", serviceHoursId: null, error: { type: "NotFound", message: "gone" } },
        { hourId: "h3", status: "failed", serviceHoursId: null, error: { type: "Timeout", message: "slow" } },
      ],
    );
    expect(s.failed.map((f) => [f.hourId, f.error?.type])).toEqual([
      ["h1", "NoOutcome"],
      ["h2", "NotFound"],
      ["h3", "Timeout"],
    ]);
    // The update of a record that is gone becomes a create next time.
    expect(s.ledger).toEqual([{ ...planned("h2", "update", "s2").ledger, serviceHoursId: null }]);
  });
});

describe("counting what a step wrote", () => {
  it("counts each status of the batches it sent, and nothing else", () => {
    const s = settleBatch(
      [planned("h1", "create"), planned("h2", "delete", "s2"), planned("h3", "update", "s3")],
      [
        { hourId: "h1", status: "created", serviceHoursId: "s1" },
        { hourId: "h2", status: "withdrawn", serviceHoursId: "s2", attention: "delete s2" },
      ],
    );
    const counts = countWrites([s]);
    expect(counts).toMatchObject({ created: 1, updated: 0, deleted: 0, withdrawn: 1, failed: 1 });
    expect(counts.needsAttention.map((o) => o.hourId)).toEqual(["h2"]);
    expect(countWrites([])).toEqual(NO_COUNTS);
  });

  it("cannot be given outcomes that no batch of this step settled (a type error)", () => {
    const lookedAgain = { hourId: "h9", status: "withdrawn", serviceHoursId: "s9" } as const;
    // @ts-expect-error an entry withdrawn by an earlier push is not a write of this one
    const counted = () => countWrites([{ outcomes: [lookedAgain], ledger: [], failed: [] }]);
    expect(counted).toBeTypeOf("function");
  });
});

describe("SIS records the ledger never saw", () => {
  const sis = (serviceHoursId: string, hostHourId: string | null): SisServiceHour => ({
    ...hour,
    serviceHoursId,
    hostHourId,
  });
  const known = (hourId: string, serviceHoursId: string | null): HoursLedgerEntry => ({
    ...planned(hourId, "create").ledger,
    serviceHoursId,
    state: "synced",
  });

  it("knows a record by its SIS id or by the host id in its marker", () => {
    const all = [sis("s1", null), sis("s2", "h2"), sis("s3", null), sis("s4", "h9")];
    const unseen = unseenHours(all, [known("h1", "s1"), known("h2", null)]);
    expect(unseen.map((h) => h.serviceHoursId)).toEqual(["s3", "s4"]);
  });
});
