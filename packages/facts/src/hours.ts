import type { HoursSink, HourWrite, HourWriteOptions, HourWriteOutcome, SisServiceHour } from "@rostersync/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import type { FactsClient } from "./client.js";
import type { FactsError } from "./errors.js";
import { DUPLICATE_PREFIX, type StudentHoursPersonId, WITHDRAWN_PREFIX } from "./hour-notes.js";
import {
  afterReadBack,
  failedOutcome,
  HOURS_PATHS,
  type HoursRun,
  learn,
  learnStudents,
  needsLookup,
  type PendingHour,
  readBackCreates,
  reconcile,
  resolveWrites,
  type StudentIdMap,
  studentIdsOf,
  toSisHour,
  withDuplicates,
  writeHour,
} from "./hours-steps.js";
import { aborted } from "./http-errors.js";
import { serviceHourSchema, studentSchema } from "./schemas.js";

export * from "./hour-notes.js";

/** Options of {@link createFactsHoursSink}. */
export interface FactsHoursSinkOptions {
  /** The FACTS client the sink writes through (one per school). */
  readonly client: FactsClient;
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

/** A service-hours sink over FACTS (core's `HoursSink`). */
export interface FactsHoursSink extends HoursSink<FactsError> {
  readonly name: "facts";
}

/** The sink's settings, defaults filled in. */
interface HoursSettings {
  readonly studentPersonId: StudentHoursPersonId;
  readonly batch: number;
  readonly attempts: number;
  readonly readBackDelayMs: number;
  readonly createRetries: number;
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
 * const sink = createFactsHoursSink({ client });
 * const outcomes = await sink.write([{ hourId: "h1", op: "create", hour }]);
 * ```
 */
export function createFactsHoursSink(options: FactsHoursSinkOptions): FactsHoursSink {
  const { client } = options;
  const settings: HoursSettings = {
    studentPersonId: options.studentPersonId ?? "studentId",
    batch: Math.max(1, Math.min(500, options.readBackBatch ?? 200)),
    attempts: Math.max(1, options.readBackAttempts ?? 3),
    readBackDelayMs: options.readBackDelayMs ?? 2000,
    createRetries: Math.max(0, options.createRetries ?? 2),
  };
  // studentId ↔ personStudentId, learnt from /Students when that mapping is in use.
  const ids: StudentIdMap = { toPersonStudent: new Map(), toStudent: new Map() };
  return {
    name: "facts",
    write(writes, writeOptions = {}) {
      return new ResultAsync(writeAll(client, settings, ids, writes, writeOptions));
    },
    listAll(listOptions = {}) {
      return new ResultAsync(listAllHours(client, settings, ids, listOptions.signal));
    },
  };
}

/** One push: resolve, reconcile, write, read back (see `hours-steps.ts`), creates retried in rounds. */
async function writeAll(
  client: FactsClient,
  settings: HoursSettings,
  ids: StudentIdMap,
  writes: readonly HourWrite[],
  writeOptions: HourWriteOptions,
): Promise<Result<HourWriteOutcome[], FactsError>> {
  const signal = writeOptions.signal;
  const outcomes: (HourWriteOutcome | undefined)[] = new Array(writes.length);
  let done = 0;
  const settle = (index: number, outcome: HourWriteOutcome, duplicates: readonly number[] = []) => {
    if (outcomes[index] === undefined) done++;
    outcomes[index] = withDuplicates(outcome, duplicates);
    writeOptions.onProgress?.(done, writes.length);
  };
  // After every request, settled or not: creates settle only at the read-back, and a caller keeping a
  // lease alive needs a beat while a batch of POSTs is paced by the rate budget.
  const run: HoursRun = {
    client,
    batch: settings.batch,
    signal,
    beat: () => writeOptions.onProgress?.(done, writes.length),
  };

  // 1. Resolve: check every write and turn host person ids into FACTS ones.
  if (settings.studentPersonId === "personStudentId") {
    const learnt = await learnStudents(run, ids, studentIdsOf(writes));
    if (learnt.isErr()) return err(learnt.error);
  }
  const { pending, invalid } = resolveWrites(writes, settings.studentPersonId, ids.toPersonStudent);
  for (const [index, outcome] of invalid) settle(index, outcome);
  // 2. Reconcile by marker before writing: a lost write's record is found, never written twice.
  const lookup = pending.filter(needsLookup);
  if (lookup.length > 0) {
    const looked = await reconcile(run, lookup);
    if (looked.isErr()) return err(looked.error);
  }

  let round = pending.filter((p) => outcomes[p.index] === undefined);
  for (let pass = 0; round.length > 0; pass++) {
    // 3. Write: updates and withdrawals by id (JSON Patch), creates by POST (read back below).
    let stop: FactsError | null = null;
    const toReadBack: PendingHour[] = [];
    await Promise.all(
      round.map(async (p) => {
        const result = await writeHour(run, p);
        if (result.stop !== null) stop ??= result.stop;
        if (result.outcome === null) toReadBack.push(p);
        else settle(p.index, result.outcome, p.duplicates);
      }),
    );
    const stopped = stop as FactsError | null;
    if (stopped !== null) return err(stopped);
    if (signal?.aborted) return err(aborted("POST", "/ServiceHours"));
    if (toReadBack.length === 0) break;

    // 4. Batched read-back of creates: one request per ~200 people, not one per entry.
    const missing = await readBackCreates(
      run,
      toReadBack,
      { attempts: settings.attempts, delayMs: settings.readBackDelayMs },
      (p, outcome) => settle(p.index, outcome, p.duplicates),
    );
    if (missing.isErr()) return err(missing.error);
    const after = afterReadBack(missing.value, settings.createRetries);
    for (const [p, outcome] of after.failed) settle(p.index, outcome, p.duplicates);
    round = after.retry;
    if (pass > settings.createRetries + 1) break;
  }
  return ok(
    outcomes.map(
      (o, i) =>
        o ??
        failedOutcome(writes[i]?.hourId ?? "", {
          type: "Network",
          message: "No outcome for this write; it is retried on the next push.",
        }),
    ),
  );
}

/** Every service-hour record of both roles, as core sees them. */
async function listAllHours(
  client: FactsClient,
  settings: HoursSettings,
  ids: StudentIdMap,
  signal: AbortSignal | undefined,
): Promise<Result<SisServiceHour[], FactsError>> {
  const opts = { idKey: "serviceHoursId", ...(signal === undefined ? {} : { signal }) };
  const [students, parents] = await Promise.all([
    client.list(HOURS_PATHS.student, serviceHourSchema, opts),
    client.list(HOURS_PATHS.parent, serviceHourSchema, opts),
  ]);
  if (students.isErr()) return err(students.error);
  if (parents.isErr()) return err(parents.error);
  const mapped = settings.studentPersonId === "personStudentId";
  if (mapped) {
    const all = await client.list("/Students", studentSchema, opts);
    if (all.isErr()) return err(all.error);
    learn(ids, all.value);
  }
  const toStudent = mapped ? ids.toStudent : null;
  const all = [
    ...students.value.map((r) => toSisHour("student", r, toStudent)),
    ...parents.value.map((r) => toSisHour("parent", r, toStudent)),
  ];
  return ok(all.filter((h): h is SisServiceHour => h !== null));
}
