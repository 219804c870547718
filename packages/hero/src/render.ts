import { guardFormulas, type TardyRecord } from "@rostersync/core";
import type { ExportConfig, ExportFormat } from "./config.js";
import type { FieldValue } from "./fields.js";
import { headerOf } from "./validate.js";

/** A rendered export file. */
export interface RenderedFile {
  readonly body: string;
  readonly mediaType: string;
  /** File name extension without the dot. */
  readonly extension: string;
}

const MEDIA: Readonly<Record<ExportFormat, string>> = {
  csv: "text/csv; charset=utf-8",
  tsv: "text/tab-separated-values; charset=utf-8",
  json: "application/json",
};

/**
 * A text cell made safe to open in a spreadsheet whatever separator it splits on (`,`, `;`, tab, line
 * breaks): core's `guardFormulas` — every place a cell may start that holds `=`, `+`, `-` or `@` gets a `'`
 * before it, and a leading tab or CR gets a leading `'`. Numbers are never guarded (a negative number is not
 * a formula).
 *
 * @example
 * ```ts
 * guardCell("=HYPERLINK(…)"); // "'=HYPERLINK(…)"
 * guardCell("Kim;=cmd");      // "Kim;'=cmd"
 * ```
 */
export function guardCell(value: string): string {
  return guardFormulas(value);
}

const cellText = (value: FieldValue): string =>
  value === null ? "" : typeof value === "number" ? String(value) : guardCell(value);

/** One CSV cell per RFC 4180: quoted when it holds a quote, comma, CR or LF; quotes doubled. */
export function csvCell(value: FieldValue): string {
  const text = cellText(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One TSV cell: TSV cannot quote, so tabs and line breaks inside a value become spaces. */
export function tsvCell(value: FieldValue): string {
  // Guard first (a leading tab is a formula risk), then flatten what TSV cannot hold.
  return cellText(value).replace(/[\t\r\n]+/g, " ");
}

/**
 * Renders an export's records in the config's format and column order, with the preset's headers.
 * CSV is RFC 4180 (CRLF line ends, header row, injection guard); TSV has the same guard; JSON is an array
 * of objects keyed by header, values kept as typed (no guard needed: JSON is not opened as a sheet).
 *
 * @example
 * ```ts
 * renderExport(config, records).body; // "Student SIS ID,Date,Code\r\n1001,2026-09-14,T\r\n"
 * ```
 */
export function renderExport(
  config: Pick<ExportConfig, "fields" | "preset" | "format">,
  records: readonly TardyRecord[],
): RenderedFile {
  const ids = config.fields.map((f) => f.field);
  const headers = config.fields.map((_, i) => headerOf(config, i));
  const format = config.format;
  if (format === "json") {
    const rows = records.map((r) => {
      const row: Record<string, FieldValue> = {};
      ids.forEach((id, i) => {
        row[headers[i] as string] = r.values[id] ?? null;
      });
      return row;
    });
    return { body: `${JSON.stringify(rows, null, 2)}\n`, mediaType: MEDIA.json, extension: "json" };
  }
  const cell = format === "csv" ? csvCell : tsvCell;
  const sep = format === "csv" ? "," : "\t";
  const eol = format === "csv" ? "\r\n" : "\n";
  const lines: string[] = [headers.map((h) => cell(h)).join(sep)];
  for (const r of records) {
    let line = "";
    for (let i = 0; i < ids.length; i++) {
      if (i > 0) line += sep;
      line += cell(r.values[ids[i] as string] ?? null);
    }
    lines.push(line);
  }
  return { body: lines.join(eol) + eol, mediaType: MEDIA[format], extension: format };
}
