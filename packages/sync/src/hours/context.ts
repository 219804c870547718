/**
 * The one context of an hours step: the ports and settings `createSync` hands over, the school's profile,
 * and the profile's role-scoped view of the hours (docs/hours.md). Push, backfill and import open it the
 * same way; the switch-on guard builds the same view for the role it is asked about.
 *
 * @internal
 * @module
 */

import type {
  Clock,
  HoursSink,
  HoursSource,
  Logger,
  Role,
  SyncProfile,
  SyncStore,
  TargetDirectory,
} from "@rostersync/core";
import { err, ok, type Result, type ResultAsync, safeTry } from "neverthrow";
import { noProfile, type SyncError, storeFailed } from "../errors.js";
import type { ProgressListener } from "../progress.js";
import { type RoleHours, roleHours } from "./view.js";

/** What the hours steps need, as `createSync` hands it over. @internal */
export interface HoursContext {
  readonly tenantId: string;
  readonly store: SyncStore;
  readonly directory: TargetDirectory;
  readonly sink: HoursSink | undefined;
  readonly source: HoursSource | undefined;
  readonly clock: Clock;
  readonly batchSize?: number | undefined;
  readonly onProgress?: ProgressListener | undefined;
  readonly logger?: Logger | undefined;
  /** Makes lock-owner and audit ids. */
  readonly newId: () => string;
  /** The school's run lock is held for this long between renewals. */
  readonly lockTtlMs: number;
}

/** An opened hours step: the school's profile as stored, and its role's hours. @internal */
export interface HoursStep {
  readonly profile: SyncProfile;
  /** The stored profile's version, for saving it back (optimistic). */
  readonly version: number;
  /** The host's and the SIS's hours of the profile's role only. */
  readonly hours: RoleHours;
}

/** `hours` or `hoursSource` was not passed to `createSync`. @internal */
export const notConfigured = (): SyncError => ({
  type: "HoursNotConfigured",
  message: "Hours write-back needs both `hours` (the SIS sink) and `hoursSource` (the host's hours) in createSync.",
});

/** Hours write-back is off in the profile. @internal */
const syncOff = (): SyncError => ({
  type: "HoursSyncOff",
  message: "Hours write-back is off for this school: enableHoursSync() first.",
});

/** The view of `role`'s hours, when both the sink and the host's hours are configured. @internal */
export function scopedHours(ctx: HoursContext, role: Role): Result<RoleHours, SyncError> {
  if (ctx.sink === undefined || ctx.source === undefined) return err(notConfigured());
  return ok(roleHours(ctx.source, ctx.sink, role));
}

/** The school's profile and its version; `NoProfile` before the first setup. @internal */
export function loadProfile(ctx: HoursContext): ResultAsync<{ profile: SyncProfile; version: number }, SyncError> {
  return ctx.store
    .getProfile(ctx.tenantId)
    .mapErr(storeFailed)
    .andThen((p) => (p === null ? err(noProfile()) : ok({ profile: p.value, version: p.version })));
}

/**
 * Opens an hours step: reads the profile (refused with `HoursSyncOff` when `enabled` is asked and
 * write-back is off) and builds its role's view of the hours. @internal
 */
export function openHours(ctx: HoursContext, needs: { readonly enabled: boolean }): ResultAsync<HoursStep, SyncError> {
  return safeTry(async function* () {
    const { profile, version } = yield* loadProfile(ctx);
    if (needs.enabled && !profile.hoursSync.enabled) return err(syncOff());
    const hours = yield* scopedHours(ctx, profile.role);
    return ok({ profile, version, hours });
  });
}
