import type { HostHourEntry, HoursLedgerEntry } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { decideEntries, decideEntry, type EntryFacts, writeFor } from "../../src/hours/decide.js";
import { hourFingerprint, sisKey } from "../../src/hours/ledger.js";

const NOW = "2026-03-01T00:00:00.000Z";

const entry = (over: Partial<HostHourEntry> = {}): HostHourEntry => ({
  hourId: "h1",
  accountId: "a1",
  role: "student",
  date: "2026-02-10",
  hours: 2,
  description: "Library",
  approved: true,
  deleted: false,
  updatedAt: "2026-02-10T10:00:00.000Z",
  ...over,
});

const hourOf = (e: HostHourEntry, personId = "p1") => ({
  personId,
  role: e.role,
  date: e.date,
  hours: e.hours,
  description: e.description,
});

const ledgerOf = (e: HostHourEntry, over: Partial<HoursLedgerEntry> = {}): HoursLedgerEntry => ({
  hourId: e.hourId,
  serviceHoursId: "s1",
  personId: "p1",
  role: e.role,
  fingerprint: hourFingerprint(hourOf(e)),
  origin: "host",
  state: "synced",
  updatedAt: NOW,
  ...over,
});

const facts = (over: Partial<EntryFacts> = {}): EntryFacts => ({
  personId: "p1",
  known: undefined,
  enabledAt: null,
  claimSis: () => undefined,
  now: NOW,
  ...over,
});

describe("deciding what one host hour entry needs (docs/hours.md)", () => {
  it("creates an approved entry of a linked account the ledger never saw, marked pending with no SIS id", () => {
    const d = decideEntry(entry(), facts());
    expect(d.kind).toBe("write");
    if (d.kind !== "write") return;
    expect(d.planned.write).toEqual({ hourId: "h1", op: "create", hour: hourOf(entry()) });
    expect(d.planned.ledger).toMatchObject({ state: "pending", serviceHoursId: null, origin: "host", updatedAt: NOW });
  });

  it("leaves an entry alone when the ledger holds the same content", () => {
    const e = entry();
    expect(decideEntry(e, facts({ known: ledgerOf(e) }))).toEqual({
      kind: "skip",
      outcome: { hourId: "h1", status: "unchanged", serviceHoursId: "s1" },
    });
  });

  it("updates the known SIS record when the content changed", () => {
    const e = entry({ hours: 3 });
    const d = decideEntry(e, facts({ known: ledgerOf(entry()) }));
    expect(d.kind === "write" && d.planned.write).toMatchObject({ op: "update", serviceHoursId: "s1" });
  });

  it("deletes an unapproved or deleted entry the SIS holds, and reconciles one whose last write is unknown", () => {
    for (const e of [entry({ approved: false }), entry({ deleted: true })]) {
      const d = decideEntry(e, facts({ known: ledgerOf(entry()) }));
      expect(d.kind === "write" && d.planned.write).toMatchObject({ op: "delete", serviceHoursId: "s1" });
      // A delete forgets the id of a record carrying our marker (a later re-approval must not update it).
      expect(d.kind === "write" && d.planned.ledger.serviceHoursId).toBeNull();
    }
    const pending = decideEntry(entry({ approved: false }), facts({ known: ledgerOf(entry(), { state: "pending" }) }));
    expect(pending.kind === "write" && pending.planned.write).toMatchObject({ op: "delete", reconcile: true });
  });

  it("restores a withdrawn record by reconciling, never creating a second one", () => {
    const d = decideEntry(entry(), facts({ known: ledgerOf(entry(), { state: "withdrawn" }) }));
    expect(d.kind === "write" && d.planned.write).toMatchObject({
      op: "create",
      serviceHoursId: "s1",
      reconcile: true,
    });
    const still = decideEntry(entry({ approved: false }), facts({ known: ledgerOf(entry(), { state: "withdrawn" }) }));
    expect(still).toEqual({ kind: "skip", outcome: { hourId: "h1", status: "withdrawn", serviceHoursId: "s1" } });
  });

  it("parks an approved entry of an unlinked account, and only notes an unapproved one", () => {
    expect(decideEntry(entry(), facts({ personId: undefined }))).toMatchObject({ kind: "unlinked", park: true });
    const unapproved = decideEntry(entry({ approved: false }), facts({ personId: undefined }));
    expect(unapproved).toMatchObject({ kind: "unlinked", park: false, outcome: { status: "unlinked" } });
  });

  it("leaves an entry logged before write-back was switched on to the backfill", () => {
    const d = decideEntry(
      entry({ createdAt: "2026-01-01T00:00:00.000Z" }),
      facts({ enabledAt: "2026-02-01T00:00:00.000Z" }),
    );
    expect(d).toEqual({ kind: "skip", outcome: { hourId: "h1", status: "before-enabled", serviceHoursId: null } });
  });

  it("claims the host's copy of an SIS-imported hour instead of echoing it", () => {
    const e = entry();
    const imported = ledgerOf(e, { hourId: sisKey("s9"), serviceHoursId: "s9", origin: "sis" });
    const d = decideEntry(e, facts({ claimSis: (f) => (f === imported.fingerprint ? imported : undefined) }));
    expect(d).toMatchObject({ kind: "claim", outcome: { status: "from-sis", serviceHoursId: "s9" } });
    expect(d.kind === "claim" && d.ledger.map((l) => [l.hourId, l.state])).toEqual([
      ["h1", "synced"],
      ["sis:s9", "deleted"],
    ]);
  });

  it("answers null for every wanted state that needs no write", () => {
    const e = entry();
    const fp = hourFingerprint(hourOf(e));
    expect(writeFor("h1", hourOf(e), fp, true, ledgerOf(e))).toBeNull();
    expect(writeFor("h1", hourOf(e), fp, false, undefined)).toBeNull();
    expect(writeFor("h1", hourOf(e), fp, false, ledgerOf(e, { state: "deleted" }))).toBeNull();
  });
});

describe("deciding a set of entries", () => {
  it("lets one SIS-imported hour be claimed by one host entry only; the twin is created", () => {
    const a = entry({ hourId: "h1" });
    const b = entry({ hourId: "h2" });
    const imported = ledgerOf(a, { hourId: sisKey("s9"), serviceHoursId: "s9", origin: "sis" });
    const decided = decideEntries([a, b], {
      personOf: new Map([["a1", "p1"]]),
      ledger: [imported],
      enabledAt: null,
      now: NOW,
    });
    expect(decided.outcomes.get("h1")?.status).toBe("from-sis");
    expect(decided.writes.map((w) => [w.write.hourId, w.write.op])).toEqual([["h2", "create"]]);
    expect(decided.claims).toHaveLength(2);
    expect(decided.stillParked).toEqual([]);
  });

  it("collects parked entries and keeps no outcome for a write (it is settled when sent)", () => {
    const decided = decideEntries([entry({ hourId: "h1", accountId: "nobody" }), entry({ hourId: "h2" })], {
      personOf: new Map([["a1", "p1"]]),
      ledger: [],
      enabledAt: null,
      now: NOW,
    });
    expect(decided.stillParked.map((e) => e.hourId)).toEqual(["h1"]);
    expect([...decided.outcomes.keys()]).toEqual(["h1"]);
    expect(decided.writes).toHaveLength(1);
  });
});
