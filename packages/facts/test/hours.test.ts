import type { HourWrite, ServiceHour } from "@rostersync/core";
import fc from "fast-check";
import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { createFactsHoursSink, cut, hourMarker, noteWithMarker, parseMarker, TEXT_MAX } from "../src/index.js";
import type { FakeFacts } from "./helpers/fake-facts.js";
import { testClient, useMsw } from "./helpers/msw.js";
import { smallSchool } from "./helpers/school.js";

const msw = useMsw();

const hour = (personId: string, extra: Partial<ServiceHour> = {}): ServiceHour => ({
  personId,
  role: "student",
  date: "2025-10-01",
  hours: 2,
  description: "Library shelving",
  note: "Thanks!",
  ...extra,
});
const create = (hourId: string, h: ServiceHour, extra: Partial<HourWrite> = {}): HourWrite => ({
  hourId,
  op: "create",
  hour: h,
  ...extra,
});
const studentHours = (fake: FakeFacts) => fake.tables.get("/Students/ServiceHours") ?? [];
const markersOf = (fake: FakeFacts) =>
  [...studentHours(fake), ...(fake.tables.get("/Parents/ServiceHours") ?? [])].map(
    (r) => parseMarker(r.note as string).hostHourId,
  );
const sink = (options: Omit<Parameters<typeof createFactsHoursSink>[0], "client"> = {}) =>
  createFactsHoursSink({ client: testClient(), readBackDelayMs: 1, ...options });

describe("text limits and the marker", () => {
  it("cuts description and note to 255 with an ellipsis", () => {
    expect(cut("a".repeat(300))).toHaveLength(TEXT_MAX);
    expect(cut("a".repeat(300)).endsWith("…")).toBe(true);
    expect(cut("short")).toBe("short");
    // A surrogate pair is never split.
    const emoji = `${"a".repeat(253)}😀😀`;
    expect(cut(emoji).endsWith("a…")).toBe(true);
  });

  it("keeps the marker whole at the end of a note cut to fit", () => {
    const note = noteWithMarker("n".repeat(400), "hour-42");
    expect(note).toHaveLength(TEXT_MAX);
    expect(note?.endsWith(` ${hourMarker("hour-42")}`)).toBe(true);
    expect(parseMarker(note)).toEqual({
      note: `${"n".repeat(TEXT_MAX - hourMarker("hour-42").length - 2)}…`,
      hostHourId: "hour-42",
      mark: "live",
    });
  });

  it("round-trips host ids with brackets and spaces, and ignores a look-alike inside the note", () => {
    const id = "h [1] x";
    const note = noteWithMarker("copied [rs:other] text", id);
    expect(parseMarker(note)).toEqual({ note: "copied [rs:other] text", hostHourId: id, mark: "live" });
    expect(noteWithMarker(null, "h1")).toBe("[rs:h1]");
    expect(noteWithMarker(null, "x".repeat(300))).toBeNull();
  });
});

