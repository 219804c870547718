import type { PortError, TardyReceipt, TardyRecord, TardySink } from "@rostersync/core";
import { type FactsClient, type FactsError, outcomeUnknown, sieveIn } from "@rostersync/facts";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { z } from "zod";

const ENDPOINT = "/People/StudentAttendance";

const idSchema = z
  .number()
  .int()
  .transform((v) => String(v));

/**
 * A FACTS attendance record as `GET /People/StudentAttendance` and the writes answer it
 * (`StudentAttendanceDto`: `studentReference.studentId`, `classReference.classId`, an integer `column`),
 * read into the flat shape the sink compares slots with. Only the ids, the date and the column are
 * required; unknown fields are ignored.
 */
export const factsAttendanceSchema = z
  .object({
    attendanceId: idSchema,
    studentReference: z.object({ studentId: idSchema }),
    classReference: z.object({ classId: idSchema }),
    attendanceDate: z.string(),
    column: z.number().int(),
    attendanceCode: z.string().nullish(),
    attendanceEventReason: z.string().nullish(),
  })
  .transform((r) => ({
    attendanceId: r.attendanceId,
    studentId: r.studentReference.studentId,
    classId: r.classReference.classId,
    attendanceDate: r.attendanceDate,
    column: String(r.column),
    attendanceCode: r.attendanceCode,
    attendanceEventReason: r.attendanceEventReason,
  }));
/** See {@link factsAttendanceSchema}. */
export type FactsAttendance = z.infer<typeof factsAttendanceSchema>;

/**
 * Where a tardy goes in FACTS attendance: the class (section) and the attendance column. FACTS numbers a
 * class's attendance columns with integers (`column`); this mapping is where a school says which integer
 * each Hero period is (e.g. period 1 → column 1, or an `AM` period → column 0). A numeric string (`"1"`)
 * is read as that integer; anything else is a `NoClassMapping` failure of the record.
 */
export interface FactsClassSlot {
  /** FACTS's `classId` (an integer; a numeric string is read as one). */
  readonly classId: number | string;
  /** FACTS's attendance `column` of the class: an integer (a numeric string is read as one). */
  readonly column: number | string;
}

/** Options of {@link createFactsAttendanceSink}. */
export interface FactsAttendanceSinkOptions {
  /** A client from `createFactsClient` (keys, budget, retries). */
  readonly client: FactsClient;
  /** The sink's name, as export configs refer to it. Default `facts-attendance`. */
  readonly name?: string | undefined;
  /**
   * Period → class and column. Keys are `"<schoolCode>/<period>"` or just `"<period>"` (the period's name
   * from the bell schedule); the school-specific key wins. Ignored when `resolveClass` is given.
   */
  readonly classes?: Readonly<Record<string, FactsClassSlot>> | undefined;
  /** Finds the class and column of a record (e.g. from the student's timetable); `null` when there is none. */
  readonly resolveClass?: ((record: TardyRecord) => FactsClassSlot | null) | undefined;
  /** `attendanceEventReason`. Default: the comment, then a marker `[hero:<eventId>]`. */
  readonly reason?: ((record: TardyRecord) => string) | undefined;
  /**
   * The attendance code a voided tardy is changed to (FACTS documents no DELETE for attendance). Default
   * `""` (the code cleared); set it to the school's "present" code if FACTS refuses an empty code.
   */
  readonly voidAttendanceCode?: string | undefined;
  /** Records per read-back (`studentId==a|b|…` filter). Default 200. */
  readonly batchSize?: number | undefined;
  /** Attempts of one create whose outcome stays unknown (read back between attempts). Default 3. */
  readonly createAttempts?: number | undefined;
  /**
   * FACTS's required `setByAdmin` flag on every write: the tardy was recorded by the office (Hero), not
   * taken by a teacher in class. Default `true`.
   */
  readonly setByAdmin?: boolean | undefined;
}

/**
 * Every error code of the FACTS attendance sink. `NoClassMapping`: a record's period maps to no class;
 * `MissingValue`: a record lacks the student id, date or code; `RecordsRejected`: FACTS refused some
 * records (the others were written); `Interrupted`: a fatal or persistent failure stopped the delivery.
 */
export const factsSinkCodes = {
  NoClassMapping: "NoClassMapping",
  MissingValue: "MissingValue",
  RecordsRejected: "RecordsRejected",
  Interrupted: "Interrupted",
} as const;

/** One record FACTS did not take, and why. */
export interface FactsRecordFailure {
  readonly eventId: string;
  readonly code: "NoClassMapping" | "MissingValue" | "Rejected";
  readonly message: string;
}

