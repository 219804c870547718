import { createHash } from "node:crypto";
import type {
  ExportLedgerEntry,
  PortError,
  SyncStore,
  TardyDelivery,
  TardyEvent,
  TardyReceipt,
  TardyRecord,
  TardySink,
  TardySource,
} from "@rostersync/core";
import { err, errAsync, ok, okAsync, ResultAsync } from "neverthrow";
import type { ExportConfig, ExportConfigInput } from "./config.js";
import { type HeroError, isPartialDelivery, sourceFailed, storeFailed } from "./errors.js";
import { problemsMessage, type SaveExportOptions, type StoredExport, saveExport } from "./exports.js";
import { FIELD_REGISTRY, type FieldInput, type FieldValue, isFieldId, periodOf } from "./fields.js";
import { renderExport } from "./render.js";
import { type ValidationContext, validateExport } from "./validate.js";

/** What {@link runExport} needs besides the config. */
export interface RunExportOptions {
  /** The run's time (ledger `sentAt`). The library reads no clock. */
  readonly now: Date | number;
  /** The school (store tenant). */
  readonly tenantId: string;
  readonly store: SyncStore;
  /** Hero: schools, behaviour codes, bell schedules and tardies. */
  readonly source: TardySource;
  /** The sinks the host offers, by the name a config's `sink` refers to. */
  readonly sinks: Readonly<Record<string, TardySink>>;
  /** The SIS's attendance codes, to check External Reference Codes against (left unchecked when absent). */
  readonly sisCodes?: readonly string[] | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Who runs it (a host user id, or the scheduler's name); recorded in the audit. Default `host`. */
  readonly actor?: string | undefined;
}

/** Counts of one run. */
export interface ExportRunCounts {
  /** Tardies sent for the first time (or again after a void was undone). */
  readonly new: number;
  /** Tardies sent before whose exported values changed. */
  readonly correction: number;
  /** Tardies sent before and voided since. */
  readonly void: number;
  /**
   * Sent before, then changed in Hero in a way no exported field shows (an edit of a column the export does
   * not have): nothing to correct, so not sent again.
   */
  readonly unchanged: number;
  /** Voided before they were ever sent: nothing to send. */
  readonly ignored: number;
}

/** What one export run did. */
export interface ExportRunReport {
  readonly exportId: string;
  /** Derived from what was sent, so a retry of an interrupted run carries the same id and file name. */
  readonly runId: string | null;
  /** The file delivered, or `null` when there was nothing to send. */
  readonly filename: string | null;
  readonly counts: ExportRunCounts;
  /** Records the sink accepted. */
  readonly delivered: number;
  /** The watermark before and after the run. */
  readonly watermark: { readonly from: string | null; readonly to: string | null };
}

const iso = (t: Date | number) => new Date(t).toISOString();

/** The store watermark key of an export; it changes when the chosen schools or codes change. */
export function watermarkKey(config: Pick<ExportConfig, "exportId" | "schoolIds" | "behaviorCodeIds">): string {
  const selection = JSON.stringify([[...config.schoolIds].sort(), [...config.behaviorCodeIds].sort()]);
  return `hero:export:${config.exportId}:${createHash("sha256").update(selection).digest("hex").slice(0, 16)}`;
}

function slug(name: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .replace(/[\s_-]+/g, "-")
    .toLowerCase()
    .slice(0, 60);
  return s === "" ? "tardies" : s;
}

/** The planned records of a run, before delivery. */
export interface PlannedRecord {
  readonly record: TardyRecord;
  readonly fingerprint: string;
  readonly previous: ExportLedgerEntry | undefined;
}

/**
 * Runs an export once: reads the tardies changed since the export's watermark in its schools and codes,
 * compares them with the export's ledger, renders what is new, corrected or voided with the preset, hands
 * it to the sink, records what the sink accepted, and only then moves the watermark. A re-run sends
 * nothing twice; a tardy edited after it was sent goes again as a `correction`, a voided one as a `void`.
 * Invalid settings stop the run with every problem listed (`InvalidExport`) before anything is read.
 *
 * If the process dies after the sink accepted a delivery but before the ledger was written, the next run
 * rebuilds the same delivery with the same `runId` and file name: the file sink overwrites the same file,
 * the FACTS sink finds its records by reading back, a callback can deduplicate on `runId`.
 *
 * @example
 * ```ts
 * const report = await runExport(config, { now: Date.now(), tenantId, store, source: hero, sinks: { "sis-drop": sink } });
 * if (report.isOk()) console.log(report.value.counts);
 * ```
 */
export function runExport(config: ExportConfig, options: RunExportOptions): ResultAsync<ExportRunReport, HeroError> {
  const { store, tenantId, source, signal } = options;
  const sink = Object.hasOwn(options.sinks, config.sink) ? options.sinks[config.sink] : undefined;
  if (sink === undefined) {
    return errAsync({
      type: "UnknownSink",
      sink: config.sink,
      message: `The export sends to ${JSON.stringify(config.sink)}, which is not set up.`,
    });
  }
  const key = watermarkKey(config);

  return loadValidationContext(source, { sisCodes: options.sisCodes, sinkNames: Object.keys(options.sinks) })
    .andThen((context) => {
      const problems = validateExport(config, context);
      if (problems.length > 0) {
        return errAsync<never, HeroError>({ type: "InvalidExport", problems, message: problemsMessage(problems) });
      }
      if (signal?.aborted) return errAsync<never, HeroError>(cancelled());
      return fromStore(store.getWatermark(tenantId, key)).andThen((since) =>
        fromSource(
          source.listTardies({ schoolIds: config.schoolIds, behaviorCodeIds: config.behaviorCodeIds, since }),
        ).andThen((changes) => {
          const events = latestEvents(changes.events);
          return fromStore(store.getExportLedger(tenantId, config.exportId, [...events.keys()])).map((ledger) => ({
            since,
            next: changes.watermark,
            planned: planRecords(config, [...events.values()], new Map(ledger.map((l) => [l.eventId, l])), context),
          }));
        }),
      );
    })
    .andThen(({ since, next, planned: { counts, planned } }) => {
      const run: RunContext = { config, options, sink, key, since, next, counts };
      if (planned.length === 0) {
        return advance(run).map(() => report(run, null, null, 0));
      }
      if (signal?.aborted) return errAsync<never, HeroError>(cancelled());
      return deliverAndRecord(run, planned);
    });
}

const cancelled = (): HeroError => ({ type: "Aborted", message: "The export run was cancelled." });
const fromSource = <T>(r: ResultAsync<T, PortError>) => r.mapErr((e): HeroError => sourceFailed(e));
const fromStore = <T>(r: ResultAsync<T, PortError>) => r.mapErr((e): HeroError => storeFailed(e));

/** The latest version of each event (by `updatedAt`; a later one in the list wins a tie). */
export function latestEvents(events: readonly TardyEvent[]): Map<string, TardyEvent> {
  const latest = new Map<string, TardyEvent>();
  for (const e of events) {
    const seen = latest.get(e.eventId);
    if (seen === undefined || seen.updatedAt <= e.updatedAt) latest.set(e.eventId, e);
  }
  return latest;
}

/**
 * What a run sends, as a pure function of the changed events and the ledger: a tardy never sent (or sent
 * and voided since) is `new`; one sent before is a `correction` when an exported value changed (its
 * fingerprint) and `unchanged` otherwise; a voided one is a `void` when it was sent, `ignored` when not.
 *
 * @example
 * ```ts
 * const { counts, planned } = planRecords(config, events, ledgerByEventId, context);
 * ```
 */
export function planRecords(
  config: ExportConfig,
  events: readonly TardyEvent[],
  ledger: ReadonlyMap<string, ExportLedgerEntry>,
  context: Pick<ValidationContext, "schools" | "behaviorCodes" | "bellSchedules">,
): { counts: ExportRunCounts; planned: PlannedRecord[] } {
  const schools = new Map(context.schools.map((s) => [s.schoolId, s]));
  const codes = new Map(context.behaviorCodes.map((c) => [c.codeId, c]));
  const schedules = new Map(context.bellSchedules.map((b) => [b.schoolId, b]));
  const fieldIds = config.fields.map((f) => f.field).filter(isFieldId);
  const counts = { new: 0, correction: 0, void: 0, unchanged: 0, ignored: 0 };
  const planned: PlannedRecord[] = [];
  for (const event of events) {
    const previous = ledger.get(event.eventId);
    let kind: TardyRecord["kind"];
    if (event.status === "voided") {
      if (previous === undefined || previous.status === "voided") {
        counts.ignored++;
        continue;
      }
      kind = "void";
    } else kind = previous === undefined || previous.status === "voided" ? "new" : "correction";
    const input: FieldInput = {
      event,
      school: schools.get(event.schoolId),
      code: codes.get(event.behaviorCodeId),
      period: periodOf(event, schedules.get(event.schoolId)),
      kind,
    };
    const values: Record<string, FieldValue> = {};
    const hash = createHash("sha256");
    for (const id of fieldIds) {
      const definition = FIELD_REGISTRY[id];
      const value = definition.value(input);
      values[id] = value;
      if (definition.fingerprinted) hash.update(`${id}\u0000${typeof value}\u0000${String(value)}\u0001`);
    }
    const fingerprint = hash.digest("base64url").slice(0, 22);
    if (kind === "correction" && previous?.fingerprint === fingerprint) {
      counts.unchanged++;
      continue;
    }
    counts[kind]++;
    const record: TardyRecord =
      previous?.externalId === undefined || kind === "new"
        ? { eventId: event.eventId, kind, values }
        : { eventId: event.eventId, kind, values, externalId: previous.externalId };
    planned.push({ record, fingerprint, previous });
  }
  return { counts, planned };
}

/** A run's id, derived from what it sends, so a retry of an interrupted run carries the same one. */
export function runIdOf(exportId: string, since: string | null, planned: readonly PlannedRecord[]): string {
  const runHash = createHash("sha256").update(`${exportId}\u0000${since ?? ""}`);
  for (const p of planned) runHash.update(`\u0000${p.record.eventId}:${p.record.kind}:${p.fingerprint}`);
  return `run-${runHash.digest("hex").slice(0, 20)}`;
}

/**
 * The ledger entries of the planned records the sink accepted (`null`: all of them), with the sink's
 * external ids, else the ones they had.
 */
export function ledgerEntries(
  planned: readonly PlannedRecord[],
  accepted: ReadonlySet<string> | null,
  externalIds: Readonly<Record<string, string>> | undefined,
  sentAt: string,
): ExportLedgerEntry[] {
  return planned
    .filter((p) => accepted === null || accepted.has(p.record.eventId))
    .map((p) => {
      const externalId =
        (externalIds !== undefined && Object.hasOwn(externalIds, p.record.eventId)
          ? externalIds[p.record.eventId]
          : undefined) ?? p.previous?.externalId;
      return {
        eventId: p.record.eventId,
        fingerprint: p.fingerprint,
        status: p.record.kind === "void" ? "voided" : "sent",
        sentAt,
        ...(externalId === undefined ? {} : { externalId }),
      };
    });
}

/** One run after its records were planned. */
interface RunContext {
  readonly config: ExportConfig;
  readonly options: RunExportOptions;
  readonly sink: TardySink;
  readonly key: string;
  readonly since: string | null;
  readonly next: string | null;
  readonly counts: ExportRunCounts;
}

/** Moves the watermark, when the source gave a new one. */
const advance = (run: RunContext) =>
  run.next === null || run.next === run.since
    ? okAsync(undefined)
    : fromStore(run.options.store.setWatermark(run.options.tenantId, run.key, run.next));

const report = (
  run: RunContext,
  runId: string | null,
  filename: string | null,
  delivered: number,
): ExportRunReport => ({
  exportId: run.config.exportId,
  runId,
  filename,
  counts: run.counts,
  delivered,
  watermark: { from: run.since, to: run.next ?? run.since },
});

/**
 * Renders the planned records, hands them to the sink, records what it accepted in the ledger and only
 * then moves the watermark; one audit record per delivery, completed or failed.
 */
function deliverAndRecord(run: RunContext, planned: readonly PlannedRecord[]): ResultAsync<ExportRunReport, HeroError> {
  const { config, options, sink } = run;
  const { store, tenantId } = options;
  const records = planned.map((p) => p.record);
  const runId = runIdOf(config.exportId, run.since, planned);
  const file = renderExport(config, records);
  const delivery: TardyDelivery = {
    exportId: config.exportId,
    runId,
    filename: `${slug(config.name)}-${runId}.${file.extension}`,
    mediaType: file.mediaType,
    body: file.body,
    records,
  };
  const sentAt = iso(options.now);

  /**
   * One audit record per delivery (issue 15 item 9): its id is derived from the run and the time, so a
   * retry at the same moment does not record the same delivery twice.
   */
  const audit = (status: "completed" | "failed", delivered: number, reason?: string): ResultAsync<void, HeroError> =>
    store
      .appendAudit(tenantId, {
        auditId: `export:${config.exportId}:${runId}:${sentAt}:${status}`,
        kind: "export",
        runId,
        at: sentAt,
        actor: options.actor ?? "host",
        planHash: "",
        status,
        counts: { ...run.counts, delivered, records: records.length },
        outcomes: { exportId: config.exportId, sink: config.sink, filename: delivery.filename },
        ...(reason === undefined ? {} : { reason }),
      })
      .orElse((e) => (e.type === "Conflict" ? ok(undefined) : err(storeFailed(e))));

  const delivered = (receipt: TardyReceipt) =>
    fromStore(
      store.putExportLedger(tenantId, config.exportId, ledgerEntries(planned, null, receipt.externalIds, sentAt)),
    )
      .andThen(() => advance(run))
      .andThen(() => audit("completed", receipt.delivered))
      .map(() => report(run, runId, delivery.filename, receipt.delivered));

  const failed = (error: PortError): ResultAsync<never, HeroError> => {
    const accepted = isPartialDelivery(error) ? error.deliveredEventIds : [];
    const partial = isPartialDelivery(error) ? error.externalIds : undefined;
    const saved =
      accepted.length > 0
        ? fromStore(
            store.putExportLedger(
              tenantId,
              config.exportId,
              ledgerEntries(planned, new Set(accepted), partial, sentAt),
            ),
          )
        : okAsync(undefined);
    // The failure is what the caller gets; an audit the store could not take does not replace it.
    return saved
      .andThen(() =>
        audit("failed", accepted.length, `${error.type}: ${error.message}`).orElse(() => okAsync(undefined)),
      )
      .andThen(() =>
        errAsync<never, HeroError>({
          type: "DeliveryFailed",
          cause: error,
          deliveredEventIds: accepted,
          message: `Sending the export to ${sink.name} failed: ${error.message}`,
          ...(error.retryable === undefined ? {} : { retryable: error.retryable }),
        }),
      );
  };

  // A sink error becomes the run's DeliveryFailed (after the partial ledger); a receipt is recorded.
  return sink.deliver(delivery, { signal: options.signal }).orElse(failed).andThen(delivered);
}

/** What {@link saveAndRunNow} answers. */
export interface SaveAndRunReport {
  readonly saved: StoredExport;
  readonly run: ExportRunReport;
}

/**
 * "Save & Run Now": checks the config against Hero's setup (every problem at once; nothing is saved when
 * there is one), saves it optimistically like {@link saveExport}, and runs it at once.
 *
 * @example
 * ```ts
 * await saveAndRunNow(config, { expectedVersion: 3 }, { now: Date.now(), tenantId, store, source, sinks });
 * ```
 */
export function saveAndRunNow(
  input: ExportConfigInput,
  save: SaveExportOptions,
  options: RunExportOptions,
): ResultAsync<SaveAndRunReport, HeroError> {
  const context =
    save.context !== undefined
      ? okAsync<ValidationContext, HeroError>(save.context)
      : loadValidationContext(options.source, {
          sisCodes: options.sisCodes,
          sinkNames: Object.keys(options.sinks),
        });
  return context
    .andThen((checked) => saveExport(options.store, options.tenantId, input, { ...save, context: checked }))
    .andThen((saved) => runExport(saved.config, options).map((run) => ({ saved, run })));
}

/**
 * Reads what {@link validateExport} checks an export against from Hero (schools, behaviour codes, bell
 * schedules), adding the SIS's codes and the host's sink names when given. A settings screen can call it
 * to show every problem before the administrator saves.
 *
 * @example
 * ```ts
 * const context = await loadValidationContext(hero, { sisCodes: ["T", "TU"], sinkNames: Object.keys(sinks) });
 * const problems = context.map((c) => validateExport(config, c));
 * ```
 */
export function loadValidationContext(
  source: TardySource,
  extra: { readonly sisCodes?: readonly string[] | undefined; readonly sinkNames?: readonly string[] | undefined } = {},
): ResultAsync<ValidationContext, HeroError> {
  const fromSource = <T>(r: ResultAsync<T, PortError>) => r.mapErr((e): HeroError => sourceFailed(e));
  return ResultAsync.combine([
    fromSource(source.listSchools()),
    fromSource(source.listBehaviorCodes()),
    fromSource(source.listBellSchedules()),
  ] as const).map(([schools, behaviorCodes, bellSchedules]) => ({
    schools,
    behaviorCodes,
    bellSchedules,
    sisCodes: extra.sisCodes,
    sinkNames: extra.sinkNames,
  }));
}
