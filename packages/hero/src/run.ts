import { createHash } from "node:crypto";
import type {
  ExportLedgerEntry,
  PortError,
  SyncStore,
  TardyDelivery,
  TardyEvent,
  TardyRecord,
  TardySink,
  TardySource,
} from "@rostersync/core";
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
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
interface PlannedRecord {
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
  const aborted = (): HeroError => ({ type: "Aborted", message: "The export run was cancelled." });
  const fromSource = <T>(r: ResultAsync<T, PortError>) => r.mapErr((e): HeroError => sourceFailed(e));
  const fromStore = <T>(r: ResultAsync<T, PortError>) => r.mapErr((e): HeroError => storeFailed(e));
  const key = watermarkKey(config);

  return loadValidationContext(source, { sisCodes: options.sisCodes, sinkNames: Object.keys(options.sinks) })
    .andThen((context) => {
      const { schools, behaviorCodes, bellSchedules } = context;
      const problems = validateExport(config, context);
      if (problems.length > 0) {
        return errAsync<never, HeroError>({ type: "InvalidExport", problems, message: problemsMessage(problems) });
      }
      if (signal?.aborted) return errAsync<never, HeroError>(aborted());
      return fromStore(store.getWatermark(tenantId, key)).andThen((since) =>
        fromSource(
          source.listTardies({ schoolIds: config.schoolIds, behaviorCodeIds: config.behaviorCodeIds, since }),
        ).andThen((changes) => {
          const latest = new Map<string, TardyEvent>();
          for (const e of changes.events) {
            const seen = latest.get(e.eventId);
            if (seen === undefined || seen.updatedAt <= e.updatedAt) latest.set(e.eventId, e);
          }
          return fromStore(store.getExportLedger(tenantId, config.exportId, [...latest.keys()])).map((ledger) => ({
            since,
            next: changes.watermark,
            events: [...latest.values()],
            ledger: new Map(ledger.map((l) => [l.eventId, l])),
            lookups: {
              schools: new Map(schools.map((s) => [s.schoolId, s])),
              codes: new Map(behaviorCodes.map((c) => [c.codeId, c])),
              schedules: new Map(bellSchedules.map((b) => [b.schoolId, b])),
            },
          }));
        }),
      );
    })
    .andThen(({ since, next, events, ledger, lookups }) => {
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
          school: lookups.schools.get(event.schoolId),
          code: lookups.codes.get(event.behaviorCodeId),
          period: periodOf(event, lookups.schedules.get(event.schoolId)),
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

      const advance = () =>
        next === null || next === since ? okAsync(undefined) : fromStore(store.setWatermark(tenantId, key, next));
      if (planned.length === 0) {
        return advance().map(
          (): ExportRunReport => ({
            exportId: config.exportId,
            runId: null,
            filename: null,
            counts,
            delivered: 0,
            watermark: { from: since, to: next ?? since },
          }),
        );
      }
      if (signal?.aborted) return errAsync<never, HeroError>(aborted());

      const records = planned.map((p) => p.record);
      const runHash = createHash("sha256").update(`${config.exportId}\u0000${since ?? ""}`);
      for (const p of planned) runHash.update(`\u0000${p.record.eventId}:${p.record.kind}:${p.fingerprint}`);
      const runId = `run-${runHash.digest("hex").slice(0, 20)}`;
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
      const ledgerFor = (
        accepted: ReadonlySet<string> | null,
        externalIds: Readonly<Record<string, string>> | undefined,
      ): ExportLedgerEntry[] =>
        planned
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

      /**
       * One audit record per delivery (issue 15 item 9): its id is derived from the run and the time, so a
       * retry at the same moment does not record the same delivery twice.
       */
      const audit = async (
        status: "completed" | "failed",
        delivered: number,
        reason?: string,
      ): Promise<Result<void, HeroError>> => {
        const appended = await store.appendAudit(tenantId, {
          auditId: `export:${config.exportId}:${runId}:${sentAt}:${status}`,
          kind: "export",
          runId,
          at: sentAt,
          actor: options.actor ?? "host",
          planHash: "",
          status,
          counts: { ...counts, delivered, records: records.length },
          outcomes: { exportId: config.exportId, sink: config.sink, filename: delivery.filename },
          ...(reason === undefined ? {} : { reason }),
        });
        if (appended.isOk() || appended.error.type === "Conflict") return ok(undefined);
        return err(storeFailed(appended.error));
      };

      const deliverAndRecord = async (): Promise<Result<ExportRunReport, HeroError>> => {
        const outcome = await sink.deliver(delivery, { signal });
        if (outcome.isOk()) {
          const receipt = outcome.value;
          const entries = ledgerFor(null, receipt.externalIds);
          const saved = await fromStore(store.putExportLedger(tenantId, config.exportId, entries)).andThen(advance);
          if (saved.isOk()) {
            const audited = await audit("completed", receipt.delivered);
            if (audited.isErr()) return err(audited.error);
          }
          return saved.map(
            (): ExportRunReport => ({
              exportId: config.exportId,
              runId,
              filename: delivery.filename,
              counts,
              delivered: receipt.delivered,
              watermark: { from: since, to: next ?? since },
            }),
          );
        }
        const error = outcome.error;
        const delivered = isPartialDelivery(error) ? error.deliveredEventIds : [];
        if (delivered.length > 0) {
          const partial = isPartialDelivery(error) ? error.externalIds : undefined;
          const saved = await fromStore(
            store.putExportLedger(tenantId, config.exportId, ledgerFor(new Set(delivered), partial)),
          );
          if (saved.isErr()) return err(saved.error);
        }
        // The failure is what the caller gets; an audit the store could not take does not replace it.
        await audit("failed", delivered.length, `${error.type}: ${error.message}`);
        return err({
          type: "DeliveryFailed",
          cause: error,
          deliveredEventIds: delivered,
          message: `Sending the export to ${sink.name} failed: ${error.message}`,
          ...(error.retryable === undefined ? {} : { retryable: error.retryable }),
        });
      };
      return new ResultAsync(deliverAndRecord());
    });
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
