import type {
  HoursSink,
  HourWrite,
  HourWriteOptions,
  HourWriteOutcome,
  Role,
  ServiceHour,
  SisServiceHour,
} from "@rostersync/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import { sleep } from "./budget.js";
import { aborted, type FactsClient, sieveIn } from "./client.js";
import { type FactsError, outcomeUnknown } from "./errors.js";
import { type FactsServiceHour, serviceHourSchema, studentSchema } from "./schemas.js";

/** FACTS's limit on `description` and `note`. */
export const TEXT_MAX = 255;
const ELLIPSIS = "…";

/**
 * Cuts a text to `max` UTF-16 units, ending in an ellipsis when it was cut. Never splits a surrogate pair.
 *
 * @example
 * ```ts
 * cut("a".repeat(300)).length; // 255
 * ```
 */
export function cut(text: string, max = TEXT_MAX): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  let end = max - ELLIPSIS.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, Math.max(0, end)) + ELLIPSIS;
}

/** The marker of a host hour id, kept at the end of `note`: `[rs:<hourId, URI-encoded>]`. */
export function hourMarker(hourId: string): string {
  return `[rs:${encodeURIComponent(hourId)}]`;
}

const MARKER = /\s?\[rs:([^\]\s]+)\]\s*$/;

/**
 * The start of `note` on a record the sink withdrew: FACTS has no DELETE, so an hour removed in the host
 * is zeroed in FACTS and marked for a person to delete (see {@link withdrawnNote}).
 */
export const WITHDRAWN_PREFIX = "[withdrawn: delete in FACTS]";
/** The start of `note` on a second record of one hour (a timed-out create that landed late). */
export const DUPLICATE_PREFIX = "[duplicate: delete in FACTS]";

/** What a FACTS note says the record is: the host's live record, withdrawn, or a duplicate to remove. */
export type HourMark = "live" | "withdrawn" | "duplicate";

/**
 * Splits a FACTS `note` into the host's note, the host hour id of its marker (or `null`) and the mark
 * the sink left on it (`withdrawn`, `duplicate`; `live` otherwise).
 */
export function parseMarker(note: string | null | undefined): {
  note: string | null;
  hostHourId: string | null;
  mark: HourMark;
} {
  if (!note) return { note: note ?? null, hostHourId: null, mark: "live" };
  const m = MARKER.exec(note);
  if (m === null || m[1] === undefined) return { note, hostHourId: null, mark: "live" };
  let hostHourId: string;
  try {
    hostHourId = decodeURIComponent(m[1]);
  } catch {
    return { note, hostHourId: null, mark: "live" };
  }
  let rest = note.slice(0, m.index);
  let mark: HourMark = "live";
  for (const [prefix, kind] of [
    [WITHDRAWN_PREFIX, "withdrawn"],
    [DUPLICATE_PREFIX, "duplicate"],
  ] as const) {
    if (rest.startsWith(prefix)) {
      mark = kind;
      rest = rest.slice(prefix.length).trimStart();
    }
  }
  return { note: rest === "" ? null : rest, hostHourId, mark };
}

/**
 * The `note` FACTS stores: the host's note cut so that the marker always fits whole after it, or `null`
 * when the marker alone is longer than FACTS allows.
 */
export function noteWithMarker(note: string | null | undefined, hourId: string): string | null {
  const marker = hourMarker(hourId);
  if (marker.length > TEXT_MAX) return null;
  if (!note) return marker;
  const room = TEXT_MAX - marker.length - 1;
  return room <= 0 ? marker : `${cut(note, room)} ${marker}`;
}

/**
 * The `note` of a withdrawn (or duplicate) record: the prefix, the host's note cut to fit, the marker.
 * The marker stays, so that a re-approved hour finds and restores the same record.
 */
export function withdrawnNote(
  note: string | null | undefined,
  hourId: string,
  prefix: string = WITHDRAWN_PREFIX,
): string | null {
  return noteWithMarker(note ? `${prefix} ${note}` : prefix, hourId);
}

