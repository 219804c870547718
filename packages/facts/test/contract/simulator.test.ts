import type { HourWrite } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createFactsClient, createFactsHoursSink, createFactsSource } from "../../src/index.js";
import { createFactsSimulator, generateSchool, startFactsServer } from "../../src/testing/index.js";
import { recorded, violations } from "./exchanges.js";

/**
 * The simulator and the adapter against the committed subset of FACTS's Swagger definition: every
 * request the adapter sends and every answer the simulator gives during a roster read, an hours push
 * (create, update, withdraw, reconcile, list) and attendance writes is checked against the operation the
 * definition declares for it. A route the definition does not have must get the gateway's unknown-route
 * answer. A drift on either side fails here.
 */

const KEYS = { subscriptionKey: "sub", apiKey: "key" };

const school = generateSchool({ seed: 5, people: 150 });
const students = school.tables["/Students"].map((s) => String(s.studentId));
const parents = [...new Set(school.tables["/People/ParentStudent"].map((l) => String(l.parentID)))];
const write = (i: number, role: "student" | "parent", over: Partial<HourWrite> = {}): HourWrite => ({
  hourId: `h${i}`,
  op: "create",
  hour: {
    personId: (role === "student" ? students[i] : parents[i]) as string,
    role,
    date: `2026-01-0${1 + i}`,
    hours: 2,
    description: `Shift ${i}`,
    note: i === 0 ? "With a note" : null,
    verifiedBy: i === 1 ? "Ms. K" : null,
  },
  ...over,
});

describe("the simulator and the adapter keep FACTS's contract", () => {
  it("a roster read, an hours push (create, update, withdraw, reconcile, list) and attendance writes", async () => {
    const { sim, exchanges } = recorded(createFactsSimulator({ school, keys: KEYS, rateLimit: false }));
    const server = await startFactsServer(sim);
    try {
      const client = createFactsClient({ ...KEYS, baseUrl: server.url, retry: { baseDelayMs: 1 } });
      const snapshot = await createFactsSource({ client }).read();
      expect(snapshot.isOk()).toBe(true);

      const sink = createFactsHoursSink({ client, readBackDelayMs: 1 });
      const created = (
        await sink.write([write(0, "student"), write(1, "parent"), write(2, "student")])
      )._unsafeUnwrap();
      expect(created.map((o) => o.status)).toEqual(["created", "created", "created"]);
      const [c0, c1] = created;
      const next = (
        await sink.write([
          {
            ...write(0, "student"),
            op: "update",
            serviceHoursId: c0?.serviceHoursId,
            hour: { ...write(0, "student").hour, hours: 5 },
          },
          { ...write(1, "parent"), op: "delete", serviceHoursId: c1?.serviceHoursId },
          { ...write(2, "student"), reconcile: true },
        ])
      )._unsafeUnwrap();
      expect(next.map((o) => o.status)).toEqual(["updated", "withdrawn", "created"]);
      expect((await sink.listAll())._unsafeUnwrap()).toHaveLength(3);

      // Attendance as the definition has it (the Hero sink's own bodies are checked in the hero package).
      const studentId = Number(students[0]);
      const posted = await client.request("POST", "/People/StudentAttendance", {
        json: {
          studentId,
          classId: 3101,
          attendanceDate: "2026-01-12T00:00:00",
          column: 1,
          attendanceCode: "T",
          attendanceEventReason: "Late [hero:e1]",
          setByAdmin: true,
          updated: false,
        },
      });
      const id = (posted._unsafeUnwrap().body as { attendanceId: number }).attendanceId;
      await client.request("PATCH", `/People/StudentAttendance/${id}`, {
        json: [{ op: "replace", path: "/attendanceCode", value: "P" }],
      });
      await client.request("PUT", `/People/StudentAttendance/${id}`, {
        json: { attendanceCode: "T", attendanceEventReason: "Late", setByAdmin: true, updated: true },
      });
      await client.list("/People/StudentAttendance", z.unknown(), {
        filters: `studentId==${studentId}`,
      });
      // Routes FACTS does not have answer as FACTS's gateway does.
      await client.request("DELETE", `/Students/ServiceHours/${c0?.serviceHoursId}`);
      await client.request("DELETE", `/People/StudentAttendance/${id}`);
    } finally {
      await server.close();
    }
    const routes = new Set(exchanges.map((x) => `${x.method} ${x.path.replace(/\/\d+$/, "/{id}")}`));
    // What was exercised: every operation the adapter uses.
    for (const r of [
      "GET /Students",
      "GET /UserDefinedGroups",
      "POST /Students/ServiceHours",
      "POST /Parents/ServiceHours",
      "PATCH /Students/ServiceHours/{id}",
      "PATCH /Parents/ServiceHours/{id}",
      "GET /Parents/ServiceHours",
      "POST /People/StudentAttendance",
      "PATCH /People/StudentAttendance/{id}",
      "PUT /People/StudentAttendance/{id}",
      "GET /People/StudentAttendance",
      "DELETE /Students/ServiceHours/{id}",
    ])
      expect(routes).toContain(r);
    expect(violations(exchanges)).toEqual([]);
  });

  it("catches a drift: a body or an answer off the definition is reported", () => {
    expect(
      violations([
        {
          method: "POST",
          path: "/Students/ServiceHours",
          body: { personId: 1, date: "2026-01-01", yearId: 2026 },
          status: 201,
          answer: undefined,
        },
        {
          method: "GET",
          path: "/Students",
          body: undefined,
          status: 200,
          answer: {
            results: [{ studentId: 1, personStudentId: 2, configSchoolId: 1, classYear: 2030 }],
            currentPage: 1,
            pageCount: 1,
            pageSize: 1,
            rowCount: 1,
          },
        },
        { method: "DELETE", path: "/Students/ServiceHours/5", body: undefined, status: 204, answer: undefined },
      ]),
    ).toEqual([
      "POST /Students/ServiceHours → 201 request serviceHoursId: required",
      'POST /Students/ServiceHours → 201 request date: not a date-time ("2026-01-01")',
      "POST /Students/ServiceHours → 201 request yearId: not in the definition",
      "GET /Students → 200 answer results[0].classYear: expected a string",
      "DELETE /Students/ServiceHours/5 → 204: no such operation in FACTS, yet not the unknown-route answer",
    ]);
  });
});
