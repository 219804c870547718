import type { JsonValue, PortError, SyncStore } from "@rostersync/core";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { ExportConfig, ExportConfigInput } from "./config.js";
import { type HeroError, storeFailed } from "./errors.js";
import { parseExportConfig, type ValidationContext, validateExport } from "./validate.js";

/** A stored export config and its version (for optimistic saves). */
export interface StoredExport {
  readonly config: ExportConfig;
  readonly version: number;
}

/** Options of {@link saveExport}. */
export interface SaveExportOptions {
  /** The version read before editing; `null` creates. A stale version fails with `StoreFailed` (`Conflict`). */
  readonly expectedVersion: number | null;
  /** When given, the config is also checked against the school's Hero setup and refused with every problem. */
  readonly context?: ValidationContext | undefined;
}

const toJson = (config: ExportConfig): JsonValue => JSON.parse(JSON.stringify(config)) as JsonValue;

/**
 * Saves an export config ("Save") in the store, optimistically: two admins editing the same export cannot
 * overwrite each other. The config is parsed first (and validated when `context` is given); a school can
 * keep several exports, one per `exportId`.
 *
 * @example
 * ```ts
 * const saved = await saveExport(store, "school-1", config, { expectedVersion: null });
 * ```
 */
export function saveExport(
  store: SyncStore,
  tenantId: string,
  input: ExportConfigInput,
  options: SaveExportOptions,
): ResultAsync<StoredExport, HeroError> {
  const parsed = parseExportConfig(input);
  if (!parsed.ok) {
    return errAsync({ type: "InvalidExport", problems: parsed.problems, message: problemsMessage(parsed.problems) });
  }
  const config = parsed.config;
  if (options.context !== undefined) {
    const problems = validateExport(config, options.context);
    if (problems.length > 0) return errAsync({ type: "InvalidExport", problems, message: problemsMessage(problems) });
  }
  return store
    .saveExport(tenantId, config.exportId, toJson(config), options.expectedVersion)
    .mapErr((e: PortError): HeroError => storeFailed(e))
    .map((version) => ({ config, version }));
}

/** Reads one export config, or `null` when there is none with that id. */
export function getExport(
  store: SyncStore,
  tenantId: string,
  exportId: string,
): ResultAsync<StoredExport | null, HeroError> {
  return store
    .getExport(tenantId, exportId)
    .mapErr((e: PortError): HeroError => storeFailed(e))
    .andThen((record) => {
      if (record === null) return okAsync(null);
      const parsed = parseExportConfig(record.config);
      if (!parsed.ok) return errAsync(corrupt(exportId));
      return okAsync({ config: parsed.config, version: record.version });
    });
}

/** Every export config of a school, sorted by name; a stored config that no longer parses is an error. */
export function listExports(store: SyncStore, tenantId: string): ResultAsync<StoredExport[], HeroError> {
  return store
    .listExports(tenantId)
    .mapErr((e: PortError): HeroError => storeFailed(e))
    .andThen((records) => {
      const out: StoredExport[] = [];
      for (const record of records) {
        const parsed = parseExportConfig(record.config);
        if (!parsed.ok) return errAsync(corrupt(record.exportId));
        out.push({ config: parsed.config, version: record.version });
      }
      out.sort(
        (a, b) => a.config.name.localeCompare(b.config.name) || (a.config.exportId < b.config.exportId ? -1 : 1),
      );
      return okAsync(out);
    });
}

function corrupt(exportId: string): HeroError {
  return {
    type: "CorruptExport",
    exportId,
    message: `The stored settings of export ${exportId} cannot be read; open and save the export again.`,
  };
}

/** One line summing up a list of problems. */
export function problemsMessage(problems: readonly { readonly message: string }[]): string {
  const first = problems[0]?.message ?? "";
  return problems.length === 1
    ? `The export cannot run: ${first}`
    : `The export cannot run: ${problems.length} problems, first: ${first}`;
}
