/**
 * Sieve filters and sorts as FACTS applies them: `,` is AND, `|` between values is OR (and between
 * fields in `(a|b)op…`), `\` escapes, operators `== != > < >= <= @= _= !@= !_=` and their `*`
 * case-insensitive variants, `Sorts=-field` for descending. An unknown column filters to no rows; a
 * nested path the endpoint does not map is a Sieve failure (a `500` in FACTS).
 *
 * @module
 */

/** A Sieve expression FACTS could not apply: FACTS answers `500` with a stack trace. */
export class SieveFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SieveFailure";
  }
}

/** One record of an endpoint, as the simulator stores and serves it. */
export type FactsRow = Record<string, unknown>;
type Row = Readonly<FactsRow>;
type Op = "==" | "!=" | ">" | "<" | ">=" | "<=" | "@=" | "_=" | "!@=" | "!_=";

interface Term {
  readonly fields: readonly string[];
  readonly op: Op;
  readonly caseInsensitive: boolean;
  readonly values: readonly string[];
}

/** A compiled filter: true for the rows it keeps. */
export type RowFilter = (row: Readonly<FactsRow>) => boolean;

const OPS: readonly string[] = [
  "!@=*",
  "!_=*",
  "==*",
  "!=*",
  "@=*",
  "_=*",
  "!@=",
  "!_=",
  "==",
  "!=",
  ">=",
  "<=",
  "@=",
  "_=",
  ">",
  "<",
];

/** Splits on `sep` where it is not escaped by `\`. */
function splitUnescaped(text: string, sep: string): string[] {
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\\" && i + 1 < text.length) {
      current += c + (text[i + 1] as string);
      i++;
    } else if (c === sep) {
      out.push(current);
      current = "";
    } else current += c;
  }
  out.push(current);
  return out;
}

const unescapeValue = (v: string) => v.replace(/\\(.)/g, "$1");

function parseTerm(raw: string): Term {
  const term = raw.trim();
  let at = -1;
  let op = "";
  for (let i = 0; i < term.length && at < 0; i++) {
    if (term[i] === "\\") {
      i++;
      continue;
    }
    for (const candidate of OPS) {
      if (term.startsWith(candidate, i)) {
        at = i;
        op = candidate;
        break;
      }
    }
  }
  if (at <= 0)
    throw new SieveFailure(`Sieve.Exceptions.SieveMethodNotFoundException: cannot parse filter term '${term}'`);
  const left = term.slice(0, at).trim();
  const fields = left.startsWith("(") && left.endsWith(")") ? left.slice(1, -1).split("|") : [left];
  const caseInsensitive = op.endsWith("*");
  return {
    fields: fields.map((f) => f.trim()),
    op: (caseInsensitive ? op.slice(0, -1) : op) as Op,
    caseInsensitive,
    values: splitUnescaped(term.slice(at + op.length), "|").map(unescapeValue),
  };
}

/** The value at a (possibly dotted) path, or `undefined` for a column the row does not have. */
function valueAt(row: Row, path: string): { found: boolean; value: unknown } {
  if (!path.includes(".")) {
    // FACTS binds filter names case-insensitively (`studentID` and `studentId` both work).
    if (path in row) return { found: true, value: row[path] };
    const lower = path.toLowerCase();
    for (const k of Object.keys(row)) if (k.toLowerCase() === lower) return { found: true, value: row[k] };
    return { found: false, value: undefined };
  }
  let current: unknown = row;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return { found: true, value: null };
    const got = valueAt(current as Row, part);
    if (!got.found) return got;
    current = got.value;
  }
  return { found: true, value: current };
}

const DATE = /^\d{4}-\d{2}-\d{2}/;
const normalDate = (v: string) => (v.length === 10 ? `${v}T00:00:00` : v.replace(/Z$/, "").replace(/\.\d+$/, ""));

function compare(value: unknown, wanted: string, op: Op, ci: boolean): boolean {
  if (wanted === "null" && (op === "==" || op === "!=")) return (value === null) === (op === "==");
  if (value === null || value === undefined) return op === "!=" || op === "!@=" || op === "!_=";
  let a: string | number;
  let b: string | number;
  if (typeof value === "number") {
    const n = Number(wanted);
    if (wanted.trim() === "" || !Number.isFinite(n)) return op === "!=";
    a = value;
    b = n;
  } else if (typeof value === "boolean") {
    a = String(value);
    b = wanted.toLowerCase();
  } else {
    a = String(value);
    b = wanted;
    if (DATE.test(a) && DATE.test(b)) {
      a = normalDate(a);
      b = normalDate(b);
    } else if (ci) {
      a = a.toLowerCase();
      b = b.toLowerCase();
    }
  }
  switch (op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case ">":
      return a > b;
    case "<":
      return a < b;
    case ">=":
      return a >= b;
    case "<=":
      return a <= b;
    case "@=":
      return String(a).includes(String(b));
    case "_=":
      return String(a).startsWith(String(b));
    case "!@=":
      return !String(a).includes(String(b));
    case "!_=":
      return !String(a).startsWith(String(b));
  }
}

/**
 * Compiles a Sieve `Filters` string. `nestedPaths` lists the dotted paths the endpoint maps (FACTS maps
 * `school.*` on `/Students`); any other dotted path throws {@link SieveFailure}.
 *
 * @example
 * ```ts
 * const keep = compileFilters("personId==1|2,date>=2025-09-01", new Set());
 * rows.filter(keep);
 * ```
 */
export function compileFilters(filters: string | null | undefined, nestedPaths: ReadonlySet<string>): RowFilter {
  if (filters === null || filters === undefined || filters.trim() === "") return () => true;
  const terms = splitUnescaped(filters, ",")
    .filter((t) => t.trim() !== "")
    .map(parseTerm);
  for (const t of terms) {
    for (const f of t.fields) {
      if (f.includes(".") && !nestedPaths.has(f.toLowerCase())) {
        throw new SieveFailure(
          `System.InvalidOperationException: The LINQ expression 'DbSet<>().Where(x => x.${f} ...)' could not be translated.`,
        );
      }
    }
  }
  return (row) =>
    terms.every((t) =>
      t.fields.some((field) => {
        const { found, value } = valueAt(row, field);
        // An unknown column filters to no rows, as FACTS does.
        if (!found) return false;
        const negative = t.op === "!=" || t.op === "!@=" || t.op === "!_=";
        return negative
          ? t.values.every((v) => compare(value, v, t.op, t.caseInsensitive))
          : t.values.some((v) => compare(value, v, t.op, t.caseInsensitive));
      }),
    );
}

/** Sorts rows by a Sieve `Sorts` string (`-field` descending), stably; unknown fields are ignored. */
export function applySorts<T extends Row>(rows: readonly T[], sorts: string | null | undefined): readonly T[] {
  if (sorts === null || sorts === undefined || sorts.trim() === "") return rows;
  const keys = sorts
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => (s.startsWith("-") ? { field: s.slice(1), dir: -1 } : { field: s, dir: 1 }));
  const cmp = (a: unknown, b: unknown): number => {
    if (a === b) return 0;
    if (a === null || a === undefined) return -1;
    if (b === null || b === undefined) return 1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a) < String(b) ? -1 : 1;
  };
  return rows
    .map((row, i) => ({ row, i }))
    .sort((x, y) => {
      for (const k of keys) {
        const c = cmp(valueAt(x.row, k.field).value, valueAt(y.row, k.field).value);
        if (c !== 0) return c * k.dir;
      }
      return x.i - y.i;
    })
    .map((x) => x.row);
}
