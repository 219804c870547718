import type { HourWrite, ServiceHour } from "@rostersync/core";
import { err, ok } from "neverthrow";
import { describe, expect, it } from "vitest";
import { DUPLICATE_PREFIX, hourMarker, WITHDRAWN_PREFIX } from "../../src/hour-notes.js";
import {
  afterReadBack,
  needsLookup,
  type PendingHour,
  planWrite,
  recordsByMarker,
  resolveWrites,
  studentIdsOf,
  toSisHour,
  withDuplicates,
  writeResult,
} from "../../src/hours-steps.js";
import { httpError, timeout } from "../../src/http-errors.js";

const hour = (extra: Partial<ServiceHour> = {}): ServiceHour => ({
  personId: "10",
  role: "student",
  date: "2025-09-01",
  hours: 2,
  description: "Library",
  note: null,
  verifiedBy: null,
  ...extra,
});
const write = (extra: Partial<HourWrite> = {}, h: Partial<ServiceHour> = {}): HourWrite => ({
  hourId: "h1",
  op: "create",
  hour: hour(h),
  ...extra,
});
const pending = (w: HourWrite, extra: Partial<PendingHour> = {}): PendingHour => ({
  write: w,
  index: 0,
  factsPersonId: Number(w.hour.personId),
  existing: null,
  confirmed: false,
  creates: 0,
  duplicates: [],
  ...extra,
});
const record = (serviceHoursId: number, note: string | null, extra: Record<string, unknown> = {}) => ({
  serviceHoursId,
  personId: 10,
  note,
  hours: 2,
  ...extra,
});
const status = (code: number) =>
  httpError({ method: "PATCH", endpoint: "/x", status: code, retryAfter: null, text: "", redact: (t) => t, now: 0 });

describe("resolve: every write checked and given its FACTS person id", () => {
  it("refuses a person id FACTS cannot have and a host id too long for the marker, keeping the rest", () => {
    const writes = [
      write({ hourId: "a" }, { personId: "x" }),
      write({ hourId: "b".repeat(300) }),
      write({ hourId: "c" }),
    ];
    const { pending: ok, invalid } = resolveWrites(writes, "studentId", new Map());
    expect(ok.map((p) => [p.index, p.factsPersonId])).toEqual([[2, 10]]);
    expect(invalid.map(([i, o]) => [i, o.status, o.error?.type])).toEqual([
      [0, "failed", "InvalidHour"],
      [1, "failed", "InvalidHour"],
    ]);
  });

  it("maps student ids to personStudentId when hours carry it, and refuses an unknown student", () => {
    const writes = [
      write({ hourId: "a" }),
      write({ hourId: "b" }, { personId: "11" }),
      write({ hourId: "c" }, { role: "parent", personId: "11" }),
    ];
    const { pending: ok, invalid } = resolveWrites(writes, "personStudentId", new Map([[10, 9010]]));
    expect(ok.map((p) => p.factsPersonId)).toEqual([9010, 11]);
    expect(invalid[0]?.[1].error?.message).toContain("student 11 is not in /Students");
    expect(studentIdsOf([...writes, write({}, { personId: " " })])).toEqual([10, 11, 0]);
  });

  it("looks up before writing only what asks to reconcile or has no id to write to", () => {
    expect(needsLookup(pending(write()))).toBe(false);
    expect(needsLookup(pending(write({ reconcile: true })))).toBe(true);
    expect(needsLookup(pending(write({ op: "update" })))).toBe(true);
    expect(needsLookup(pending(write({ op: "update", serviceHoursId: "5" })))).toBe(false);
  });
});

describe("reconcile: records by marker", () => {
  it("groups by host hour id, oldest first, leaving out unmarked records and marked duplicates", () => {
    const rows = [
      record(7, hourMarker("h1")),
      record(3, `note ${hourMarker("h1")}`),
      record(4, null),
      record(5, `${DUPLICATE_PREFIX} ${hourMarker("h1")}`),
      record(6, hourMarker("h2")),
    ];
    const byMarker = recordsByMarker(rows);
    expect(byMarker.get("h1")?.map((r) => r.serviceHoursId)).toEqual([3, 7]);
    expect(byMarker.get("h2")?.map((r) => r.serviceHoursId)).toEqual([6]);
    expect(byMarker.size).toBe(2);
  });
});

