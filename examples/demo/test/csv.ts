// RFC 4180 text (quoted cells, doubled quotes, CRLF line ends) as rows, for the tests that read back the CSV
// files the examples write: the demo's error reports and tardy files, and hero-export's SIS inbox
// (examples/hero-export/test/hero-export.test.ts imports it from here).

/** The rows of a CSV text, and what is left where the text stops. */
export interface CsvText {
  /** Every row ended by CRLF. */
  readonly rows: string[][];
  /** True when the text stops inside a quoted cell. */
  readonly quoted: boolean;
  /** The cells of a last row not ended by CRLF (empty when the text ends with CRLF). */
  readonly row: readonly string[];
  /** The cell being read where the text stops (empty when the text ends with CRLF). */
  readonly cell: string;
}

/**
 * Reads `text` cell by cell. It never throws: each test says what it expects of the text's end.
 *
 * @example
 * ```ts
 * readCsv('a,"b ""c"""\r\n'); // { rows: [["a", 'b "c"']], quoted: false, row: [], cell: "" }
 * ```
 */
export function readCsv(text: string): CsvText {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  return { rows, quoted, row, cell };
}
