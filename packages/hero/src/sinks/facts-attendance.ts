import type { PortError, TardyReceipt, TardyRecord, TardySink } from "@rostersync/core";
import { type FactsClient, type FactsError, outcomeUnknown, sieveIn } from "@rostersync/facts";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { z } from "zod";
import {
  type AttendanceRules,
  asRead,
  byDate,
  type FactsClassSlot,
  type FactsRecordFailure,
  type PlannedAttendance,
  planAttendance,
  slotKey,
  updateOf,
  voidPatch,
} from "./attendance-plan.js";

export type { FactsClassSlot, FactsRecordFailure } from "./attendance-plan.js";

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

const cancelled = (): FactsError => ({
  type: "Aborted",
  method: "POST",
  endpoint: ENDPOINT,
  fatal: true,
  retryable: false,
  message: "Writing attendance to FACTS was cancelled.",
});

/** Thrown inside one delivery to stop it; caught by {@link deliverRecords}, never leaves the sink. */
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
  const counters = { posts: 0, puts: 0, patches: 0, reads: 0 };
  const settings: AttendanceSettings = {
    client: options.client,
    counters,
    batchSize: Math.max(1, Math.min(options.batchSize ?? 200, 500)),
    attempts: Math.max(1, options.createAttempts ?? 3),
    voidCode: options.voidAttendanceCode ?? "",
    rules: {
      classes: options.classes,
      resolveClass: options.resolveClass,
      reason: options.reason,
      setByAdmin: options.setByAdmin ?? true,
    },
  };
  return {
    name: options.name ?? "facts-attendance",
    deliver(delivery, deliverOptions) {
      const signal = deliverOptions?.signal;
      return ResultAsync.fromSafePromise(deliverRecords(settings, delivery.records, signal)).andThen(
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

/** What every delivery of one sink shares. */
interface AttendanceSettings {
  readonly client: FactsClient;
  readonly counters: { posts: number; puts: number; patches: number; reads: number };
  readonly batchSize: number;
  readonly attempts: number;
  readonly voidCode: string;
  readonly rules: AttendanceRules;
}

/** One delivery in progress: its settings, its signal and what it has done so far. */
interface Delivery extends AttendanceSettings {
  readonly signal: AbortSignal | undefined;
  readonly delivered: string[];
  readonly externalIds: Record<string, string>;
  readonly failures: FactsRecordFailure[];
}

/** What one delivery did. */
interface DeliveryResult {
  delivered: string[];
  externalIds: Record<string, string>;
  failures: FactsRecordFailure[];
  stop: FactsError | null;
}

const done = (d: Delivery, p: PlannedAttendance, id: string | null) => {
  d.delivered.push(p.record.eventId);
  if (id !== null) d.externalIds[p.record.eventId] = id;
};

const rejected = (d: Delivery, p: PlannedAttendance, error: FactsError) => {
  if (error.fatal || error.type === "RateLimited") throw new Stop(error);
  d.failures.push({ eventId: p.record.eventId, code: "Rejected", message: error.message });
};

/** Reads back the attendance of a batch's students over its dates, by slot. */
async function readSlots(d: Delivery, batch: readonly PlannedAttendance[]): Promise<Map<string, FactsAttendance>> {
  const students = [...new Set(batch.map((p) => p.body.studentId))];
  const dates = batch.map((p) => p.body.attendanceDate.slice(0, 10)).sort();
  const filters = [
    sieveIn("studentId", students),
    `attendanceDate>=${dates[0] ?? ""}`,
    `attendanceDate<=${dates.at(-1) ?? ""}T23:59:59`,
  ].join(",");
  d.counters.reads++;
  const rows = await d.client.list(ENDPOINT, factsAttendanceSchema, { filters, idKey: "attendanceId" });
  if (rows.isErr()) throw new Stop(rows.error);
  const wanted = new Set(batch.map((p) => p.slot));
  const found = new Map<string, FactsAttendance>();
  for (const row of rows.value) {
    const key = slotKey(row.studentId, row.classId, row.attendanceDate, row.column);
    if (wanted.has(key)) found.set(key, row);
  }
  return found;
}

/** A correction (`PUT`) or a void (`PATCH`) of record `id`. */
function write(d: Delivery, method: "PUT" | "PATCH", id: string, json: unknown) {
  if (method === "PUT") d.counters.puts++;
  else d.counters.patches++;
  // Setting a record to given values is safe to repeat, so the client may retry it.
  return d.client.request(method, `${ENDPOINT}/${encodeURIComponent(id)}`, {
    json,
    idempotent: true,
    signal: d.signal,
  });
}

/**
 * Every tardy planned, then sent in batches of `batchSize` by date: each batch's slots read back first (one
 * filtered `GET`), records of one slot in order, different slots concurrently within the client's limits.
 */
async function deliverRecords(
  settings: AttendanceSettings,
  records: readonly TardyRecord[],
  signal: AbortSignal | undefined,
): Promise<DeliveryResult> {
  const d: Delivery = { ...settings, signal, delivered: [], externalIds: {}, failures: [] };
  const planned: PlannedAttendance[] = [];
  for (const record of records) {
    const p = planAttendance(settings.rules, record);
    if ("slot" in p) planned.push(p);
    else d.failures.push(p);
  }
  byDate(planned);
  try {
    for (let start = 0; start < planned.length; start += d.batchSize) {
      const batch = planned.slice(start, start + d.batchSize);
      // Corrections are looked up too: FACTS's PUT cannot move a record, so a correction whose slot moved
      // (another date or period) must be told from one that stayed.
      const lookup = batch.filter((p) => p.record.externalId === undefined || p.record.kind !== "void");
      const existing = lookup.length > 0 ? await readSlots(d, lookup) : new Map<string, FactsAttendance>();
      const unconfirmed: PlannedAttendance[] = [];
      const bySlot = new Map<string, PlannedAttendance[]>();
      for (const p of batch) bySlot.set(p.slot, [...(bySlot.get(p.slot) ?? []), p]);
      await Promise.all(
        [...bySlot.values()].map(async (group) => {
          for (const p of group) await sendRecord(d, p, existing, group.length > 1, unconfirmed);
        }),
      );
      if (unconfirmed.length > 0) {
        // Created without an id in the answer: one read finds the ids of the whole batch.
        const found = await readSlots(d, unconfirmed);
        for (const p of unconfirmed) done(d, p, found.get(p.slot)?.attendanceId ?? null);
      }
      if (signal?.aborted && start + d.batchSize < planned.length) throw new Stop(cancelled());
    }
  } catch (error) {
    if (error instanceof Stop) {
      return { delivered: d.delivered, externalIds: d.externalIds, failures: d.failures, stop: error.error };
    }
    throw error;
  }
  return { delivered: d.delivered, externalIds: d.externalIds, failures: d.failures, stop: null };
}

/**
 * One tardy: a void patches the record it was sent as; a correction whose slot moved voids the old record
 * first; a record already in its slot is updated (or left alone when it already says the same); anything
 * else is created. `shared`: another tardy of this slot follows, so a create's id must be known now.
 */
async function sendRecord(
  d: Delivery,
  p: PlannedAttendance,
  existing: Map<string, FactsAttendance>,
  shared: boolean,
  unconfirmed: PlannedAttendance[],
): Promise<void> {
  let known = p.record.externalId ?? existing.get(p.slot)?.attendanceId ?? null;
  if (p.record.kind === "void") {
    if (known === null) {
      done(d, p, null);
      return;
    }
    const r = await write(d, "PATCH", known, voidPatch(p.body, d.voidCode));
    // A record someone deleted in FACTS has nothing left to void.
    if (r.isOk() || r.error.type === "NotFound") done(d, p, r.isOk() ? known : null);
    else rejected(d, p, r.error);
    return;
  }
  const inSlot = existing.get(p.slot);
  if (p.record.externalId !== undefined && inSlot?.attendanceId !== p.record.externalId) {
    // The tardy moved to another slot, which FACTS's PUT cannot do: void the record in the old slot
    // and write the new slot (the record already there, or a new one).
    const r = await write(d, "PATCH", p.record.externalId, voidPatch(p.body, d.voidCode));
    if (r.isErr() && r.error.type !== "NotFound") {
      rejected(d, p, r.error);
      return;
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
      done(d, p, known); // already there: written by an attempt whose outcome was lost
      return;
    }
    const r = await write(d, "PUT", known, updateOf(p.body));
    if (r.isOk()) {
      done(d, p, known);
      existing.set(p.slot, { ...asRead(p.body), attendanceId: known });
      return;
    }
    // The record was deleted in FACTS since it was sent: write it again below.
    if (r.error.type !== "NotFound") {
      rejected(d, p, r.error);
      return;
    }
  }
  const id = await createRecord(d, p);
  // FACTS answers a create with the record: its id is known at once. Only an answer without one
  // (not what the definition says) falls back to reading the slot back.
  if (id === "unconfirmed" && shared) {
    // Another tardy of this slot follows: it must find this record, so look its id up now.
    const found = (await readSlots(d, [p])).get(p.slot);
    if (found === undefined) unconfirmed.push(p);
    else {
      done(d, p, found.attendanceId);
      existing.set(p.slot, found);
    }
  } else if (id === "unconfirmed") unconfirmed.push(p);
  else if (typeof id === "string") {
    done(d, p, id);
    existing.set(p.slot, { attendanceId: id, ...asRead(p.body) });
  } else rejected(d, p, id);
}

/** POSTs once; after an unknown outcome reads the slot back before trying again. */
async function createRecord(d: Delivery, p: PlannedAttendance): Promise<string | "unconfirmed" | FactsError> {
  let last: FactsError | null = null;
  for (let attempt = 0; attempt < d.attempts; attempt++) {
    if (attempt > 0) {
      const found = (await readSlots(d, [p])).get(p.slot);
      if (found !== undefined) return found.attendanceId;
    }
    d.counters.posts++;
    const r = await d.client.request("POST", ENDPOINT, { json: p.body, idempotent: false, signal: d.signal });
    if (r.isOk()) {
      // 200 with the StudentAttendanceDto: its attendanceId, no read-back.
      const id = idSchema.safeParse((r.value.body as { attendanceId?: unknown } | undefined)?.attendanceId);
      return id.success ? id.data : "unconfirmed";
    }
    last = r.error;
    if (!outcomeUnknown(r.error)) return r.error;
  }
  const found = (await readSlots(d, [p])).get(p.slot);
  return found !== undefined ? found.attendanceId : (last as FactsError);
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
