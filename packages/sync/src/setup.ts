import {
  type AccessCheck,
  type CatalogueOptions,
  catalogueFromSnapshot,
  checkProfile,
  type InputProblem,
  type PortError,
  type RosterSource,
  type SourceCatalogue,
  type SyncProfile,
} from "@rostersync/core";
import { err, ok, type Result, ResultAsync, safeTry } from "neverthrow";
import type { SyncContext } from "./context.js";
import { type SyncError, sourceFailed, storeFailed } from "./errors.js";
import { auditSwitchedOn, auditSwitchRefused, type HoursContext, hoursSwitchForSetup } from "./hours.js";

const cancelled = (): SyncError => ({ type: "Aborted", message: "Cancelled while reading the setup catalogue." });

/** A source's refusal as sync's error: `Aborted` when the caller cancelled, else `SourceFailed`. */
const failed =
  (signal: AbortSignal | undefined) =>
  (error: PortError): SyncError =>
    signal?.aborted === true ? cancelled() : sourceFailed(error);

/**
 * The source's setup catalogue. A source without the optional `catalogue` capability pays one full read
 * instead (the catalogue is then made from the snapshot).
 */
export function readCatalogue(
  source: RosterSource,
  options: CatalogueOptions = {},
): ResultAsync<SourceCatalogue, SyncError> {
  const read =
    source.catalogue !== undefined
      ? source.catalogue(options)
      : source.read(options.signal === undefined ? {} : { signal: options.signal }).map(catalogueFromSnapshot);
  return read.mapErr(failed(options.signal));
}

/**
 * "Test the key". A source without the optional `checkAccess` capability is judged by one read: the key
 * works (every permission the read needs is there) or the read's error says what is missing.
 */
export function checkSourceAccess(
  source: RosterSource,
  options: CatalogueOptions = {},
): ResultAsync<AccessCheck, SyncError> {
  if (source.checkAccess !== undefined) return source.checkAccess(options).mapErr(failed(options.signal));
  // Any answer of the read is an answer about the key; only the caller's cancel is an error.
  return ResultAsync.fromSafePromise(
    source.read(options.signal === undefined ? {} : { signal: options.signal }),
  ).andThen(
    (read): Result<AccessCheck, SyncError> =>
      options.signal?.aborted === true ? err(cancelled()) : ok(accessByRead(read)),
  );
}

/** What one roster read says of a key without the `checkAccess` capability. @internal */
export function accessByRead(read: Result<unknown, PortError>): AccessCheck {
  const granted = read.isOk() ? true : "unknown";
  return {
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
  };
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
export function validateSetup(source: RosterSource, profile: SyncProfile): ResultAsync<SyncProfile, SyncError> {
  return safeTry(async function* () {
    yield* invalidIf(checkProfile(profile));
    const catalogue = yield* readCatalogue(source);
    yield* invalidIf(checkProfile(profile, catalogue));
    return ok(profile);
  });
}

/** `InvalidInput` naming every problem, or nothing to say. */
const invalidIf = (problems: readonly InputProblem[]): Result<void, SyncError> =>
  problems.length > 0 ? err({ type: "InvalidInput", message: describeProblems(problems), problems }) : ok(undefined);

/**
 * `sync.setup`: checks the profile against the source (`validateSetup`), then saves it over the version this
 * instance last read (optimistic: someone else saving in between is `Conflict`, never a silent overwrite).
 * Switching hours write-back on here passes the same guard as `enableHoursSync()` and is audited. @internal
 */
export function saveSetup(
  ctx: SyncContext,
  hours: HoursContext,
  profile: SyncProfile,
  actor: string | undefined,
): ResultAsync<SyncProfile, SyncError> {
  const { store, tenantId, state } = ctx;
  return safeTry(async function* () {
    yield* validateSetup(ctx.source, profile);
    const current = yield* store.getProfile(tenantId).mapErr(storeFailed);
    const expected = state.profileVersion === undefined ? (current?.version ?? null) : state.profileVersion;
    const switched = await hoursSwitchForSetup(hours, current?.value ?? null, profile);
    if (switched.isErr()) await auditSwitchRefused(hours, "setup", actor, switched.error);
    const next = yield* switched;
    state.profileVersion = yield* store.saveProfile(tenantId, next, expected).mapErr(storeFailed);
    if (next.hoursSync.enabled && current?.value.hoursSync.enabled !== true) {
      yield* await auditSwitchedOn(hours, "setup", actor, false);
    }
    return ok(next);
  });
}