/**
 * A FACTS attendance sink failure. It lists what was written before it stopped (`deliveredEventIds`,
 * `externalIds`) so the run records those, and the records that failed.
 */
export interface FactsAttendanceSinkError extends PortError {
  readonly type: "RecordsRejected" | "Interrupted";
  readonly deliveredEventIds: readonly string[];
  readonly externalIds: Readonly<Record<string, string>>;
  readonly failures: readonly FactsRecordFailure[];
  /** The FACTS error that stopped the delivery (`Interrupted`). */
  readonly cause?: FactsError | undefined;
}

/** The FACTS attendance sink, with request counters for the host. */
export interface FactsAttendanceSink extends TardySink<FactsAttendanceSinkError> {
  /** Requests by kind since the sink was made. */
  stats(): { readonly posts: number; readonly puts: number; readonly patches: number; readonly reads: number };
}

interface Planned {
  readonly record: TardyRecord;
  /** A `CreateStudentAttendanceDto`. */
  readonly body: {
    readonly studentId: number;
    readonly classId: number;
    /** `date-time`, as the definition declares: `YYYY-MM-DDT00:00:00`. */
    readonly attendanceDate: string;
    readonly column: number;
    readonly attendanceCode: string;
    readonly attendanceEventReason: string;
    readonly setByAdmin: boolean;
    readonly updated: boolean;
  };
  readonly slot: string;
}

const text = (v: string | number | null | undefined): string => (v === null || v === undefined ? "" : String(v).trim());
/** An integer as FACTS takes it (`int32`), from a number or a numeric string; `null` otherwise. */
const asInt = (v: number | string): number | null => {
  const n = typeof v === "number" ? v : /^\s*-?\d{1,10}\s*$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n <= 2 ** 31 - 1 && n >= -(2 ** 31) ? n : null;
};
const slotKey = (studentId: string, classId: string, date: string, column: string) =>
  `${studentId}\u0000${classId}\u0000${date.slice(0, 10)}\u0000${column}`;

const cancelled = (): FactsError => ({
  type: "Aborted",
  method: "POST",
  endpoint: ENDPOINT,
  fatal: true,
  retryable: false,
  message: "Writing attendance to FACTS was cancelled.",
});

class Stop {
  constructor(readonly error: FactsError) {}
}

/**
 * A {@link TardySink} that writes each tardy as a FACTS attendance record, as FACTS's API definition has
 * it: `POST /People/StudentAttendance` with a `CreateStudentAttendanceDto` (integer `studentId`,
 * `classId` and `column`, `attendanceDate` as a date-time, `attendanceCode` from the External Reference
 * Code, `attendanceEventReason`, and the required `setByAdmin` and `updated` flags), whose `200` answer is
 * the new record (its `attendanceId` is used directly); corrections with `PUT` (an
 * `UpdateStudentAttendanceDto`: only the code, the reason and the flags — FACTS's PUT cannot move a record
 * to another student, class, date or column); voids with a JSON Patch `PATCH`. The export needs the fields
 * `studentSisId`, `date`, `period` and `externalReferenceCode` (the FACTS preset asks for them).
 *
 * Exactly once: a record's identity in FACTS is its slot (student, class, date, column). Before writing a
 * batch the sink reads the batch's slots back with one filtered `GET` (filter names `studentId` and
 * `attendanceDate`; FACTS's answers nest the ids in `studentReference` / `classReference`), so a record
 * already written by an earlier attempt whose outcome was lost (timeout, crash before the ledger was saved)
 * is found and updated instead of created again; a create that times out is read back before it is
 * retried. That costs about one read per `batchSize` records.
 *
 * @example
 * ```ts
 * const facts = createFactsAttendanceSink({
 *   client: createFactsClient({ subscriptionKey, apiKey }),
 *   classes: { "HS/1": { classId: 5012, column: "1" }, "HS/2": { classId: 5013, column: "2" } },
 * });
 * ```
 */
