/**
 * Reading what a review and a plan are made from: the roster (from the source, or the one already read),
 * the school's profile, decisions and last run, and the directory's accounts and fields.
 *
 * @internal
 * @module
 */

import {
  EMPTY_DECISIONS,
  type PlanInput,
  type RosterSnapshot,
  type SyncStore,
  type TargetField,
} from "@rostersync/core";
import { err, ok, ResultAsync, safeTry } from "neverthrow";
import type { SyncContext } from "./context.js";
import { directoryFailed, noProfile, type SyncError, sourceFailed, storeFailed } from "./errors.js";
import { readMeter } from "./progress.js";

/** Everything a review and a plan are made from, with the versions they were read at. @internal */
export interface Inputs {
  readonly input: PlanInput & { readonly targetFields: readonly TargetField[] };
  readonly profileVersion: number;
  readonly decisionsVersion: number | null;
}

/** Where `gatherInputs` takes the roster from. @internal */
export interface RosterFrom {
  /** Read it from the source even when one was read before. */
  readonly fresh: boolean;
  readonly signal?: AbortSignal | undefined;
  /** A roster read moments ago in the same call (an unattended run), used instead of the last refresh's. */
  readonly pinned?: RosterSnapshot | undefined;
}

/** Reads the roster from the source, reporting progress; a cancelled read is `Aborted`. @internal */
export function readRoster(
  ctx: Pick<SyncContext, "source" | "clock" | "onProgress">,
  signal?: AbortSignal,
): ResultAsync<RosterSnapshot, SyncError> {
  const onRead = readMeter(ctx.clock, ctx.onProgress);
  return ctx.source
    .read({
      ...(signal === undefined ? {} : { signal }),
      ...(onRead === undefined ? {} : { onProgress: onRead }),
    })
    .mapErr(
      (e): SyncError =>
        signal?.aborted === true
          ? { type: "Aborted", message: "Cancelled while reading the roster; nothing was written." }
          : sourceFailed(e),
    );
}

/** The school's stored state a plan depends on, read at once. */
const readStored = (store: SyncStore, tenantId: string) =>
  ResultAsync.combine([store.getProfile(tenantId), store.getDecisions(tenantId), store.getLastRun(tenantId)]).mapErr(
    storeFailed,
  );

/**
 * Reads everything a plan depends on: the roster from the source when `fresh`, else `pinned` or the last
 * refresh's (read now when there is none). Records the profile version read in `ctx.state`, and refuses a
 * school with no setup (`NoProfile`). @internal
 */
export function gatherInputs(ctx: SyncContext, from: RosterFrom): ResultAsync<Inputs, SyncError> {
  const { store, directory, tenantId, state } = ctx;
  return safeTry(async function* () {
    const [stored, accounts, fields] = await Promise.all([
      readStored(store, tenantId),
      directory.listAccounts(),
      directory.listFields(),
    ]);
    const [profile, decisions, lastRun] = yield* stored;
    const accountList = yield* accounts.mapErr((e) => directoryFailed(e));
    const targetFields = yield* fields.mapErr((e) => directoryFailed(e));
    state.profileVersion = profile?.version ?? null;
    if (profile === null) return err(noProfile());
    const known = from.fresh ? null : (from.pinned ?? state.roster);
    const snapshot = known ?? (yield* readRoster(ctx, from.signal));
    return ok({
      input: {
        people: snapshot.people,
        accounts: accountList,
        profile: profile.value,
        decisions: decisions?.value ?? EMPTY_DECISIONS,
        lastRun,
        targetFields,
      },
      profileVersion: profile.version,
      decisionsVersion: decisions?.version ?? null,
    });
  });
}
