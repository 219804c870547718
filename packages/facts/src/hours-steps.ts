/**
 * The steps of an hours push, each with explicit inputs so it can be tested on its own: **resolve** (check
 * every write, turn host person ids into FACTS ones), **reconcile** (find each hour's record by its marker
 * and mark second records as duplicates), **write** (what to send for one hour, and what its answer means),
 * **read back** (the `201`-with-no-body creates, batched; what a create still missing after that becomes).
 * `createFactsHoursSink` runs them in that order. The pure steps take and return values; the I/O steps take
 * the client and a {@link HoursRun}.
 *
 * @module
 */
import type { HourWrite, HourWriteOutcome, Role, ServiceHour, SisServiceHour } from "@rostersync/core";
import { err, ok, type Result } from "neverthrow";
import { sleep } from "./budget.js";
import type { FactsClient, FactsResponse } from "./client.js";
import { sieveIn } from "./client.js";
import { type FactsError, outcomeUnknown } from "./errors.js";
import {
  cut,
  DUPLICATE_PREFIX,
  factsDateTime,
  noteWithMarker,
  parseMarker,
  type StudentHoursPersonId,
  WITHDRAWN_PREFIX,
  withdrawnNote,
} from "./hour-notes.js";
import { aborted } from "./http-errors.js";
import { type FactsServiceHour, serviceHourSchema, studentSchema } from "./schemas.js";

/** The FACTS listing of each role's service hours. */
export const HOURS_PATHS: Readonly<Record<Role, string>> = {
  student: "/Students/ServiceHours",
  parent: "/Parents/ServiceHours",
};

/** One write on its way through a push. */
export interface PendingHour {
  readonly write: HourWrite;
  /** Its position in the push, where its outcome goes. */
  readonly index: number;
  /** FACTS person id (after the studentId/personStudentId choice). */
  readonly factsPersonId: number;
  /** The SIS record found by marker or id, when there is one. */
  existing: FactsServiceHour | null;
  /** A POST was answered 201: the record exists even if a read-back misses it. */
  confirmed: boolean;
  /** POSTs sent for it so far. */
  creates: number;
  /** Second records of this hour found and marked as duplicates. */
  duplicates: number[];
}

/** studentId ↔ personStudentId, learnt from `/Students` when student hours carry `personStudentId`. */
export interface StudentIdMap {
  readonly toPersonStudent: Map<number, number>;
  readonly toStudent: Map<number, number>;
}

/** What the I/O steps of one push share. */
export interface HoursRun {
  readonly client: FactsClient;
  /** Person ids per read-back filter. */
  readonly batch: number;
  readonly signal: AbortSignal | undefined;
  /** Called after every request, so that a caller keeping a lease alive gets a beat. */
  readonly beat: () => void;
}

/** A `failed` outcome carrying an error's type and message. */
export function failedOutcome(hourId: string, e: { type: string; message: string }): HourWriteOutcome {
  return { hourId, status: "failed", serviceHoursId: null, error: { type: e.type, message: e.message } };
}

/**
 * An outcome with the `attention` message for the second records of its hour that were marked as
 * duplicates (none: the outcome as it is).
 */