export function createFactsAttendanceSink(options: FactsAttendanceSinkOptions): FactsAttendanceSink {
  const { client } = options;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 200, 500));
  const attempts = Math.max(1, options.createAttempts ?? 3);
  const voidCode = options.voidAttendanceCode ?? "";
  const setByAdmin = options.setByAdmin ?? true;
  const counters = { posts: 0, puts: 0, patches: 0, reads: 0 };

  const slotOf = (record: TardyRecord): FactsClassSlot | null => {
    if (options.resolveClass !== undefined) return options.resolveClass(record);
    const period = text(record.values.period);
    const school = text(record.values.schoolCode);
    const classes = options.classes ?? {};
    const scoped = `${school}/${period}`;
    if (school !== "" && Object.hasOwn(classes, scoped)) return classes[scoped] ?? null;
    return Object.hasOwn(classes, period) ? (classes[period] ?? null) : null;
  };
  const reasonOf = (record: TardyRecord): string => {
    if (options.reason !== undefined) return options.reason(record);
    const comment = text(record.values.comment);
    const marker = `[hero:${record.eventId}]`;
    return comment === "" ? marker : `${comment.slice(0, 200)} ${marker}`;
  };

  const plan = (record: TardyRecord): Planned | FactsRecordFailure => {
    const studentId = text(record.values.studentSisId);
    const date = text(record.values.date);
    const code = text(record.values.externalReferenceCode);
    const missing = [studentId === "" && "student SIS id", date === "" && "date", code === "" && "code"].filter(
      (m): m is string => typeof m === "string",
    );
    if (missing.length > 0) {
      return {
        eventId: record.eventId,
        code: "MissingValue",
        message: `Tardy ${record.eventId} has no ${missing.join(", ")}; add the field to the export.`,
      };
    }
    const slot = slotOf(record);
    if (slot === null) {
      const period = text(record.values.period) || "(no period)";
      return {
        eventId: record.eventId,
        code: "NoClassMapping",
        message: `Tardy ${record.eventId}: period ${period} of school ${text(record.values.schoolCode) || "?"} is not mapped to a FACTS class.`,
      };
    }
    const factsStudentId = asInt(studentId);
    if (factsStudentId === null) {
      return {
        eventId: record.eventId,
        code: "MissingValue",
        message: `Tardy ${record.eventId}: student SIS id "${studentId}" is not a FACTS studentId (an integer).`,
      };
    }
    const classId = asInt(slot.classId);
    const column = asInt(slot.column);
    if (classId === null || column === null) {
      return {
        eventId: record.eventId,
        code: "NoClassMapping",
        message: `Tardy ${record.eventId}: the class mapping of period ${text(record.values.period) || "(no period)"} needs FACTS's integer classId and column (got ${String(slot.classId)} / ${String(slot.column)}).`,
      };
    }
    return {
      record,
      body: {
        studentId: factsStudentId,
        classId,
        attendanceDate: `${date.slice(0, 10)}T00:00:00`,
        column,
        attendanceCode: code,
        attendanceEventReason: reasonOf(record),
        setByAdmin,
        updated: false,
      },
      slot: slotKey(String(factsStudentId), String(classId), date, String(column)),
    };
  };

  /** Reads back the attendance of a batch's students over its dates, by slot. */
  const readBack = async (batch: readonly Planned[]): Promise<Map<string, FactsAttendance>> => {
    const students = [...new Set(batch.map((p) => p.body.studentId))];
    const dates = batch.map((p) => p.body.attendanceDate.slice(0, 10)).sort();
    const filters = [
      sieveIn("studentId", students),
      `attendanceDate>=${dates[0] ?? ""}`,
      `attendanceDate<=${dates.at(-1) ?? ""}T23:59:59`,
    ].join(",");
    counters.reads++;
    const rows = await client.list(ENDPOINT, factsAttendanceSchema, { filters, idKey: "attendanceId" });
    if (rows.isErr()) throw new Stop(rows.error);
    const wanted = new Set(batch.map((p) => p.slot));
    const found = new Map<string, FactsAttendance>();
    for (const row of rows.value) {
      const key = slotKey(row.studentId, row.classId, row.attendanceDate, row.column);
      if (wanted.has(key)) found.set(key, row);
    }
    return found;
  };

  const deliver = async (
    records: readonly TardyRecord[],
    signal: AbortSignal | undefined,
  ): Promise<{
    delivered: string[];
    externalIds: Record<string, string>;
    failures: FactsRecordFailure[];
    stop: FactsError | null;
  }> => {
    const externalIds: Record<string, string> = {};
    const delivered: string[] = [];
    const failures: FactsRecordFailure[] = [];
    const planned: Planned[] = [];
    for (const record of records) {
      const p = plan(record);
      if ("slot" in p) planned.push(p);
      else failures.push(p);
    }
    // Batches of one date or a few: a read-back filtered by the batch's students and date range then
    // returns little more than the batch itself, even on a first run that sends a whole year. The sort is
    // stable, so records of one slot keep their order.
    planned.sort((a, b) =>
      a.body.attendanceDate < b.body.attendanceDate ? -1 : a.body.attendanceDate > b.body.attendanceDate ? 1 : 0,
    );
    const done = (p: Planned, id: string | null) => {
      delivered.push(p.record.eventId);
      if (id !== null) externalIds[p.record.eventId] = id;
    };
    const rejected = (p: Planned, error: FactsError) => {
      if (error.fatal || error.type === "RateLimited") throw new Stop(error);
      failures.push({ eventId: p.record.eventId, code: "Rejected", message: error.message });
    };
    /** What FACTS's PUT (`UpdateStudentAttendanceDto`) may change: the code, the reason and the flags. */
    const updateOf = (body: Planned["body"]) => ({
      attendanceCode: body.attendanceCode,
      attendanceEventReason: body.attendanceEventReason,
      setByAdmin: body.setByAdmin,
      updated: true,
    });
    const write = async (method: "PUT" | "PATCH", id: string, json: unknown) => {
      if (method === "PUT") counters.puts++;
      else counters.patches++;
      // Setting a record to given values is safe to repeat, so the client may retry it.
      return client.request(method, `${ENDPOINT}/${encodeURIComponent(id)}`, { json, idempotent: true, signal });
    };

    try {
      for (let start = 0; start < planned.length; start += batchSize) {
        const batch = planned.slice(start, start + batchSize);
        // Corrections are looked up too: FACTS's PUT cannot move a record, so a correction whose slot moved
        // (another date or period) must be told from one that stayed.
        const needsLookup = batch.filter((p) => p.record.externalId === undefined || p.record.kind !== "void");
        const existing = needsLookup.length > 0 ? await readBack(needsLookup) : new Map<string, FactsAttendance>();
        const unconfirmed: Planned[] = [];
        // Records of one slot go in order; different slots go concurrently within the client's limits.
        const bySlot = new Map<string, Planned[]>();
        for (const p of batch) bySlot.set(p.slot, [...(bySlot.get(p.slot) ?? []), p]);
        await Promise.all(
          [...bySlot.values()].map(async (group) => {
            for (const p of group) {
              const voidPatch = [
                { op: "replace", path: "/attendanceCode", value: voidCode },
                {
                  op: "replace",
                  path: "/attendanceEventReason",
                  value: `${p.body.attendanceEventReason} (voided)`.slice(0, 255),
                },
                { op: "replace", path: "/updated", value: true },
              ];
              let known = p.record.externalId ?? existing.get(p.slot)?.attendanceId ?? null;
              if (p.record.kind === "void") {
                if (known === null) {
                  done(p, null);
                  continue;
                }
                const r = await write("PATCH", known, voidPatch);
                // A record someone deleted in FACTS has nothing left to void.
                if (r.isOk() || r.error.type === "NotFound") done(p, r.isOk() ? known : null);
                else rejected(p, r.error);
                continue;
              }
              const inSlot = existing.get(p.slot);
              if (p.record.externalId !== undefined && inSlot?.attendanceId !== p.record.externalId) {
                // The tardy moved to another slot, which FACTS's PUT cannot do: void the record in the old slot
                // and write the new slot (the record already there, or a new one).
                const r = await write("PATCH", p.record.externalId, voidPatch);
                if (r.isErr() && r.error.type !== "NotFound") {
                  rejected(p, r.error);
                  continue;
                }
                known = inSlot?.attendanceId ?? null;
              }
              if (known !== null) {
                const current = existing.get(p.slot);
                if (
                  current !== undefined &&
                  (current.attendanceCode ?? "") === p.body.attendanceCode &&
                  (current.attendanceEventReason ?? "") === p.body.attendanceEventReason
                ) {
                  done(p, known); // already there: written by an attempt whose outcome was lost
                  continue;
                }
                const r = await write("PUT", known, updateOf(p.body));
                if (r.isOk()) {
                  done(p, known);
                  existing.set(p.slot, { ...stringified(p.body), attendanceId: known });
                  continue;
                }
                // The record was deleted in FACTS since it was sent: write it again below.
                if (r.error.type !== "NotFound") {
                  rejected(p, r.error);
                  continue;
                }
              }
              const id = await create(p, signal, false);
              // FACTS answers a create with the record: its id is known at once. Only an answer without one
              // (not what the definition says) falls back to reading the slot back.
              if (id === "unconfirmed" && group.length > 1) {
                // Another tardy of this slot follows: it must find this record, so look its id up now.
                const found = (await readBack([p])).get(p.slot);
                if (found === undefined) unconfirmed.push(p);
                else {
                  done(p, found.attendanceId);
                  existing.set(p.slot, found);
                }
              } else if (id === "unconfirmed") unconfirmed.push(p);
              else if (typeof id === "string") {
                done(p, id);
                existing.set(p.slot, { attendanceId: id, ...stringified(p.body) });
              } else rejected(p, id);
            }
          }),
        );
        if (unconfirmed.length > 0) {
          // Created without an id in the answer: one read finds the ids of the whole batch.
          const found = await readBack(unconfirmed);
          for (const p of unconfirmed) done(p, found.get(p.slot)?.attendanceId ?? null);
        }
        if (signal?.aborted && start + batchSize < planned.length) throw new Stop(cancelled());
      }
    } catch (error) {
      if (error instanceof Stop) {
        return { delivered, externalIds, failures, stop: error.error };
      }
      throw error;
    }
    return { delivered, externalIds, failures, stop: null };

    function stringified(body: Planned["body"]) {
      return {
        studentId: String(body.studentId),
        classId: String(body.classId),
        attendanceDate: body.attendanceDate,
        column: String(body.column),
        attendanceCode: body.attendanceCode,
        attendanceEventReason: body.attendanceEventReason,
      };
    }

    /** POSTs once; after an unknown outcome reads the slot back before trying again. */
    async function create(
      p: Planned,
      signal: AbortSignal | undefined,
      lookFirst: boolean,
    ): Promise<string | "unconfirmed" | FactsError> {
      let last: FactsError | null = null;
      for (let attempt = 0; attempt < attempts; attempt++) {
        if (attempt > 0 || lookFirst) {
          const found = (await readBack([p])).get(p.slot);
          if (found !== undefined) return found.attendanceId;
        }
        counters.posts++;
        const r = await client.request("POST", ENDPOINT, { json: p.body, idempotent: false, signal });
        if (r.isOk()) {
          // 200 with the StudentAttendanceDto: its attendanceId, no read-back.
          const id = idSchema.safeParse((r.value.body as { attendanceId?: unknown } | undefined)?.attendanceId);
          return id.success ? id.data : "unconfirmed";
        }
        last = r.error;
        if (!outcomeUnknown(r.error)) return r.error;
      }
      const found = (await readBack([p])).get(p.slot);
      return found !== undefined ? found.attendanceId : (last as FactsError);
    }
  };

  return {
    name: options.name ?? "facts-attendance",
    deliver(delivery, deliverOptions) {
      const signal = deliverOptions?.signal;
      return ResultAsync.fromSafePromise(deliver(delivery.records, signal)).andThen(
        ({ delivered, externalIds, failures, stop }) => {
          if (stop === null && failures.length === 0) {
            return okAsync<TardyReceipt, FactsAttendanceSinkError>({ delivered: delivered.length, externalIds });
          }
          return errAsync<TardyReceipt, FactsAttendanceSinkError>({
            type: stop === null ? "RecordsRejected" : "Interrupted",
            deliveredEventIds: delivered,
            externalIds,
            failures,
            ...(stop === null ? {} : { cause: stop, fatal: stop.fatal }),
            retryable: stop === null ? false : stop.retryable,
            message:
              stop === null
                ? `FACTS did not take ${failures.length} of ${delivery.records.length} tardies: ${failures[0]?.message ?? ""}`
                : `Writing attendance to FACTS stopped after ${delivered.length} of ${delivery.records.length} tardies: ${stop.message}`,
          });
        },
      );
    },
    stats: () => ({ ...counters }),
  };
}

/**
 * The attendance codes FACTS knows (`GET /Academics/AttendanceCodes`, paged `AttendanceCodesOutput` whose
 * code is `code`), to check External Reference Codes against in `validateExport` / `runExport`'s
 * `sisCodes`. Codes are few, so one page of 1,000 is asked for; a bare array and an `attendanceCode` name
 * are read too.
 *
 * @example
 * ```ts
 * const sisCodes = (await listFactsAttendanceCodes(client)).unwrapOr(undefined);
 * ```
 */
export function listFactsAttendanceCodes(client: FactsClient): ResultAsync<string[], FactsError> {
  const endpoint = "/Academics/AttendanceCodes";
  const codeSchema = z
    .looseObject({ attendanceCode: z.string().nullish(), code: z.string().nullish() })
    .transform((c) => (c.attendanceCode ?? c.code ?? "").trim());
  const bodySchema = z.union([z.array(codeSchema), z.looseObject({ results: z.array(codeSchema) })]);
  return client.get(endpoint, bodySchema, { searchParams: { Page: 1, PageSize: 1000 } }).map((body) => {
    const all = Array.isArray(body) ? body : body.results;
    return [...new Set(all.filter((c) => c !== ""))].sort();
  });
}