describe("writes", () => {
  it("creates (201, no body) and reads the new ids back in batches, not one read per entry", async () => {
    const fake = msw.facts(smallSchool());
    // 600 entries for 300 students: 600 POSTs and ⌈300/200⌉ = 2 read-backs.
    const writes = Array.from({ length: 600 }, (_, i) => create(`h${i}`, hour(String(1000 + (i % 300)))));
    const outcomes = (await sink().write(writes))._unsafeUnwrap();
    expect(outcomes.every((o) => o.status === "created" && o.serviceHoursId !== null)).toBe(true);
    expect(new Set(outcomes.map((o) => o.serviceHoursId)).size).toBe(600);
    expect(fake.count("/Students/ServiceHours", "POST")).toBe(600);
    expect(fake.count("/Students/ServiceHours", "GET")).toBe(2);
    expect(fake.requests.length / writes.length).toBeLessThanOrEqual(1.05);
    const readBack = fake.requests.find((r) => r.method === "GET");
    expect(readBack?.query.get("Filters")).toMatch(/^personId==1000\|1001\|/);
  });

  it("beats its progress after every request, so a caller can keep a lease through a batch of creates", async () => {
    const fake = msw.facts(smallSchool());
    const writes = Array.from({ length: 40 }, (_, i) => create(`b${i}`, hour(String(1000 + i))));
    const beats: number[] = [];
    const outcomes = (await sink().write(writes, { onProgress: (done) => beats.push(done) }))._unsafeUnwrap();
    expect(outcomes.every((o) => o.status === "created")).toBe(true);
    // Creates settle only at the read-back; before it, every POST still gave a beat (with nothing done yet).
    expect(fake.count("/Students/ServiceHours", "POST")).toBe(40);
    expect(beats.filter((done) => done === 0)).toHaveLength(40);
    expect(beats.at(-1)).toBe(40);
  });

  it("skips the read-back when a create answers with the record after all", async () => {
    const fake = msw.facts();
    fake.fault = (req) => {
      if (req.method !== "POST") return undefined;
      const record = { ...(req.body as Record<string, unknown>), serviceHoursId: 77, createdBy: 7 };
      studentHours(fake).push(record);
      return HttpResponse.json(record, { status: 201 });
    };
    const outcomes = (await sink().write([create("h1", hour("101"))]))._unsafeUnwrap();
    expect(outcomes[0]).toMatchObject({ status: "created", serviceHoursId: "77" });
    expect(fake.requests.map((r) => r.method)).toEqual(["POST"]);
  });

  it("sends cut text, the marker in note and the host's fields in the POST body", async () => {
    const fake = msw.facts();
    await sink().write([
      create("h1", hour("101", { description: "d".repeat(300), note: "n".repeat(300), verifiedBy: "Ms. K" })),
    ]);
    const body = fake.requests.find((r) => r.method === "POST")?.body as Record<string, unknown>;
    // StudentServiceHoursModel: serviceHoursId required (0 on a create), date a date-time, no yearId.
    expect(body).toMatchObject({
      serviceHoursId: 0,
      personId: 101,
      hours: 2,
      date: "2025-10-01T00:00:00",
      verifiedBy: "Ms. K",
    });
    expect(body).not.toHaveProperty("yearId");
    expect((body.description as string).length).toBe(255);
    expect((body.note as string).endsWith("[rs:h1]")).toBe(true);
    expect((body.note as string).length).toBe(255);
  });

  it("updates by serviceHoursId with a JSON Patch; removing withdraws the record FACTS cannot delete", async () => {
    const fake = msw.facts();
    const [created] = (await sink().write([create("h1", hour("101"))]))._unsafeUnwrap();
    const id = created?.serviceHoursId ?? "";
    const updated = await sink().write([
      { hourId: "h1", op: "update", serviceHoursId: id, hour: hour("101", { hours: 3 }) },
    ]);
    expect(updated._unsafeUnwrap()[0]).toMatchObject({ status: "updated", serviceHoursId: id });
    expect(studentHours(fake)[0]).toMatchObject({ hours: 3 });
    const patch = fake.requests.find((r) => r.method === "PATCH");
    expect(patch?.body).toEqual(
      expect.arrayContaining([
        { op: "replace", path: "/hours", value: 3 },
        { op: "replace", path: "/date", value: "2025-10-01T00:00:00" },
      ]),
    );
    const del = { hourId: "h1", op: "delete" as const, serviceHoursId: id, hour: hour("101") };
    const [withdrawn] = (await sink().write([del]))._unsafeUnwrap();
    // Still in FACTS: never reported deleted; zeroed, marked, and a person is asked to delete it.
    expect(withdrawn).toMatchObject({ status: "withdrawn", serviceHoursId: id });
    expect(withdrawn?.attention).toMatch(/delete it in FACTS/);
    expect(studentHours(fake)).toHaveLength(1);
    expect(studentHours(fake)[0]).toMatchObject({ hours: 0 });
    expect(parseMarker(studentHours(fake)[0]?.note as string)).toMatchObject({ hostHourId: "h1", mark: "withdrawn" });
    expect(fake.count(`/Students/ServiceHours/${id}`, "DELETE")).toBe(0);
    // Only a record that really is gone (someone deleted it in FACTS) is `deleted`.
    studentHours(fake).splice(0);
    expect((await sink().write([del]))._unsafeUnwrap()[0]).toMatchObject({ status: "deleted", serviceHoursId: null });
  });

  it("fails an update of a record that is gone with NotFound, for the ledger to re-create", async () => {
    msw.facts();
    const outcome = (
      await sink().write([{ hourId: "h9", op: "update", serviceHoursId: "77", hour: hour("101") }])
    )._unsafeUnwrap();
    expect(outcome[0]).toMatchObject({ status: "failed", error: { type: "NotFound" } });
  });

  it("writes parents' hours under /Parents with no yearId (the create body has none; FACTS picks the year)", async () => {
    const fake = msw.facts(smallSchool());
    const outcomes = await sink().write([create("p1", hour("201", { role: "parent" }))]);
    expect(outcomes._unsafeUnwrap()[0]?.status).toBe("created");
    expect(fake.tables.get("/Parents/ServiceHours")?.[0]).toMatchObject({ personId: 201 });
    expect(
      fake.requests.filter((r) => r.method !== "GET").every((r) => !JSON.stringify(r.body).includes("yearId")),
    ).toBe(true);
    // No school read to find a year either.
    expect(fake.count("/SchoolConfigurations")).toBe(0);
  });

  it("reports a bad person id or an over-long host id as InvalidHour, writing nothing", async () => {
    const fake = msw.facts();
    const outcomes = (
      await sink().write([create("h1", hour("abc")), create("x".repeat(300), hour("101"))])
    )._unsafeUnwrap();
    expect(outcomes.map((o) => o.error?.type)).toEqual(["InvalidHour", "InvalidHour"]);
    expect(fake.requests).toHaveLength(0);
  });

  it("fails the whole batch on a 403 and names the write permission", async () => {
    const fake = msw.facts();
    fake.fault = (req) =>
      req.method === "POST"
        ? HttpResponse.json(
            { type: "about:blank", title: "Forbidden", status: 403, detail: "no write" },
            { status: 403 },
          )
        : undefined;
    const error = (await sink().write([create("h1", hour("101"))]))._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "Forbidden", permission: "People: Write", fatal: true });
  });

  it("stops with Aborted when the signal fires", async () => {
    msw.facts();
    const controller = new AbortController();
    controller.abort();
    const error = (await sink().write([create("h1", hour("101"))], { signal: controller.signal }))._unsafeUnwrapErr();
    expect(error.type).toBe("Aborted");
  });
});

