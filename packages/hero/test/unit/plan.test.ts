import type { ExportLedgerEntry, TardyRecord } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { latestEvents, ledgerEntries, planRecords, runIdOf } from "../../src/run.js";
import { asInt, planAttendance, slotKey, slotOf, voidPatch } from "../../src/sinks/attendance-plan.js";
import { behaviorCodes, bellSchedules, config, schools, tardy } from "../helpers/school.js";

const context = { schools, behaviorCodes, bellSchedules };
const sent = (eventId: string, fingerprint: string, extra: Partial<ExportLedgerEntry> = {}): ExportLedgerEntry => ({
  eventId,
  fingerprint,
  status: "sent",
  sentAt: "2026-09-13T00:00:00.000Z",
  ...extra,
});

describe("planRecords: what a run sends, as a pure function of the events and the ledger", () => {
  it("sends new tardies, ignores voids never sent, voids what was sent", () => {
    const { counts, planned } = planRecords(
      config(),
      [tardy("e1"), tardy("e2", { status: "voided" }), tardy("e3", { status: "voided" })],
      new Map([["e3", sent("e3", "x", { externalId: "77" })]]),
      context,
    );
    expect(counts).toEqual({ new: 1, correction: 0, void: 1, unchanged: 0, ignored: 1 });
    expect(planned.map((p) => [p.record.eventId, p.record.kind, p.record.externalId])).toEqual([
      ["e1", "new", undefined],
      ["e3", "void", "77"],
    ]);
  });

  it("corrects a tardy whose exported values changed, and leaves one whose fingerprint is the same", () => {
    const first = planRecords(config(), [tardy("e1")], new Map(), context).planned[0];
    const fingerprint = first?.fingerprint ?? "";
    const same = planRecords(config(), [tardy("e1")], new Map([["e1", sent("e1", fingerprint)]]), context);
    expect(same.counts.unchanged).toBe(1);
    expect(same.planned).toEqual([]);
    const edited = planRecords(
      config(),
      [tardy("e1", { comment: "new words" })],
      new Map([["e1", sent("e1", fingerprint)]]),
      context,
    );
    expect(edited.counts.correction).toBe(1);
  });

  it("keeps the latest version of each event, and derives the same run id from the same plan", () => {
    const events = latestEvents([
      tardy("e1", { updatedAt: "2026-09-14T10:00:00Z", comment: "old" }),
      tardy("e1", { updatedAt: "2026-09-14T11:00:00Z", comment: "new" }),
    ]);
    expect(events.get("e1")?.comment).toBe("new");
    const { planned } = planRecords(config(), [...events.values()], new Map(), context);
    expect(runIdOf("x", null, planned)).toBe(runIdOf("x", null, planned));
    expect(runIdOf("x", null, planned)).not.toBe(runIdOf("x", "2026-09-01", planned));
  });

  it("records in the ledger only what the sink accepted, with its external ids", () => {
    const { planned } = planRecords(config(), [tardy("e1"), tardy("e2")], new Map(), context);
    const all = ledgerEntries(planned, null, { e2: "99" }, "T");
    expect(all.map((e) => [e.eventId, e.status, e.externalId])).toEqual([
      ["e1", "sent", undefined],
      ["e2", "sent", "99"],
    ]);
    expect(ledgerEntries(planned, new Set(["e2"]), undefined, "T").map((e) => e.eventId)).toEqual(["e2"]);
  });
});

describe("the attendance sink's plan, without FACTS", () => {
  const record = (values: Record<string, string | number | null>, eventId = "e1"): TardyRecord => ({
    eventId,
    kind: "new",
    values: {
      studentSisId: "1001",
      date: "2026-09-14",
      externalReferenceCode: "T",
      period: "1",
      schoolCode: "HS",
      ...values,
    },
  });
  const rules = {
    classes: { "HS/1": { classId: 5012, column: "1" }, "2": { classId: "5013", column: 2 } },
    setByAdmin: true,
  };

  it("builds the CreateStudentAttendanceDto and the slot of a mapped tardy", () => {
    const planned = planAttendance(rules, record({ comment: "bus" }));
    expect(planned).toMatchObject({
      body: {
        studentId: 1001,
        classId: 5012,
        column: 1,
        attendanceDate: "2026-09-14T00:00:00",
        attendanceCode: "T",
        attendanceEventReason: "bus [hero:e1]",
        setByAdmin: true,
        updated: false,
      },
      slot: slotKey("1001", "5012", "2026-09-14", "1"),
    });
  });

  it("maps the school-specific period first, then the bare period", () => {
    expect(slotOf(rules, record({}))).toEqual({ classId: 5012, column: "1" });
    expect(slotOf(rules, record({ period: "2" }))).toEqual({ classId: "5013", column: 2 });
    expect(slotOf(rules, record({ period: "3" }))).toBeNull();
  });

  it("refuses a tardy without its values, an unmapped period and ids that are not integers", () => {
    expect(planAttendance(rules, record({ date: "", externalReferenceCode: "" }))).toMatchObject({
      code: "MissingValue",
    });
    expect(planAttendance(rules, record({ period: "9" }))).toMatchObject({ code: "NoClassMapping" });
    expect(planAttendance(rules, record({ studentSisId: "S-1" }))).toMatchObject({ code: "MissingValue" });
    const bad = { ...rules, classes: { "1": { classId: "abc", column: 1 } } };
    expect(planAttendance(bad, record({ schoolCode: "" }))).toMatchObject({ code: "NoClassMapping" });
    expect([asInt("12"), asInt(" 7 "), asInt("1.5"), asInt(2 ** 31)]).toEqual([12, 7, null, null]);
  });

  it("voids by patching the code and marking the reason", () => {
    const planned = planAttendance(rules, record({}));
    if (!("slot" in planned)) throw new Error("expected a plan");
    expect(voidPatch(planned.body, "")).toEqual([
      { op: "replace", path: "/attendanceCode", value: "" },
      { op: "replace", path: "/attendanceEventReason", value: "[hero:e1] (voided)" },
      { op: "replace", path: "/updated", value: true },
    ]);
  });
});
