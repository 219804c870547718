import { readFileSync } from "node:fs";

/**
 * The committed subset of FACTS's Swagger 2.0 definition (`facts-api.swagger.json`, beside this file) and
 * two tools over it: a validator of values against a definition, and a generator of records from one.
 *
 * Validation follows Swagger 2.0 with .NET's habits where the definition is silent: a property listed in
 * `required` must be present and not `null`; any other property may be absent or `null` (the definition
 * marks nothing `x-nullable`, yet .NET serialises unset values as `null`); `allOf` is every part at once;
 * `format: int32` is a 32-bit integer; `date-time` is a date and a time with an optional offset (FACTS
 * answers without one). With `closed`, a property the definition does not list is a problem too: the
 * adapter's own request bodies are held to that, FACTS's answers are not.
 */

type Schema = {
  readonly $ref?: string;
  readonly type?: string;
  readonly format?: string;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly allOf?: readonly Schema[];
  readonly maxLength?: number;
};

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly type?: string;
  readonly default?: string;
  readonly required?: boolean;
  readonly description?: string;
  readonly schema?: Schema;
}

interface Operation {
  readonly operationId: string;
  readonly parameters?: readonly Parameter[];
  readonly responses?: Readonly<Record<string, { readonly schema?: Schema }>>;
  readonly "x-unused"?: boolean;
}

/** The fixture: paths (the operations the adapter uses; others as `x-unused` names) and definitions. */
export interface SwaggerFixture {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly definitions: Readonly<Record<string, Schema>>;
}

export const swagger: SwaggerFixture = JSON.parse(
  readFileSync(new URL("./facts-api.swagger.json", import.meta.url), "utf8"),
) as SwaggerFixture;

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?$/;

const refName = (ref: string) => ref.replace("#/definitions/", "");

function resolve(schema: Schema): Schema {
  let s = schema;
  while (s.$ref !== undefined) {
    const found = swagger.definitions[refName(s.$ref)];
    if (found === undefined) throw new Error(`The fixture has no definition ${s.$ref}.`);
    s = found;
  }
  return s;
}

/** An object schema's properties and required names, through `allOf` and `$ref`. */
export function flatten(schema: Schema): { properties: Record<string, Schema>; required: Set<string> } {
  const s = resolve(schema);
  const properties: Record<string, Schema> = {};
  const required = new Set<string>();
  for (const part of s.allOf ?? []) {
    const inner = flatten(part);
    Object.assign(properties, inner.properties);
    for (const r of inner.required) required.add(r);
  }
  Object.assign(properties, s.properties ?? {});
  for (const r of s.required ?? []) required.add(r);
  return { properties, required };
}

const isObjectSchema = (s: Schema) => {
  const r = resolve(s);
  return r.type === "object" || r.properties !== undefined || r.allOf !== undefined;
};

/** Every way `value` breaks `schema`, as `path: problem` lines (empty when it conforms). */
export function validate(value: unknown, schema: Schema | string, options: { closed?: boolean } = {}): string[] {
  const problems: string[] = [];
  const walk = (v: unknown, raw: Schema, path: string) => {
    const s = resolve(raw);
    if (isObjectSchema(s)) {
      if (v === null || typeof v !== "object" || Array.isArray(v)) {
        problems.push(`${path || "body"}: expected an object`);
        return;
      }
      const { properties, required } = flatten(s);
      const record = v as Record<string, unknown>;
      for (const r of required)
        if (record[r] === undefined || record[r] === null) problems.push(`${path}${path ? "." : ""}${r}: required`);
      for (const [key, x] of Object.entries(record)) {
        const p = properties[key];
        const at = `${path}${path ? "." : ""}${key}`;
        if (p === undefined) {
          if (options.closed) problems.push(`${at}: not in the definition`);
          continue;
        }
        if (x === null || x === undefined) continue;
        walk(x, p, at);
      }
      return;
    }
    switch (s.type) {
      case "array":
        if (!Array.isArray(v)) problems.push(`${path}: expected an array`);
        else if (s.items !== undefined) {
          const items = s.items;
          v.forEach((x, i) => {
            if (x !== null) walk(x, items, `${path}[${i}]`);
          });
        }
        return;
      case "integer":
        if (typeof v !== "number" || !Number.isInteger(v)) problems.push(`${path}: expected an integer`);
        else if (s.format === "int32" && (v > 2 ** 31 - 1 || v < -(2 ** 31))) problems.push(`${path}: not an int32`);
        return;
      case "number":
        if (typeof v !== "number" || !Number.isFinite(v)) problems.push(`${path}: expected a number`);
        return;
      case "boolean":
        if (typeof v !== "boolean") problems.push(`${path}: expected a boolean`);
        return;
      case "string":
        if (typeof v !== "string") problems.push(`${path}: expected a string`);
        else if (s.format === "date-time" && !DATE_TIME.test(v)) problems.push(`${path}: not a date-time ("${v}")`);
        else if (s.maxLength !== undefined && v.length > s.maxLength)
          problems.push(`${path}: longer than ${s.maxLength}`);
        return;
      default:
        return; // `{}`: anything (a JSON Patch operation's value)
    }
  };
  walk(value, typeof schema === "string" ? { $ref: `#/definitions/${schema}` } : schema, "");
  return problems;
}