describe("exactly once", () => {
  it("reads back a create whose response was lost instead of sending it again", async () => {
    const fake = msw.facts();
    fake.fault = (req) => (req.method === "POST" ? "apply-then-drop" : undefined);
    const outcomes = (await sink().write([create("h1", hour("101"))]))._unsafeUnwrap();
    expect(outcomes[0]).toMatchObject({ status: "created" });
    expect(studentHours(fake)).toHaveLength(1);
    expect(fake.count("/Students/ServiceHours", "POST")).toBe(1);
  });

  it("sends a create again only after reading back shows it was not applied", async () => {
    const fake = msw.facts();
    let dropped = 0;
    fake.fault = (req) => (req.method === "POST" && dropped++ === 0 ? "drop" : undefined);
    const outcomes = (await sink().write([create("h1", hour("101"))]))._unsafeUnwrap();
    expect(outcomes[0]).toMatchObject({ status: "created" });
    expect(studentHours(fake)).toHaveLength(1);
    expect(fake.requests.map((r) => r.method)).toEqual(["POST", "GET", "POST", "GET"]);
  });

  it("reconciles a write marked `reconcile` by marker before writing: no second record", async () => {
    const fake = msw.facts();
    await sink().write([create("h1", hour("101"))]);
    const again = await sink().write([create("h1", hour("101", { hours: 5 }), { reconcile: true })]);
    expect(again._unsafeUnwrap()[0]).toMatchObject({ status: "created" });
    expect(studentHours(fake)).toHaveLength(1);
    expect(studentHours(fake)[0]).toMatchObject({ hours: 5 });
    expect(fake.count("/Students/ServiceHours", "POST")).toBe(1);
  });

  it("withdraws by marker when the id of a pending create was never learnt, and only once", async () => {
    const fake = msw.facts();
    await sink().write([create("h1", hour("101"))]);
    const remove = { hourId: "h1", op: "delete" as const, reconcile: true, hour: hour("101") };
    const outcome = await sink().write([remove]);
    expect(outcome._unsafeUnwrap()[0]).toMatchObject({ status: "withdrawn", serviceHoursId: "5000" });
    expect(studentHours(fake)).toHaveLength(1);
    // A retry (the outcome was lost) finds it withdrawn already and sends nothing more.
    const patches = fake.count("/Students/ServiceHours/5000", "PATCH");
    expect((await sink().write([remove]))._unsafeUnwrap()[0]?.status).toBe("withdrawn");
    expect(fake.count("/Students/ServiceHours/5000", "PATCH")).toBe(patches);
    // Re-approved: the same record is restored, not a second one created.
    const back = (await sink().write([create("h1", hour("101"), { reconcile: true })]))._unsafeUnwrap();
    expect(back[0]).toMatchObject({ status: "created", serviceHoursId: "5000" });
    expect(studentHours(fake)).toHaveLength(1);
    expect(studentHours(fake)[0]).toMatchObject({ hours: 2 });
    expect(parseMarker(studentHours(fake)[0]?.note as string).mark).toBe("live");
  });

  it("waits for a fresh record to become readable (FACTS can take seconds) before giving up", async () => {
    const fake = msw.facts();
    let reads = 0;
    fake.fault = (req) =>
      req.method === "GET" && reads++ < 2
        ? HttpResponse.json({ results: [], currentPage: 1, pageCount: 0, pageSize: 1000, rowCount: 0, nextPage: "" })
        : undefined;
    const outcomes = (await sink({ readBackAttempts: 3 }).write([create("h1", hour("101"))]))._unsafeUnwrap();
    expect(outcomes[0]).toMatchObject({ status: "created" });
    expect(fake.count("/Students/ServiceHours", "POST")).toBe(1);
    expect(studentHours(fake)).toHaveLength(1);
  });

  it("reports ReadBackMissing (and never re-posts) when FACTS accepted a create but does not show it yet", async () => {
    const fake = msw.facts();
    fake.fault = (req) =>
      req.method === "GET"
        ? HttpResponse.json({ results: [], currentPage: 1, pageCount: 0, pageSize: 1000, rowCount: 0, nextPage: "" })
        : undefined;
    const outcomes = (await sink({ readBackAttempts: 3 }).write([create("h1", hour("101"))]))._unsafeUnwrap();
    expect(outcomes[0]).toMatchObject({ status: "failed", error: { type: "ReadBackMissing" } });
    expect(fake.count("/Students/ServiceHours", "POST")).toBe(1);
    expect(fake.count("/Students/ServiceHours", "GET")).toBe(3);
  });

  it("never duplicates an hour under any schedule of lost responses, 500s and 429s (property)", async () => {
    type Step = "ok" | "drop" | "apply-then-drop" | "500" | "429";
    const step = fc.constantFrom<Step>("ok", "ok", "ok", "drop", "apply-then-drop", "500", "429");
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        async (schedule, entries) => {
          msw.server.resetHandlers();
          const fake = msw.facts();
          let n = 0;
          fake.fault = () => {
            const s = schedule[n++ % schedule.length];
            if (n > schedule.length * 3) return undefined;
            if (s === "drop" || s === "apply-then-drop") return s;
            if (s === "500")
              return HttpResponse.json(
                { type: "about:blank", title: "Error", status: 500, detail: "at Sieve.Apply()\n  at …" },
                { status: 500 },
              );
            if (s === "429") return new HttpResponse(null, { status: 429, headers: { "Retry-After": "0" } });
            return undefined;
          };
          const facts = createFactsHoursSink({
            client: testClient({ retry: { limit: 1, baseDelayMs: 0 } }),
            readBackDelayMs: 0,
            readBackAttempts: 1,
            createRetries: 1,
          });
          // Like sync's push: a failed write comes back next push, marked `reconcile`. While faults last, a
          // push may fail (each push sends at least one request, so they end); once FACTS answers cleanly,
          // the next push writes all that is left.
          let todo: HourWrite[] = Array.from({ length: entries }, (_, i) =>
            create(`h${i}`, hour(String(100 + (i % 4)), { hours: i + 1 })),
          );
          let cleanPushes = 0;
          for (let push = 0; push <= schedule.length * 3 && todo.length > 0 && cleanPushes < 1; push++) {
            if (n >= schedule.length * 3) cleanPushes++;
            const result = await facts.write(todo);
            const failed = result.isOk()
              ? new Set(result.value.filter((o) => o.status === "failed").map((o) => o.hourId))
              : new Set(todo.map((w) => w.hourId));
            todo = todo.filter((w) => failed.has(w.hourId)).map((w) => ({ ...w, reconcile: true }));
          }
          fake.fault = undefined;
          expect(todo).toEqual([]);
          const markers = markersOf(fake).sort();
          expect(markers).toEqual(Array.from({ length: entries }, (_, i) => `h${i}`).sort());
          for (const r of studentHours(fake)) {
            const i = Number(parseMarker(r.note as string).hostHourId?.slice(1));
            expect(r.hours).toBe(i + 1);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("listAll and the personId choice", () => {
  it("reads every student and parent service hour with the host id parsed from its marker", async () => {
    const fake = msw.facts(smallSchool());
    fake.tables.get("/Students/ServiceHours")?.push({
      serviceHoursId: 1,
      personId: 101,
      description: "Typed in FACTS",
      hours: 1.5,
      date: "2025-09-01T00:00:00",
      note: null,
      verifiedBy: null,
      createdBy: 12,
    });
    await sink().write([create("h1", hour("102")), create("p1", hour("201", { role: "parent" }))]);
    const all = (await sink().listAll())._unsafeUnwrap();
    expect(all).toHaveLength(3);
    expect(all.find((h) => h.serviceHoursId === "1")).toMatchObject({
      hostHourId: null,
      date: "2025-09-01",
      role: "student",
    });
    expect(all.find((h) => h.hostHourId === "h1")).toMatchObject({ personId: "102", note: "Thanks!", role: "student" });
    expect(all.find((h) => h.hostHourId === "p1")).toMatchObject({ personId: "201", role: "parent" });
  });

  it("uses studentId as the student hours personId by default", async () => {
    const fake = msw.facts(smallSchool());
    await sink().write([create("h1", hour("101"))]);
    expect(studentHours(fake)[0]?.personId).toBe(101);
  });

  it("can write personStudentId instead (unverified in FACTS.md), and maps it back on reads", async () => {
    const fake = msw.facts(smallSchool());
    const s = sink({ studentPersonId: "personStudentId" });
    const outcomes = (await s.write([create("h1", hour("101")), create("h2", hour("102"))]))._unsafeUnwrap();
    expect(outcomes.map((o) => o.status)).toEqual(["created", "created"]);
    expect(
      studentHours(fake)
        .map((r) => r.personId as number)
        .sort(),
    ).toEqual([9001, 9002]);
    expect(fake.requests[0]?.query.get("Filters")).toBe("studentId==101|102");
    const all = (await sink({ studentPersonId: "personStudentId" }).listAll())._unsafeUnwrap();
    expect(all.map((h) => h.personId).sort()).toEqual(["101", "102"]);
  });
});