/** The `date-time` FACTS's definition declares for `date`, from a `YYYY-MM-DD` day: midnight, no offset. */
export function factsDateTime(day: string): string {
  return `${day.slice(0, 10)}T00:00:00`;
}

/** Which id FACTS expects in `personId` of student service hours. */
export type StudentHoursPersonId = "studentId" | "personStudentId";

/** Options of {@link createFactsHoursSink}. */
export interface FactsHoursSinkOptions {
  /**
   * *Unverified in FACTS's public documents*: whether student service hours carry the student's
   * `studentId` (the People `personId`, default, most likely) or its `personStudentId`. With
   * `personStudentId` the sink looks the ids up in `/Students` (batched) and maps them back on reads.
   */
  readonly studentPersonId?: StudentHoursPersonId | undefined;
  /** Person ids per read-back filter (`personId==a|b|c`). Default 200. */
  readonly readBackBatch?: number | undefined;
  /**
   * A created record FACTS does not show yet is read again this many times before the write is reported
   * `ReadBackMissing` (FACTS can take seconds to show a fresh write). Default 3.
   */
  readonly readBackAttempts?: number | undefined;
  /** Wait between those read-backs. Default 2000 ms. */
  readonly readBackDelayMs?: number | undefined;
  /**
   * Times a create whose outcome was lost (and which reading back shows was not applied) is sent again
   * within one batch. Default 2.
   */
  readonly createRetries?: number | undefined;
  /**
   * @deprecated Ignored. FACTS's create body (`StudentServiceHoursModel`) has no `yearId`, and updates
   * are JSON Patches of the changed fields, so the sink never sets a record's year.
   */
  readonly yearId?: number | undefined;
}

const PATHS: Record<Role, string> = { student: "/Students/ServiceHours", parent: "/Parents/ServiceHours" };

interface Pending {
  readonly write: HourWrite;
  readonly index: number;
  /** FACTS person id (after the studentId/personStudentId choice). */
  readonly factsPersonId: number;
  /** The SIS record found by marker or id, when there is one. */
  existing: FactsServiceHour | null;
  /** A POST was answered 201: the record exists even if a read-back misses it. */
  confirmed: boolean;
  creates: number;
  /** Second records of this hour found and marked as duplicates. */
  duplicates: number[];
}

/**
 * A service-hours sink over FACTS. Every record it writes carries `[rs:<hourId>]` at the end of its
 * `note`, so that the `201`-with-no-body create is read back to its `serviceHoursId` (batched: one
 * `personId==a|b|c` read per ~200 people) and a write whose outcome was lost is found by reading back
 * before anything is sent again.
 *
 * Creates are `POST` bodies of FACTS's `StudentServiceHoursModel` (`serviceHoursId: 0`, `date` as a
 * `date-time`, no `yearId`); updates are JSON Patches (`replace`) of the hour's fields, so FACTS's own
 * `yearId` and `createdBy` stay. FACTS has no DELETE: removing an hour **withdraws** it — a patch sets
 * `hours` to 0 and starts `note` with {@link WITHDRAWN_PREFIX} — and its outcome is `withdrawn` (never
 * `deleted`, which means the record is gone) with an `attention` message asking a person to delete it in
 * FACTS. A second record of one hour (a timed-out create that landed after its read-back) is withdrawn the
 * same way with {@link DUPLICATE_PREFIX} on the hour's next reconcile, and the write's outcome carries an
 * `attention` message naming it.
 *
 * @example
 * ```ts
 * const sink = createFactsHoursSink(client);
 * const outcomes = await sink.write([{ hourId: "h1", op: "create", hour }]);
 * ```
 */