/** How {@link generate} fills a record: every property, the required ones only, or the others `null`. */
export type GenerateMode = "all" | "required" | "nulls";

/**
 * A record of a definition, as FACTS could send it: in mode `all` every property set, `required` only the
 * required ones (FACTS leaving out what is null), `nulls` the others set to `null`. Values are plain and
 * deterministic (integers count up from `seed`); `overrides` set top-level fields (ids that must join).
 */
export function generate(
  definition: string,
  mode: GenerateMode,
  overrides: Record<string, unknown> = {},
  seed = 1,
): Record<string, unknown> {
  let counter = seed;
  const value = (raw: Schema, name: string, depth: number): unknown => {
    const s = resolve(raw);
    if (isObjectSchema(s)) return object(s, depth + 1);
    switch (s.type) {
      case "array":
        return s.items === undefined ? [] : [value(s.items, name, depth + 1)];
      case "integer":
        return counter++;
      case "number":
        return 1.5;
      case "boolean":
        return true;
      case "string":
        if (s.format === "date-time") return "2025-10-01T00:00:00";
        return `${name}-${counter++}`.slice(0, s.maxLength ?? 255);
      default:
        return {};
    }
  };
  const object = (s: Schema, depth: number): Record<string, unknown> => {
    const { properties, required } = flatten(s);
    const out: Record<string, unknown> = {};
    for (const [key, p] of Object.entries(properties)) {
      const isRequired = required.has(key);
      // Nested person / address blocks are cut short: their own ids are kept.
      if (!isRequired && (mode === "required" || depth > 2)) continue;
      out[key] = !isRequired && mode === "nulls" ? null : value(p, key, depth);
    }
    return out;
  };
  const def = swagger.definitions[definition];
  if (def === undefined) throw new Error(`The fixture has no definition ${definition}.`);
  return { ...object(def, 0), ...overrides };
}

/** The operation of a method and path in the fixture (`{id}`-style segments matched by position). */
export function operationOf(method: string, path: string): { template: string; operation: Operation } | null {
  const segments = path.split("/");
  for (const [template, methods] of Object.entries(swagger.paths)) {
    const t = template.split("/");
    if (t.length !== segments.length) continue;
    if (!t.every((seg, i) => seg.startsWith("{") || seg.toLowerCase() === segments[i]?.toLowerCase())) continue;
    const operation = methods[method.toLowerCase()];
    if (operation === undefined || operation["x-unused"]) return null;
    return { template, operation };
  }
  return null;
}

/** The schema of an operation's body parameter, or `null` when it takes none. */
export function bodySchemaOf(operation: Operation): Schema | null {
  return operation.parameters?.find((p) => p.in === "body")?.schema ?? null;
}

/** The schema the operation declares for a status; `undefined` when the status is not declared. */
export function responseSchemaOf(operation: Operation, status: number): Schema | null | undefined {
  const r = operation.responses?.[String(status)];
  if (r === undefined) return undefined;
  return r.schema ?? null;
}
