// The fleet's interface, the same for the PostgreSQL fleet (pg-boss) and the embedded one (SQLite).
import type { SyncStore } from "@rostersync/core";
import type { RequestBudget } from "@rostersync/facts";
import type { Sync } from "@rostersync/sync";
import type { ResultAsync } from "neverthrow";

/** A stretch of time in which a school's unattended writes do not run (reads and reviews still do). */
export interface PauseWindow {
  /** ISO 8601 instant the pause starts. */
  readonly from: string;
  /** ISO 8601 instant it ends. */
  readonly to: string;
  /** Shown in `status()`, e.g. "summer rollover". */
  readonly reason?: string | undefined;
}

/** One school of the fleet and when its work runs. Stored by the fleet; every worker reads it. */
export interface FleetSchool {
  /** The school's tenant id, as given to `createSync`. */
  readonly tenantId: string;
  /** The school's IANA time zone; its crons are read in it. */
  readonly timeZone: string;
  /** When the nightly unattended re-sync runs, as five-field cron in the school's time zone. Default `0 2 * * *`. */
  readonly nightly?: string | undefined;
  /** Minutes between hours pushes while the school's hours write-back is on. Default 15. */
  readonly hoursEveryMinutes?: number | undefined;
  /** When unattended applies, hours pushes and exports do not run. */
  readonly pauses?: readonly PauseWindow[] | undefined;
}

/** A Hero export the fleet runs at its `nextRunAt` (e.g. hero's `runExport` with the saved config). */
export interface SchoolExport {
  readonly name: string;
  /** The next time the export is due after `now` (hero's `nextRunAt(config, now)`), or `null`: not scheduled. */
  nextRunAt(now: Date): Date | null;
  /** Runs the export once. A value error is recorded in `status()` and retried. */
  run(signal: AbortSignal): Promise<{ readonly ok: true } | { readonly ok: false; readonly error: TypedError }>;
}

/** What the host gives the fleet for one school: built per job, closed after it. */
export interface OpenedSchool {
  readonly sync: Sync;
  /** The SyncStore the sync uses (the fleet reads the school's runs from it to resume, never to start twice). */
  readonly store: SyncStore;
  readonly exports?: readonly SchoolExport[] | undefined;
  close?(): Promise<void> | void;
}

/** What the fleet hands the host's `open` for one job. */
export interface SchoolContext {
  readonly tenantId: string;
  /**
   * The request budget of a FACTS key, shared by every worker of the fleet and fair between schools: pass it
   * as `createFactsClient({ budget })`. The key is whatever FACTS limits (subscription key, or with the API key).
   */
  budget(key: string): RequestBudget;
  readonly signal: AbortSignal;
}

/** Builds one school's sync (source, directory, store) for a job. */
export type OpenSchool = (school: FleetSchool, context: SchoolContext) => Promise<OpenedSchool> | OpenedSchool;

/** An error as `status()` keeps it: its tagged `type` and message (never a key: sync's messages are redacted). */
export interface TypedError {
  readonly type: string;
  readonly message: string;
}

/** The kinds of work the fleet runs per school. */
export type JobKind = "sync" | "hours" | "export";

/** What the fleet knows of one school. */
export interface SchoolStatus {
  readonly tenantId: string;
  /** The headline: what a person should look at first. */
  readonly state: "ok" | "held" | "failed" | "new-errors" | "paused" | "not-run";
  readonly lastSuccess?: { readonly at: string; readonly runId: string | null } | undefined;
  /** The unattended apply stopped on holds: acknowledge the plan hash in the review to let it through. */
  readonly held?:
    | {
        readonly planHash: string;
        readonly since: string;
        readonly holds: readonly TypedError[];
        /** When a digest reported it (it is reported once). */
        readonly reportedAt: string | null;
      }
    | undefined;
  /** The last job failed (it is retried with backoff). */
  readonly failed?:
    | { readonly at: string; readonly kind: JobKind; readonly error: TypedError; readonly attempt: number }
    | undefined;
  /** Roster errors nobody has reviewed yet (an unattended apply waits for them). */
  readonly newErrors: number;
  readonly newErrorsSince?: string | undefined;
  /** Approved hours not settled in FACTS at the last push. */
  readonly hoursPending: number;
  readonly lastHoursPush?: string | undefined;
  /** Inside a pause window now. */
  readonly paused?: PauseWindow | undefined;
  /** The last nightly read while paused: writes it would have made. */
  readonly pendingWrites?: number | undefined;
  readonly nextRuns: {
    readonly sync: string | null;
    readonly hours: string | null;
    readonly exports: readonly { readonly name: string; readonly at: string | null }[];
  };
}

/** One summary a host can email: what needs a person since `since`. */
export interface FleetDigest {
  readonly since: string;
  readonly at: string;
  /** Schools held and not reported before (each held school appears in one digest). */
  readonly held: readonly SchoolStatus[];
  /** Schools whose last job failed since `since`. */
  readonly failed: readonly SchoolStatus[];
  /** Schools with roster errors waiting for review that appeared since `since`. */
  readonly newErrors: readonly SchoolStatus[];
  /** Schools synced since `since`. */
  readonly synced: number;
  /** Held schools reported in an earlier digest, still waiting. */
  readonly stillHeld: number;
}

/** The fleet's own storage failed (a lost connection, a locked file). */
export type FleetStoreError = Extract<FleetError, { readonly type: "FleetStoreFailed" }>;

/** What the fleet's own storage failing looks like. */
export type FleetError =
  | { readonly type: "FleetStoreFailed"; readonly message: string }
  | { readonly type: "InvalidSchool"; readonly message: string; readonly problems: readonly string[] }
  | { readonly type: "UnknownSchool"; readonly message: string; readonly tenantId: string };

/** The fleet a host runs: the same for the PostgreSQL fleet and the embedded one. */
export interface Fleet {
  /** Adds (or updates) a school and schedules its work. */
  addSchool(school: FleetSchool): ResultAsync<FleetSchool, FleetError>;
  /** Stops scheduling a school's work (its status stays). */
  removeSchool(tenantId: string): ResultAsync<void, FleetError>;
  /** Queues a job for a school now (the same job the schedule sends). */
  runNow(tenantId: string, kind: JobKind, options?: { readonly exportName?: string }): ResultAsync<void, FleetError>;
  /** Starts working jobs in this process. */
  start(): ResultAsync<void, FleetError>;
  /** Every school's status. */
  status(): ResultAsync<readonly SchoolStatus[], FleetError>;
  /** What needs a person since `since`; held schools are reported once. */
  digest(options: { readonly since: Date }): ResultAsync<FleetDigest, FleetError>;
  /**
   * Stops working (jobs in hand finish, or are aborted and resumed later or elsewhere) and closes the
   * fleet's connections or file. Idempotent.
   */
  close(): Promise<void>;
  /** @deprecated Renamed `close()` (the adapter contract, docs/architecture.md); removed in the next minor. */
  stop(): Promise<void>;
}