describe("write: what to send, and what the answer means", () => {
  it("creates by POST with serviceHoursId 0 and the marker in the note", () => {
    const step = planWrite(pending(write()));
    expect(step).toMatchObject({ kind: "create", url: "/Students/ServiceHours" });
    expect(step.kind === "create" && step.json).toMatchObject({
      serviceHoursId: 0,
      personId: 10,
      note: hourMarker("h1"),
    });
  });

  it("updates a known record by JSON Patch, clearing verifiedBy the host does not have", () => {
    const step = planWrite(pending(write({ op: "update", serviceHoursId: "5" }, { role: "parent" })));
    expect(step).toMatchObject({ kind: "update", url: "/Parents/ServiceHours/5", id: 5 });
    expect(step.kind === "update" && step.json).toContainEqual({ op: "replace", path: "/verifiedBy", value: null });
  });

  it("withdraws a removed hour, and knows without a request when there is nothing or it is already withdrawn", () => {
    expect(planWrite(pending(write({ op: "delete" })))).toEqual({
      kind: "known",
      outcome: { hourId: "h1", status: "deleted", serviceHoursId: null },
    });
    expect(planWrite(pending(write({ op: "delete", serviceHoursId: "5" })))).toMatchObject({ kind: "withdraw", id: 5 });
    const already = record(5, `${WITHDRAWN_PREFIX} ${hourMarker("h1")}`, { hours: 0 });
    expect(planWrite(pending(write({ op: "delete" }), { existing: already }))).toMatchObject({
      kind: "known",
      outcome: { status: "withdrawn", serviceHoursId: "5" },
    });
    expect(planWrite(pending(write({ op: "update" })))).toMatchObject({
      kind: "known",
      outcome: { error: { type: "NotFound" } },
    });
  });

  it("reads back a create FACTS answered 201 without a body, and one whose outcome was lost", () => {
    const p = pending(write());
    const step = planWrite(p);
    if (step.kind !== "create") throw new Error("expected a create");
    expect(writeResult(p, step, ok({ status: 201, body: undefined }))).toEqual({
      outcome: null,
      confirmed: true,
      stop: null,
    });
    expect(writeResult(p, step, err(timeout("POST", "/x", 5)))).toEqual({
      outcome: null,
      confirmed: false,
      stop: null,
    });
    const echoed = ok({ status: 201, body: record(42, hourMarker("h1")) });
    expect(writeResult(p, step, echoed).outcome).toEqual({ hourId: "h1", status: "created", serviceHoursId: "42" });
    const refused = writeResult(p, step, err(status(403)));
    expect(refused.outcome?.status).toBe("failed");
    expect(refused.stop?.type).toBe("Forbidden");
  });

  it("takes a 404 on a withdrawal as deleted in FACTS, and only then", () => {
    const p = pending(write({ op: "delete", serviceHoursId: "5" }));
    const step = planWrite(p);
    if (step.kind !== "withdraw") throw new Error("expected a withdrawal");
    expect(writeResult(p, step, err(status(404))).outcome).toEqual({
      hourId: "h1",
      status: "deleted",
      serviceHoursId: null,
    });
    expect(writeResult(p, step, err(status(400))).outcome?.status).toBe("failed");
    expect(writeResult(p, step, ok({ status: 204, body: undefined })).outcome).toMatchObject({ status: "withdrawn" });
  });
});

describe("read back: what a create still missing becomes", () => {
  it("ReadBackMissing when FACTS confirmed it, again while retries last, else a Network failure", () => {
    const confirmed = pending(write({ hourId: "a" }), { confirmed: true, creates: 1 });
    const lost = pending(write({ hourId: "b" }), { creates: 1 });
    const spent = pending(write({ hourId: "c" }), { creates: 3 });
    const { retry, failed } = afterReadBack([confirmed, lost, spent], 2);
    expect(retry).toEqual([lost]);
    expect(failed.map(([p, o]) => [p.write.hourId, o.error?.type])).toEqual([
      ["a", "ReadBackMissing"],
      ["c", "Network"],
    ]);
  });

  it("adds the duplicates' attention to an outcome, after any it had", () => {
    const base = { hourId: "h1", status: "created", serviceHoursId: "3" } as const;
    expect(withDuplicates(base, [])).toBe(base);
    expect(withDuplicates(base, [7, 8]).attention).toContain("FACTS record 7, 8 is zeroed");
    expect(withDuplicates({ ...base, attention: "First." }, [7]).attention).toMatch(
      /^First\. Hour h1 was written twice/,
    );
  });

  it("reads a listed record as core's, mapping personStudentId back when in use", () => {
    const r = { ...record(3, `kept ${hourMarker("h1")}`), date: "2025-09-01T00:00:00", personId: 9010 };
    expect(toSisHour("student", r, null)).toMatchObject({
      personId: "9010",
      note: "kept",
      hostHourId: "h1",
      serviceHoursId: "3",
    });
    expect(toSisHour("student", r, new Map([[9010, 10]]))?.personId).toBe("10");
    expect(toSisHour("parent", { ...r, personId: null }, null)).toBeNull();
  });
});
