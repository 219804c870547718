import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Role } from "@rostersync/core";

/** What the demo was asked to do. */
export interface DemoArgs {
  readonly role: Role;
  readonly size: number;
  readonly seed: number;
  readonly out: string;
  /** A real FACTS tenant instead of the simulator (keys from the environment). */
  readonly factsUrl: string | null;
  /** Review and plan only: no apply, no hours, nothing written anywhere but the review files. */
  readonly dryRun: boolean;
}

export const USAGE = `usage: node src/main.ts [--students | --parents] [--size N] [--seed N] [--out DIR]
                         [--facts-url URL [--dry-run]] [--dry-run]

  --students / --parents  which profile to sync (default: students)
  --size N                people in the generated school (default 2000, 50..100000)
  --seed N                the generated school's seed (default 7)
  --out DIR               where the SQLite files, review pages and error reports go (default examples/demo/.demo)
  --facts-url URL         a real FACTS tenant instead of the simulator; keys from FACTS_SUBSCRIPTION_KEY and
                          FACTS_API_KEY. Against a real tenant the demo never writes to FACTS.
  --dry-run               review + plan only: no apply, no hours, no account or state database written`;

/** A wrong flag: printed with the usage, exit code 2. */
export class UsageError extends Error {}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not "${raw}".`);
  }
  return n;
}

/** Reads the command line; throws {@link UsageError} on anything it does not understand. */
export function readArgs(argv: readonly string[], defaultOut: string): DemoArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.students && values.parents) throw new UsageError("Choose --students or --parents, not both.");
  let factsUrl: string | null = null;
  if (values["facts-url"] !== undefined) {
    try {
      const url = new URL(values["facts-url"]);
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("not http(s)");
      factsUrl = url.toString().replace(/\/$/, "");
    } catch {
      throw new UsageError(`--facts-url must be an http(s) URL, not "${values["facts-url"]}".`);
    }
  }
  return {
    role: values.parents ? "parent" : "student",
    size: integer("size", values.size, 2000, 100, 100_000),
    seed: integer("seed", values.seed, 7, 0, 2 ** 31 - 1),
    out: resolve(values.out ?? defaultOut),
    factsUrl,
    dryRun: values["dry-run"] ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      students: { type: "boolean" },
      parents: { type: "boolean" },
      size: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      "facts-url": { type: "string" },
      "dry-run": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** `--help` was asked for. */
export const wantsHelp = (argv: readonly string[]): boolean => argv.includes("--help") || argv.includes("-h");
