import {
  type AccessCheck,
  type CatalogueOptions,
  catalogueFromSnapshot,
  checkProfile,
  type InputProblem,
  type RosterSource,
  type SourceCatalogue,
  type SyncProfile,
} from "@rostersync/core";
import { err, ok, type Result } from "neverthrow";
import { type SyncError, sourceFailed } from "./errors.js";

const cancelled = (): SyncError => ({ type: "Aborted", message: "Cancelled while reading the setup catalogue." });

/**
 * The source's setup catalogue. A source without the optional `catalogue` capability pays one full read
 * instead (the catalogue is then made from the snapshot).
 */
export async function readCatalogue(
  source: RosterSource,
  options: CatalogueOptions = {},
): Promise<Result<SourceCatalogue, SyncError>> {
  const read =
    source.catalogue !== undefined
      ? await source.catalogue(options)
      : (await source.read(options.signal === undefined ? {} : { signal: options.signal })).map(catalogueFromSnapshot);
  if (read.isErr()) return err(options.signal?.aborted === true ? cancelled() : sourceFailed(read.error));
  return ok(read.value);
}

/**
 * "Test the key". A source without the optional `checkAccess` capability is judged by one read: the key
 * works (every permission the read needs is there) or the read's error says what is missing.
 */
export async function checkSourceAccess(
  source: RosterSource,
  options: CatalogueOptions = {},
): Promise<Result<AccessCheck, SyncError>> {
  if (source.checkAccess !== undefined) {
    const checked = await source.checkAccess(options);
    if (checked.isErr()) return err(options.signal?.aborted === true ? cancelled() : sourceFailed(checked.error));
    return ok(checked.value);
  }
  const read = await source.read(options.signal === undefined ? {} : { signal: options.signal });
  if (options.signal?.aborted === true) return err(cancelled());
  const granted = read.isOk() ? true : "unknown";
  return ok({
    authenticated: read.isOk(),
    ok: read.isOk(),
    permissions: [
      {
        name: "Roster: Read",
        granted,
        neededFor: "reading the roster",
        required: true,
        ...(read.isErr() ? { message: read.error.message } : {}),
      },
    ],
  });
}

/** A message for an admin naming every problem of a profile (the first few in full). */
export function describeProblems(problems: readonly InputProblem[]): string {
  const shown = problems
    .slice(0, 5)
    .map((p) => p.message.replace(/\.+$/, ""))
    .join("; ");
  const more = problems.length > 5 ? `; and ${problems.length - 5} more` : "";
  return `The setup cannot be saved (${problems.length} problem${problems.length === 1 ? "" : "s"}): ${shown}${more}.`;
}

/**
 * Checks a profile before `setup` saves it: its shape, and, against the source's catalogue, every school,
 * grade and field it names. Every problem is reported at once as one `InvalidInput` error.
 */
export async function validateSetup(
  source: RosterSource,
  profile: SyncProfile,
): Promise<Result<SyncProfile, SyncError>> {
  const shape = checkProfile(profile);
  if (shape.length > 0) return err({ type: "InvalidInput", message: describeProblems(shape), problems: shape });
  const catalogue = await readCatalogue(source);
  if (catalogue.isErr()) return err(catalogue.error);
  const problems = checkProfile(profile, catalogue.value);
  if (problems.length > 0) return err({ type: "InvalidInput", message: describeProblems(problems), problems });
  return ok(profile);
}