export function withDuplicates(outcome: HourWriteOutcome, duplicates: readonly number[]): HourWriteOutcome {
  if (duplicates.length === 0) return outcome;
  const attention = [
    outcome.attention,
    `Hour ${outcome.hourId} was written twice (a create that timed out landed late): FACTS record ${duplicates.join(", ")} is zeroed and marked "${DUPLICATE_PREFIX}"; delete it in FACTS.`,
  ]
    .filter((m) => m !== undefined)
    .join(" ");
  return { ...outcome, attention };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------------------------------------- resolve

/** What {@link resolveWrites} found: the writes to carry on with, and the outcomes of those that cannot be. */
export interface Resolved {
  readonly pending: PendingHour[];
  /** `InvalidHour` outcomes by write index, in index order. */
  readonly invalid: readonly (readonly [index: number, outcome: HourWriteOutcome])[];
}

/**
 * Step 1, resolve: every write checked (a FACTS person id, a host hour id short enough to keep as a marker,
 * a student known to `/Students` when hours carry `personStudentId`) and given its FACTS person id.
 *
 * @example
 * ```ts
 * const { pending, invalid } = resolveWrites(writes, "studentId", new Map());
 * ```
 */
export function resolveWrites(
  writes: readonly HourWrite[],
  studentPersonId: StudentHoursPersonId,
  toPersonStudent: ReadonlyMap<number, number>,
): Resolved {
  const pending: PendingHour[] = [];
  const invalid: [number, HourWriteOutcome][] = [];
  writes.forEach((write, index) => {
    const personId = Number(write.hour.personId);
    const fail = (message: string) =>
      invalid.push([
        index,
        failedOutcome(write.hourId, { type: "InvalidHour", message: `Hour ${write.hourId}: ${message}` }),
      ]);
    if (!Number.isSafeInteger(personId) || write.hour.personId.trim() === "") {
      fail(`"${write.hour.personId}" is not a FACTS person id.`);
      return;
    }
    if (noteWithMarker(write.hour.note, write.hourId) === null) {
      fail("the host hour id is too long to keep as a marker in FACTS's 255-character note.");
      return;
    }
    const factsPersonId =
      write.hour.role === "student" && studentPersonId === "personStudentId" ? toPersonStudent.get(personId) : personId;
    if (factsPersonId === undefined) {
      fail(`student ${personId} is not in /Students, so its personStudentId is unknown.`);
      return;
    }
    pending.push({ write, index, factsPersonId, existing: null, confirmed: false, creates: 0, duplicates: [] });
  });
  return { pending, invalid };
}

/** The student ids of a push's student writes that are numbers (the ones `/Students` can map). */
export function studentIdsOf(writes: readonly HourWrite[]): number[] {
  return writes
    .filter((w) => w.hour.role === "student")
    .map((w) => Number(w.hour.personId))
    .filter(Number.isSafeInteger);
}

/** Learns studentId ↔ personStudentId for these students from `/Students`, batched, skipping known ones. */
export async function learnStudents(
  run: Pick<HoursRun, "client" | "batch" | "signal">,
  map: StudentIdMap,
  ids: readonly number[],
): Promise<Result<void, FactsError>> {
  const missing = [...new Set(ids)].filter((id) => !map.toPersonStudent.has(id));
  for (const group of chunks(missing, run.batch)) {
    const found = await run.client.list("/Students", studentSchema, {
      filters: sieveIn("studentId", group),
      idKey: "studentId",
      ...(run.signal === undefined ? {} : { signal: run.signal }),
    });
    if (found.isErr()) return err(found.error);
    learn(map, found.value);
  }
  return ok(undefined);
}

/** Records what `/Students` said about each student's two ids. */
export function learn(map: StudentIdMap, students: readonly { studentId: number; personStudentId: number }[]): void {
  for (const s of students) {
    map.toPersonStudent.set(s.studentId, s.personStudentId);
    map.toStudent.set(s.personStudentId, s.studentId);
  }
}

// -------------------------------------------------------------------------------------------- reconcile

/**
 * Service-hour records by the host hour id of their marker, oldest first (the oldest is the one that
 * counts). Records without a marker, and duplicates the sink already withdrew, are left out: they are no
 * candidate for any hour.
 */
export function recordsByMarker(rows: readonly FactsServiceHour[]): Map<string, FactsServiceHour[]> {
  const byMarker = new Map<string, FactsServiceHour[]>();
  for (const r of rows) {
    const { hostHourId, mark } = parseMarker(r.note);
    if (hostHourId === null || mark === "duplicate") continue;
    const list = byMarker.get(hostHourId);
    if (list === undefined) byMarker.set(hostHourId, [r]);
    else list.push(r);
  }
  for (const list of byMarker.values()) list.sort((a, b) => a.serviceHoursId - b.serviceHoursId);
  return byMarker;
}

/** Every record of these people, by role, as {@link recordsByMarker}; one `personId==a|b|c` read per batch. */
export async function readBack(
  run: Pick<HoursRun, "client" | "batch" | "signal">,
  role: Role,
  personIds: readonly number[],
): Promise<Result<Map<string, FactsServiceHour[]>, FactsError>> {
  // Chunks go out together; the client's budget and concurrency pace them.
  const results = await Promise.all(
    chunks(
      [...new Set(personIds)].sort((a, b) => a - b),
      run.batch,
    ).map((group) =>
      run.client.list(HOURS_PATHS[role], serviceHourSchema, {
        filters: sieveIn("personId", group),
        idKey: "serviceHoursId",
        ...(run.signal === undefined ? {} : { signal: run.signal }),
      }),
    ),
  );
  const rows: FactsServiceHour[] = [];
  for (const r of results) {
    if (r.isErr()) return err(r.error);
    rows.push(...r.value);
  }
  return ok(recordsByMarker(rows));
}

/** A JSON Patch replacing the given fields. */
export function patchOf(fields: Record<string, unknown>): { op: "replace"; path: string; value: unknown }[] {
  return Object.entries(fields).map(([key, value]) => ({ op: "replace", path: `/${key}`, value }));
}

/** A withdrawal: no hours, the note saying so (the marker kept for a later restore). */
export function withdrawPatch(hourId: string, note: string | null | undefined, prefix = WITHDRAWN_PREFIX) {
  return patchOf({ hours: 0, note: withdrawnNote(note, hourId, prefix) });
}

/**
 * Step 2, reconcile: each hour's record found by its marker (`existing`). A request that timed out may
 * still land later and leave a second record of the same hour: the oldest counts; FACTS cannot delete the
 * others, so they are zeroed and marked as duplicates here, and the hour's outcome asks a person to delete
 * them in FACTS. Fails only on a failed read or a fatal error.
 */
export async function reconcile(run: HoursRun, list: readonly PendingHour[]): Promise<Result<void, FactsError>> {
  for (const role of ["student", "parent"] as const) {
    const mine = list.filter((p) => p.write.hour.role === role);
    if (mine.length === 0) continue;
    const found = await readBack(
      run,
      role,
      mine.map((p) => p.factsPersonId),
    );
    if (found.isErr()) return err(found.error);
    for (const p of mine) {
      const records = found.value.get(p.write.hourId) ?? [];
      p.existing = records[0] ?? null;
      for (const extra of records.slice(1)) {
        const marked = await run.client.request("PATCH", `${HOURS_PATHS[role]}/${extra.serviceHoursId}`, {
          json: withdrawPatch(p.write.hourId, parseMarker(extra.note).note, DUPLICATE_PREFIX),
          idempotent: true,
          ...(run.signal === undefined ? {} : { signal: run.signal }),
        });
        run.beat();
        if (marked.isErr() && marked.error.type !== "NotFound" && marked.error.fatal) return err(marked.error);
        if (marked.isOk()) p.duplicates.push(extra.serviceHoursId);
      }
    }
  }
  return ok(undefined);
}

/** Whether a write must be looked up before it is sent: asked to reconcile, or an update without an id. */
export function needsLookup(p: PendingHour): boolean {
  return p.write.reconcile === true || (p.write.op !== "create" && !p.write.serviceHoursId);
}

// ------------------------------------------------------------------------------------------------ write

/** The fields the sink sets on a record, as FACTS's `StudentServiceHoursModel` names them. */
export function hourFields(p: PendingHour): Record<string, unknown> {
  const h = p.write.hour;
  return {
    personId: p.factsPersonId,
    description: cut(h.description),
    hours: h.hours,
    date: factsDateTime(h.date),
    note: noteWithMarker(h.note, p.write.hourId),
    ...(h.verifiedBy == null ? {} : { verifiedBy: cut(h.verifiedBy) }),
  };
}

/** What to do for one hour. */
export type WriteStep =
  /** Nothing to send: the outcome is known. */
  | { readonly kind: "known"; readonly outcome: HourWriteOutcome }
  /** Withdraw record `id` (FACTS has no DELETE). */
  | { readonly kind: "withdraw"; readonly url: string; readonly json: unknown; readonly id: number }
  /** Update record `id` with every field the host owns. */
  | { readonly kind: "update"; readonly url: string; readonly json: unknown; readonly id: number }
  /** Create the record (`serviceHoursId: 0`: FACTS assigns it). */
  | { readonly kind: "create"; readonly url: string; readonly json: unknown };

const removeMessage = (hourId: string, id: number) =>
  `Hour ${hourId} was removed here, but FACTS cannot delete: record ${id} is zeroed and marked "${WITHDRAWN_PREFIX}"; delete it in FACTS.`;

const withdrawnOutcome = (hourId: string, id: number): HourWriteOutcome => ({
  hourId,
  status: "withdrawn",
  serviceHoursId: String(id),
  attention: removeMessage(hourId, id),
});

/**
 * Step 3, write, what to send: updates and withdrawals by id (JSON Patch), creates by POST. A removal of an
 * hour FACTS never had is `deleted` at once; one already withdrawn (by an attempt whose outcome was lost)
 * is `withdrawn` at once; an update of an hour FACTS does not have fails with `NotFound`.
 */
export function planWrite(p: PendingHour): WriteStep {
  const { write } = p;
  const path = HOURS_PATHS[write.hour.role];
  const given = p.existing?.serviceHoursId ?? (write.serviceHoursId ? Number(write.serviceHoursId) : null);
  const knownId = given !== null && Number.isSafeInteger(given) ? given : null;
  if (write.op === "delete") {
    // Nothing in FACTS (never written, or not found by its marker): nothing is left to remove.
    if (knownId === null)
      return { kind: "known", outcome: { hourId: write.hourId, status: "deleted", serviceHoursId: null } };
    if (p.existing !== null && parseMarker(p.existing.note).mark === "withdrawn" && p.existing.hours === 0) {
      return { kind: "known", outcome: withdrawnOutcome(write.hourId, knownId) };
    }
    return {
      kind: "withdraw",
      url: `${path}/${knownId}`,
      json: withdrawPatch(write.hourId, write.hour.note),
      id: knownId,
    };
  }
  if (knownId !== null) {
    // `verifiedBy` is cleared when the host has none.
    return {
      kind: "update",
      url: `${path}/${knownId}`,
      json: patchOf({ verifiedBy: null, ...hourFields(p) }),
      id: knownId,
    };
  }
  if (write.op === "update") {
    return {
      kind: "known",
      outcome: failedOutcome(write.hourId, {
        type: "NotFound",
        message: `No FACTS service-hours record for hour ${write.hourId}.`,
      }),
    };
  }
  return { kind: "create", url: path, json: { serviceHoursId: 0, ...hourFields(p) } };
}

/** What an answer to one write means. */
export interface WriteResult {
  /** The hour's outcome, or `null` when only reading back can tell (a create). */
  readonly outcome: HourWriteOutcome | null;
  /** A POST was answered `201`: the record exists even if a read-back misses it. */
  readonly confirmed: boolean;
  /** A fatal error: the push stops after this round. */
  readonly stop: FactsError | null;
}

/**
 * Step 3, write, what FACTS's answer means. A withdrawal answered `404` means someone deleted the record in
 * FACTS: then, and only then, it is `deleted`. A create is read back unless FACTS echoed the record; a
 * create whose outcome was lost is read back too, never sent blindly again.
 */
export function writeResult(
  p: PendingHour,
  step: Exclude<WriteStep, { kind: "known" }>,
  answer: Result<FactsResponse, FactsError>,
): WriteResult {
  const hourId = p.write.hourId;
  const stop = answer.isErr() && answer.error.fatal ? answer.error : null;
  const done = (outcome: HourWriteOutcome | null, confirmed = false): WriteResult => ({ outcome, confirmed, stop });
  if (step.kind === "withdraw") {
    if (answer.isOk()) return done(withdrawnOutcome(hourId, step.id));
    if (answer.error.type === "NotFound") return done({ hourId, status: "deleted", serviceHoursId: null });
    return done(failedOutcome(hourId, answer.error));
  }
  if (step.kind === "update") {
    if (answer.isErr()) return done(failedOutcome(hourId, answer.error));
    return done({ hourId, status: p.write.op === "create" ? "created" : "updated", serviceHoursId: String(step.id) });
  }
  if (answer.isOk()) {
    // FACTS answers 201 with no body; should it ever send the record back, no read-back is needed.
    const echoed = serviceHourSchema.safeParse(answer.value.body);
    if (echoed.success && parseMarker(echoed.data.note).hostHourId === hourId) {
      return done({ hourId, status: "created", serviceHoursId: String(echoed.data.serviceHoursId) });
    }
    return done(null, true);
  }
  // Maybe applied, maybe not: only reading back can tell.
  if (outcomeUnknown(answer.error)) return done(null);
  return done(failedOutcome(hourId, answer.error));
}

/** Sends one hour's write as {@link planWrite} says and interprets the answer with {@link writeResult}. */
export async function writeHour(run: HoursRun, p: PendingHour): Promise<WriteResult> {
  const step = planWrite(p);
  if (step.kind === "known") return { outcome: step.outcome, confirmed: false, stop: null };
  if (step.kind === "create") p.creates++;
  const answer = await run.client.request(step.kind === "create" ? "POST" : "PATCH", step.url, {
    json: step.json,
    ...(step.kind === "create" ? {} : { idempotent: true }),
    ...(run.signal === undefined ? {} : { signal: run.signal }),
  });
  run.beat();
  const result = writeResult(p, step, answer);
  if (result.confirmed) p.confirmed = true;
  return result;
}

// -------------------------------------------------------------------------------------------- read back

/**
 * Step 4, read back the creates: looked up by marker (batched), again after `delayMs` while a confirmed
 * create is still missing, up to `attempts` times. Each create found is handed to `onFound` with its
 * outcome as soon as it is seen; the creates still missing are returned.
 */
export async function readBackCreates(
  run: HoursRun,
  creates: readonly PendingHour[],
  options: { readonly attempts: number; readonly delayMs: number },
  onFound: (p: PendingHour, outcome: HourWriteOutcome) => void,
): Promise<Result<PendingHour[], FactsError>> {
  let missing = [...creates];
  for (let attempt = 0; attempt < options.attempts && missing.length > 0; attempt++) {
    if (attempt > 0) {
      try {
        await sleep(options.delayMs, run.signal);
      } catch {
        return err(aborted("GET", "/ServiceHours"));
      }
    }
    const looked = await reconcile(run, missing);
    if (looked.isErr()) return err(looked.error);
    for (const p of missing) {
      if (p.existing !== null) {
        onFound(p, { hourId: p.write.hourId, status: "created", serviceHoursId: String(p.existing.serviceHoursId) });
      }
    }
    missing = missing.filter((p) => p.existing === null);
    // A create that was never confirmed and is not there was not applied: no need to wait for it.
    if (missing.every((p) => !p.confirmed)) break;
  }
  return ok(missing);
}

/**
 * What a create still missing after its read-backs becomes: `ReadBackMissing` when FACTS confirmed it (the
 * next push finds it by its marker), sent again while it has `createRetries` left, else a `Network`
 * failure retried on the next push.
 */
export function afterReadBack(
  missing: readonly PendingHour[],
  createRetries: number,
): { retry: PendingHour[]; failed: [PendingHour, HourWriteOutcome][] } {
  const retry: PendingHour[] = [];
  const failed: [PendingHour, HourWriteOutcome][] = [];
  for (const p of missing) {
    const hourId = p.write.hourId;
    if (p.confirmed) {
      failed.push([
        p,
        failedOutcome(hourId, {
          type: "ReadBackMissing",
          message: `FACTS accepted hour ${hourId} but does not show it yet; the next push finds it by its marker.`,
        }),
      ]);
    } else if (p.creates <= createRetries) {
      retry.push(p);
    } else {
      failed.push([
        p,
        failedOutcome(hourId, {
          type: "Network",
          message: `Hour ${hourId} could not be written to FACTS; it is retried on the next push.`,
        }),
      ]);
    }
  }
  return { retry, failed };
}

// ---------------------------------------------------------------------------------------------- listing

/**
 * A record of the listing as core sees it; `null` for one without a person (it belongs to nobody). With
 * `personStudentId` hours, the person id is mapped back to the student id when known.
 */
export function toSisHour(
  role: Role,
  r: FactsServiceHour,
  toStudent: ReadonlyMap<number, number> | null,
): SisServiceHour | null {
  if (r.personId == null) return null;
  const { note, hostHourId } = parseMarker(r.note);
  const personId = role === "student" && toStudent !== null ? (toStudent.get(r.personId) ?? r.personId) : r.personId;
  const hour: ServiceHour = {
    personId: String(personId),
    role,
    date: (r.date ?? "").slice(0, 10),
    hours: r.hours ?? 0,
    description: r.description ?? "",
    note,
    verifiedBy: r.verifiedBy ?? null,
  };
  return { ...hour, serviceHoursId: String(r.serviceHoursId), hostHourId };
}