export function createFactsHoursSink(
  client: FactsClient,
  options: FactsHoursSinkOptions = {},
): HoursSink<FactsError> & { readonly name: "facts" } {
  const studentPersonId = options.studentPersonId ?? "studentId";
  const batch = Math.max(1, Math.min(500, options.readBackBatch ?? 200));
  const attempts = Math.max(1, options.readBackAttempts ?? 3);
  const readBackDelay = options.readBackDelayMs ?? 2000;
  const createRetries = Math.max(0, options.createRetries ?? 2);
  // studentId ↔ personStudentId, learnt from /Students when that mapping is in use.
  const toPersonStudent = new Map<number, number>();
  const toStudent = new Map<number, number>();

  const chunks = <T>(items: readonly T[]): T[][] => {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += batch) out.push(items.slice(i, i + batch));
    return out;
  };

  const learnStudents = async (ids: readonly number[], signal?: AbortSignal): Promise<Result<void, FactsError>> => {
    const missing = [...new Set(ids)].filter((id) => !toPersonStudent.has(id));
    for (const group of chunks(missing)) {
      const found = await client.list("/Students", studentSchema, {
        filters: sieveIn("studentId", group),
        idKey: "studentId",
        ...(signal === undefined ? {} : { signal }),
      });
      if (found.isErr()) return err(found.error);
      for (const s of found.value) {
        toPersonStudent.set(s.studentId, s.personStudentId);
        toStudent.set(s.personStudentId, s.studentId);
      }
    }
    return ok(undefined);
  };

  /**
   * Every record of these people, by role, as a marker → records map (oldest first). Duplicates the sink
   * already withdrew are left out: they are no candidate for the hour any more.
   */
  const readBack = async (
    role: Role,
    personIds: readonly number[],
    signal?: AbortSignal,
  ): Promise<Result<Map<string, FactsServiceHour[]>, FactsError>> => {
    const byMarker = new Map<string, FactsServiceHour[]>();
    // Chunks go out together; the client's budget and concurrency pace them.
    const results = await Promise.all(
      chunks([...new Set(personIds)].sort((a, b) => a - b)).map((group) =>
        client.list(PATHS[role], serviceHourSchema, {
          filters: sieveIn("personId", group),
          idKey: "serviceHoursId",
          ...(signal === undefined ? {} : { signal }),
        }),
      ),
    );
    for (const rows of results) {
      if (rows.isErr()) return err(rows.error);
      for (const r of rows.value) {
        const { hostHourId, mark } = parseMarker(r.note);
        if (hostHourId === null || mark === "duplicate") continue;
        const list = byMarker.get(hostHourId);
        if (list === undefined) byMarker.set(hostHourId, [r]);
        else list.push(r);
      }
    }
    // The oldest record of a marker is the one that counts.
    for (const list of byMarker.values()) list.sort((a, b) => a.serviceHoursId - b.serviceHoursId);
    return ok(byMarker);
  };

  /** The fields the sink sets on a record, as FACTS's `StudentServiceHoursModel` names them. */
  const fieldsOf = (p: Pending): Record<string, unknown> => {
    const h = p.write.hour;
    return {
      personId: p.factsPersonId,
      description: cut(h.description),
      hours: h.hours,
      date: factsDateTime(h.date),
      note: noteWithMarker(h.note, p.write.hourId),
      ...(h.verifiedBy == null ? {} : { verifiedBy: cut(h.verifiedBy) }),
    };
  };
  /** A create: `serviceHoursId` is required by the definition and FACTS assigns the id, so it is 0. */
  const createBody = (p: Pending): Record<string, unknown> => ({ serviceHoursId: 0, ...fieldsOf(p) });
  /** A JSON Patch replacing the given fields. */
  const patchOf = (fields: Record<string, unknown>) =>
    Object.entries(fields).map(([key, value]) => ({ op: "replace", path: `/${key}`, value }));
  /** An update: every field the host owns, `verifiedBy` cleared when the host has none. */
  const updatePatch = (p: Pending) => patchOf({ verifiedBy: null, ...fieldsOf(p) });
  /** A withdrawal: no hours, the note saying so (the marker kept for a later restore). */
  const withdrawPatch = (hourId: string, note: string | null | undefined, prefix = WITHDRAWN_PREFIX) =>
    patchOf({ hours: 0, note: withdrawnNote(note, hourId, prefix) });
  const removeMessage = (hourId: string, id: number) =>
    `Hour ${hourId} was removed here, but FACTS cannot delete: record ${id} is zeroed and marked "${WITHDRAWN_PREFIX}"; delete it in FACTS.`;

  const failed = (hourId: string, e: { type: string; message: string }): HourWriteOutcome => ({
    hourId,
    status: "failed",
    serviceHoursId: null,
    error: { type: e.type, message: e.message },
  });

  const writeAll = async (
    writes: readonly HourWrite[],
    writeOptions: HourWriteOptions,
  ): Promise<Result<HourWriteOutcome[], FactsError>> => {
    const signal = writeOptions.signal;
    const outcomes: (HourWriteOutcome | undefined)[] = new Array(writes.length);
    let done = 0;
    const settle = (index: number, outcome: HourWriteOutcome) => {
      if (outcomes[index] === undefined) done++;
      const dups = pending.find((p) => p.index === index)?.duplicates ?? [];
      const attention =
        dups.length === 0
          ? outcome.attention
          : [
              outcome.attention,
              `Hour ${outcome.hourId} was written twice (a create that timed out landed late): FACTS record ${dups.join(", ")} is zeroed and marked "${DUPLICATE_PREFIX}"; delete it in FACTS.`,
            ]
              .filter((m) => m !== undefined)
              .join(" ");
      outcomes[index] = attention === undefined ? outcome : { ...outcome, attention };
      writeOptions.onProgress?.(done, writes.length);
    };
    // After every request, settled or not: creates settle only at the read-back, and a caller keeping a
    // lease alive needs a beat while a batch of POSTs is paced by the rate budget.
    const beat = () => writeOptions.onProgress?.(done, writes.length);
    const fatal = (e: FactsError): e is FactsError => e.fatal;

    // 1. Check every write and turn host person ids into FACTS ones.
    const studentIds = writes
      .filter((w) => w.hour.role === "student")
      .map((w) => Number(w.hour.personId))
      .filter(Number.isSafeInteger);
    if (studentPersonId === "personStudentId") {
      const learnt = await learnStudents(studentIds, signal);
      if (learnt.isErr()) return err(learnt.error);
    }
    const pending: Pending[] = [];
    writes.forEach((write, index) => {
      const personId = Number(write.hour.personId);
      const invalid = (message: string) =>
        settle(index, failed(write.hourId, { type: "InvalidHour", message: `Hour ${write.hourId}: ${message}` }));
      if (!Number.isSafeInteger(personId) || write.hour.personId.trim() === "") {
        invalid(`"${write.hour.personId}" is not a FACTS person id.`);
        return;
      }
      if (noteWithMarker(write.hour.note, write.hourId) === null) {
        invalid("the host hour id is too long to keep as a marker in FACTS's 255-character note.");
        return;
      }
      const factsPersonId =
        write.hour.role === "student" && studentPersonId === "personStudentId"
          ? toPersonStudent.get(personId)
          : personId;
      if (factsPersonId === undefined) {
        invalid(`student ${personId} is not in /Students, so its personStudentId is unknown.`);
        return;
      }
      pending.push({ write, index, factsPersonId, existing: null, confirmed: false, creates: 0, duplicates: [] });
    });
    // 2. Reconcile by marker before writing: a lost write's record is found, never written twice.
    const lookups = async (list: Pending[]): Promise<Result<void, FactsError>> => {
      for (const role of ["student", "parent"] as const) {
        const mine = list.filter((p) => p.write.hour.role === role);
        if (mine.length === 0) continue;
        const found = await readBack(
          role,
          mine.map((p) => p.factsPersonId),
          signal,
        );
        if (found.isErr()) return err(found.error);
        for (const p of mine) {
          const records = found.value.get(p.write.hourId) ?? [];
          p.existing = records[0] ?? null;
          // A request that timed out may still land later and leave a second record of the same hour: the
          // oldest counts; FACTS cannot delete the others, so they are zeroed and marked as duplicates here,
          // on the hour's next reconcile, and the write's outcome asks a person to delete them in FACTS.
          for (const extra of records.slice(1)) {
            const marked = await client.request("PATCH", `${PATHS[role]}/${extra.serviceHoursId}`, {
              json: withdrawPatch(p.write.hourId, parseMarker(extra.note).note, DUPLICATE_PREFIX),
              idempotent: true,
              ...(signal === undefined ? {} : { signal }),
            });
            beat();
            if (marked.isErr() && marked.error.type !== "NotFound" && marked.error.fatal) return err(marked.error);
            if (marked.isOk()) p.duplicates.push(extra.serviceHoursId);
          }
        }
      }
      return ok(undefined);
    };
    const needsLookup = pending.filter(
      (p) => p.write.reconcile === true || (p.write.op !== "create" && !p.write.serviceHoursId),
    );
    if (needsLookup.length > 0) {
      const looked = await lookups(needsLookup);
      if (looked.isErr()) return err(looked.error);
    }

    // 3. Write: updates and withdrawals by id (JSON Patch), creates by POST (read back below).
    let stop: FactsError | null = null;
    const toReadBack: Pending[] = [];
    const writeOne = async (p: Pending): Promise<void> => {
      const { write } = p;
      const path = PATHS[write.hour.role];
      const knownId = p.existing?.serviceHoursId ?? (write.serviceHoursId ? Number(write.serviceHoursId) : null);
      if (write.op === "delete") {
        // Nothing in FACTS (never written, or not found by its marker): nothing is left to remove.
        if (knownId === null || !Number.isSafeInteger(knownId)) {
          settle(p.index, { hourId: write.hourId, status: "deleted", serviceHoursId: null });
          return;
        }
        const withdrawn = {
          hourId: write.hourId,
          status: "withdrawn",
          serviceHoursId: String(knownId),
          attention: removeMessage(write.hourId, knownId),
        } as const;
        if (p.existing !== null && parseMarker(p.existing.note).mark === "withdrawn" && p.existing.hours === 0) {
          settle(p.index, withdrawn); // withdrawn by an attempt whose outcome was lost
          return;
        }
        const r = await client.request("PATCH", `${path}/${knownId}`, {
          json: withdrawPatch(write.hourId, write.hour.note),
          idempotent: true,
          ...(signal === undefined ? {} : { signal }),
        });
        beat();
        if (r.isErr()) {
          // Someone deleted it in FACTS: then, and only then, it is gone.
          if (r.error.type === "NotFound") {
            settle(p.index, { hourId: write.hourId, status: "deleted", serviceHoursId: null });
            return;
          }
          if (fatal(r.error)) stop ??= r.error;
          settle(p.index, failed(write.hourId, r.error));
          return;
        }
        settle(p.index, withdrawn);
        return;
      }
      if (knownId !== null && Number.isSafeInteger(knownId)) {
        const r = await client.request("PATCH", `${path}/${knownId}`, {
          json: updatePatch(p),
          idempotent: true,
          ...(signal === undefined ? {} : { signal }),
        });
        beat();
        if (r.isErr()) {
          if (fatal(r.error)) stop ??= r.error;
          settle(p.index, failed(write.hourId, r.error));
          return;
        }
        settle(p.index, {
          hourId: write.hourId,
          status: write.op === "create" ? "created" : "updated",
          serviceHoursId: String(knownId),
        });
        return;
      }
      if (write.op === "update") {
        settle(
          p.index,
          failed(write.hourId, {
            type: "NotFound",
            message: `No FACTS service-hours record for hour ${write.hourId}.`,
          }),
        );
        return;
      }
      p.creates++;
      const r = await client.request("POST", path, {
        json: createBody(p),
        ...(signal === undefined ? {} : { signal }),
      });
      beat();
      if (r.isOk()) {
        // FACTS answers 201 with no body; should it ever send the record back, no read-back is needed.
        const echoed = serviceHourSchema.safeParse(r.value.body);
        if (echoed.success && parseMarker(echoed.data.note).hostHourId === write.hourId) {
          settle(p.index, {
            hourId: write.hourId,
            status: "created",
            serviceHoursId: String(echoed.data.serviceHoursId),
          });
          return;
        }
        p.confirmed = true;
        toReadBack.push(p);
        return;
      }
      if (fatal(r.error)) stop ??= r.error;
      if (outcomeUnknown(r.error)) {
        // Maybe applied, maybe not: only reading back can tell, never a blind second POST.
        toReadBack.push(p);
        return;
      }
      settle(p.index, failed(write.hourId, r.error));
    };

    let round = pending.filter((p) => outcomes[p.index] === undefined);
    for (let pass = 0; round.length > 0; pass++) {
      await Promise.all(round.map(writeOne));
      const stopped = stop as FactsError | null;
      if (stopped !== null) return err(stopped);
      if (signal?.aborted) return err(aborted("POST", "/ServiceHours"));
      if (toReadBack.length === 0) break;

      // 4. Batched read-back of creates: one request per ~200 people, not one per entry.
      const unresolved = toReadBack.splice(0);
      let missing = unresolved;
      for (let attempt = 0; attempt < attempts && missing.length > 0; attempt++) {
        if (attempt > 0) {
          try {
            await sleep(readBackDelay, signal);
          } catch {
            return err(aborted("GET", "/ServiceHours"));
          }
        }
        const looked = await lookups(missing);
        if (looked.isErr()) return err(looked.error);
        for (const p of missing) {
          if (p.existing !== null) {
            settle(p.index, {
              hourId: p.write.hourId,
              status: "created",
              serviceHoursId: String(p.existing.serviceHoursId),
            });
          }
        }
        missing = missing.filter((p) => p.existing === null);
        // A create that was never confirmed and is not there was not applied: no need to wait for it.
        if (missing.every((p) => !p.confirmed)) break;
      }
      round = [];
      for (const p of missing) {
        if (p.confirmed) {
          settle(
            p.index,
            failed(p.write.hourId, {
              type: "ReadBackMissing",
              message: `FACTS accepted hour ${p.write.hourId} but does not show it yet; the next push finds it by its marker.`,
            }),
          );
        } else if (p.creates <= createRetries) {
          round.push(p);
        } else {
          settle(
            p.index,
            failed(p.write.hourId, {
              type: "Network",
              message: `Hour ${p.write.hourId} could not be written to FACTS; it is retried on the next push.`,
            }),
          );
        }
      }
      if (pass > createRetries + 1) break;
    }
    return ok(
      outcomes.map(
        (o, i) =>
          o ??
          failed(writes[i]?.hourId ?? "", {
            type: "Network",
            message: "No outcome for this write; it is retried on the next push.",
          }),
      ),
    );
  };

  /** A record of the listing as core sees it; `null` for one without a person (it belongs to nobody). */
  const toSis = (role: Role, r: FactsServiceHour): SisServiceHour | null => {
    if (r.personId == null) return null;
    const { note, hostHourId } = parseMarker(r.note);
    const personId =
      role === "student" && studentPersonId === "personStudentId"
        ? (toStudent.get(r.personId) ?? r.personId)
        : r.personId;
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
  };

  const listAll = async (signal?: AbortSignal): Promise<Result<SisServiceHour[], FactsError>> => {
    const opts = { idKey: "serviceHoursId", ...(signal === undefined ? {} : { signal }) };
    const [students, parents] = await Promise.all([
      client.list(PATHS.student, serviceHourSchema, opts),
      client.list(PATHS.parent, serviceHourSchema, opts),
    ]);
    if (students.isErr()) return err(students.error);
    if (parents.isErr()) return err(parents.error);
    if (studentPersonId === "personStudentId") {
      const all = await client.list("/Students", studentSchema, opts);
      if (all.isErr()) return err(all.error);
      for (const s of all.value) {
        toPersonStudent.set(s.studentId, s.personStudentId);
        toStudent.set(s.personStudentId, s.studentId);
      }
    }
    const all = [...students.value.map((r) => toSis("student", r)), ...parents.value.map((r) => toSis("parent", r))];
    return ok(all.filter((h): h is SisServiceHour => h !== null));
  };

  return {
    name: "facts",
    write(writes, writeOptions = {}) {
      return new ResultAsync(writeAll(writes, writeOptions));
    },
    listAll(listOptions = {}) {
      return new ResultAsync(listAll(listOptions.signal));
    },
  };
}
