/**
 * The domain model of a roster sync: who the SIS says is there ({@link SourcePerson}), who the host app
 * already has ({@link Account}), the school's setup ({@link SyncProfile}) and the admin's choices
 * ({@link Decisions}). Everything here is plain, JSON-serialisable data.
 *
 * @module
 */

import type { RowFilter } from "./review.js";

/** The two kinds of people a profile can roster. A profile rosters one of them, never both. */
export const ROLES = ["student", "parent"] as const;
/** A person's role in the school: `student` or `parent`. */
export type Role = (typeof ROLES)[number];

/** Enrolment statuses, as the source adapter normalises them. Only `enrolled` people are in scope (R2). */
export const PERSON_STATUSES = ["enrolled", "graduated", "withdrawn", "inactive"] as const;
/** A person's enrolment status. */
export type PersonStatus = (typeof PERSON_STATUSES)[number];

/** A person's membership of one family in the SIS. */
export interface FamilyLink {
  /** The SIS family id. */
  readonly familyId: string;
  /** For parents: how the SIS names the relationship to the children ("Mother", "Father", "Guardian"…). */
  readonly relationship?: string | undefined;
  /** For parents: the SIS lists this parent first in the family (lowest family order). */
  readonly listedFirst?: boolean | undefined;
  /** For parents: the SIS family order (lower is listed earlier). */
  readonly parentOrder?: number | undefined;
  /** For parents: whether the parent has custody. */
  readonly custody?: boolean | undefined;
}

/** One person as the SIS gives them, normalised by a roster-source adapter. */
export interface SourcePerson {
  /** The SIS id of the person (FACTS `personId`), stable across years. */
  readonly sourceId: string;
  readonly role: Role;
  readonly firstName: string;
  readonly lastName: string;
  /** The email exactly as the SIS holds it; `null` or `""` when missing. Normalised by R1. */
  readonly email: string | null;
  /** The code of the school the person belongs to. */
  readonly schoolCode: string;
  /** Students: the school's grade code, compared as a string ("08", not 8). */
  readonly gradeLevel?: string | null | undefined;
  readonly status: PersonStatus;
  /** Birth date as `YYYY-MM-DD`, when the SIS has it (used to suggest merges, R6). */
  readonly birthDate?: string | null | undefined;
  /** Family memberships, with parent-specific details. */
  readonly families: readonly FamilyLink[];
  /** Parents: the `sourceId`s of their children. Empty for students. */
  readonly studentIds: readonly string[];
  /** Every other attribute and user-defined field, by source field name. */
  readonly fields: Readonly<Record<string, string | null>>;
}

/** One account in the host app (the target directory). */
export interface Account {
  readonly accountId: string;
  /** The account's email (unique in the host). */
  readonly email: string;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
  /** Birth date as `YYYY-MM-DD`, when the host knows it (used to suggest merges, R6). */
  readonly birthDate?: string | null | undefined;
  /** The SIS person this account is linked to, if any. */
  readonly sourceId?: string | undefined;
  /** Soft-deleted: kept with its history, restorable. */
  readonly archived: boolean;
  /** Created or linked by a sync. Unmanaged accounts are never archived (R7). */
  readonly managed: boolean;
  /** Parents: the group the host uses for family milestones (R9). */
  readonly familyGroupId?: string | undefined;
  /** Profile fields by target field name. */
  readonly fields: Readonly<Record<string, string | null>>;
  /** The person never signed in (R13). */
  readonly neverAccessed: boolean;
}

/** How a source field is written to a target field. */
export interface FieldMapping {
  /**
   * Source field name: a key of {@link SourcePerson.fields} (SIS attribute or UDF), or one of the built-in
   * attributes `gradeLevel`, `schoolCode`, `birthDate` (a key of `fields` with the same name wins).
   */
  readonly source: string;
  /** Target field name in the host app. */
  readonly target: string;
  /** When the target field does not exist yet, create it as this kind (R8). Default `text`. */
  readonly createAs?: "text" | "dropdown" | undefined;
}

/** A field that exists in the host app's profile. */
export interface TargetField {
  readonly name: string;
  readonly kind: "text" | "dropdown";
  /** Dropdown options, when `kind` is `dropdown`. */
  readonly options?: readonly string[] | undefined;
}

/** Safety thresholds (R10). Ratios are fractions: `0.1` is 10%. */
export interface Thresholds {
  /** Hold when archives exceed this share of managed accounts… */
  readonly archiveRatio: number;
  /** …and exceed this absolute number. */
  readonly archiveMin: number;
  /** Hold when updates exceed this share of managed accounts. */
  readonly updateRatio: number;
  /** Hold when the source shrank by more than this share since the last successful run. */
  readonly sourceShrink: number;
  /**
   * Hold when one slice (a school; for students also a grade of a school) loses more than this share:
   * archived of its managed accounts, or gone from its in-scope people since the last run. Counts only
   * beyond `archiveMin` people (see docs/safety-holds.md).
   */
  readonly sliceShrink: number;
}

/**
 * The defaults of R10: more than 10% and more than 5 archives, 75% updates, 20% shrink of the source or
 * of the directory, 80% of a slice.
 */
export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({
  archiveRatio: 0.1,
  archiveMin: 5,
  updateRatio: 0.75,
  sourceShrink: 0.2,
  sliceShrink: 0.8,
});

/** Which parents a parents profile keeps (R2). */
export interface ParentSubset {
  /** Relationships to keep, compared case-insensitively ("mother", "father"…). Empty or absent: all. */
  readonly relationships?: readonly string[] | undefined;
  /** Keep only the first-listed parent of each family. */
  readonly listedFirstOnly?: boolean | undefined;
}

/** Hours write-back settings (docs/hours.md). */
export interface HoursSyncSetting {
  readonly enabled: boolean;
  /** Historic hours were imported from the SIS before write-back was switched on. */
  readonly historicImportDone: boolean;
  /**
   * ISO 8601: when write-back was last switched on. Set by sync on every path that switches it on (a value
   * passed in is ignored); the push sends only hours logged from then on, older ones go through
   * `backfillHours`. Absent on setups switched on before it existed: no limit.
   */
  readonly enabledAt?: string | undefined;
}

/** The setup a school keeps between syncs. */
export interface SyncProfile {
  /** Students or parents; one role per profile. */
  readonly role: Role;
  /** School codes in scope. */
  readonly schools: readonly string[];
  /** Grade codes in scope (students). */
  readonly gradeLevels: readonly string[];
  readonly parentSubset?: ParentSubset | undefined;
  readonly fieldMap: readonly FieldMapping[];
  /** Selection given to people seen for the first time (R4). */
  readonly defaultSelection: boolean;
  readonly hoursSync: HoursSyncSetting;
  /** Missing keys fall back to {@link DEFAULT_THRESHOLDS}. */
  readonly thresholds?: Partial<Thresholds> | undefined;
  /** SIS family id → host family group id (R9). */
  readonly familyOverrides?: Readonly<Record<string, string>> | undefined;
}

/** An admin's resolution of one duplicate-email group (R3). */
export interface DuplicateResolution {
  /** The member chosen for import. */
  readonly chosen: string;
  /** The group's members (sorted `sourceId`s) when the resolution was made; a change makes it stale. */
  readonly members: readonly string[];
}

/** The admin's choices, persisted between syncs and keyed by stable ids. */
export interface Decisions {
  /** `sourceId` → selected. People absent here are new and get the profile's default (R4). */
  readonly selections: Readonly<Record<string, boolean>>;
  /** Normalised email → resolution (R3). */
  readonly duplicates: Readonly<Record<string, DuplicateResolution>>;
  /** `sourceId` → `accountId`: link this person to that account (R6). */
  readonly merges: Readonly<Record<string, string>>;
  /** `sourceId`s the admin already saw in scope in an earlier sync (R5); out-of-scope rows never count. */
  readonly reviewed: readonly string[];
  /** Plan hashes whose holds the admin acknowledged (R10). */
  readonly acknowledgedHolds: readonly string[];
  /** Error fingerprints present in the last reviewed report (R5 "only new errors"). */
  readonly reviewedErrors?: readonly string[] | undefined;
  /**
   * `sourceId`s the last reviewed report showed in scope with a data error (replaced at each review): one
   * of them without that error now is marked `isFixed` and shown with the new users (R5).
   */
  readonly reviewedWithErrors?: readonly string[] | undefined;
}

/** Empty decisions, for a school's first sync. */
export const EMPTY_DECISIONS: Decisions = Object.freeze({
  selections: {},
  duplicates: {},
  merges: {},
  reviewed: [],
  acknowledgedHolds: [],
});

/** What is remembered of the previous successful run (for R5 and R10). */
export interface LastRun {
  /** Number of people the source returned then. */
  readonly sourceCount: number;
  /** Error fingerprints of that run's review. */
  readonly errorFingerprints: readonly string[];
  /** When it finished (ISO 8601). */
  readonly finishedAt?: string | undefined;
  /** The plan hash that was applied. */
  readonly planHash?: string | undefined;
  /**
   * The profile's own managed accounts once that run finished: managed, not archived, linked, and not
   * of the other role (see `SyncPlan.managedCount`). A much smaller count now is a `directory-shrink`
   * hold (R10). Absent for runs saved before it existed.
   */
  readonly managedCount?: number | undefined;
  /** The profile's in-scope people then (see `SyncPlan.inScopeCount`): compared by `source-shrink`. */
  readonly inScopeCount?: number | undefined;
  /**
   * In-scope people then, per slice (see `SyncPlan.inScopeSlices`): a slice that has (almost) nobody
   * now is a `slice-shrink` hold.
   */
  readonly inScopeSlices?: Readonly<Record<string, number>> | undefined;
}

/** Anything that can be stored as JSON. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Why a person is excluded, skipped or out of scope, or why an action was planned. */
export const REASONS = [
  // exclusions (data errors, R1 R3 R8)
  "missing-email",
  "invalid-email",
  "duplicate-unresolved",
  "duplicate-other-selected",
  "email-in-use",
  // choices (R4)
  "unselected",
  // scope (R2)
  "wrong-role",
  "school-not-selected",
  "grade-not-selected",
  "not-enrolled",
  "no-child-in-scope",
  "relationship-not-selected",
  "not-listed-first",
  // plan explanations (R6 R7 R8)
  "new-person",
  "linked",
  "manual-merge",
  "email-match",
  "fields-changed",
  "returning",
  "gone-from-source",
  "out-of-scope",
  "excluded-linked",
  "skipped-linked",
  "field-missing",
  // merging after the fact (R6): the duplicate account is archived into the chosen one
  "merged",
] as const;
/** A reason code; see {@link REASONS}. */
export type Reason = (typeof REASONS)[number];

/** Exclusion reasons: data errors that an admin fixes in the SIS. */
export const EXCLUSION_REASONS = [
  "missing-email",
  "invalid-email",
  "duplicate-unresolved",
  "duplicate-other-selected",
  "email-in-use",
] as const satisfies readonly Reason[];

/** Review flags (R3): red needs attention, gray was resolved. */
export const FLAGS = ["red", "gray"] as const;
/** A review flag. */
export type Flag = (typeof FLAGS)[number];

/** Where a person lands in the review. Exactly one per person. */
export const REVIEW_STATUSES = ["importable", "excluded", "skipped", "out-of-scope"] as const;
/** A person's review status. */
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** One person's line in the review. */
export interface ReviewRow {
  readonly sourceId: string;
  readonly role: Role;
  readonly firstName: string;
  readonly lastName: string;
  /** Normalised email (R1), or `null` when missing or invalid. */
  readonly email: string | null;
  /** The email as the SIS holds it. */
  readonly rawEmail: string | null;
  readonly schoolCode: string;
  readonly gradeLevel: string | null;
  readonly familyIds: readonly string[];
  readonly status: ReviewStatus;
  readonly reasons: readonly Reason[];
  readonly flag: Flag | null;
  /** The effective selection (decision, or the profile default for new people). */
  readonly selected: boolean;
  /** Not reviewed in an earlier sync (R5). */
  readonly isNew: boolean;
  /** Reviewed before, shown because a new parent shares the family (R5). */
  readonly isFamilyContext: boolean;
  /**
   * Seen in scope with a data error at the last review, and in scope without it now (an email added or
   * corrected in the SIS): shown with the new users so that the admin revisits the selection (R5).
   */
  readonly isFixed: boolean;
  /** Parents: the in-scope child that puts this parent in scope (R2); `null` otherwise. */
  readonly scopeChildId: string | null;
  /** For excluded rows: the error's fingerprint (reason + ids). */
  readonly errorFingerprint: string | null;
  /** The error was not in the last reviewed report (R5). */
  readonly isNewError: boolean;
}

/** The numbers at the top of the review page. */
export interface ReviewTotals {
  readonly people: number;
  readonly importable: number;
  readonly excluded: number;
  readonly skipped: number;
  readonly outOfScope: number;
  readonly duplicatesRed: number;
  readonly duplicatesGray: number;
  readonly missingEmails: number;
  readonly invalidEmails: number;
  readonly newPeople: number;
  /** In-scope people whose data error was fixed since the last review (R5). */
  readonly fixedPeople: number;
  readonly newErrors: number;
  /** Users to sync: selected and importable. */
  readonly toSync: number;
  /** Users to skip: in scope and unselected. */
  readonly toSkip: number;
  /** Users to exclude: in scope with a data error. */
  readonly toExclude: number;
}

/** One duplicate-email group (R3). */
export interface DuplicateGroup {
  readonly email: string;
  readonly members: readonly string[];
  readonly chosen: string | null;
  /** A resolution exists but the members changed since it was made. */
  readonly stale: boolean;
  readonly flag: Flag;
}

/** The review of a source snapshot against the school's setup and decisions. */
export interface ReviewReport {
  readonly role: Role;
  readonly rows: readonly ReviewRow[];
  readonly totals: ReviewTotals;
  readonly duplicateGroups: readonly DuplicateGroup[];
  /** Fingerprints of every error in this report (store them as the next run's `lastRun`). */
  readonly errorFingerprints: readonly string[];
  /**
   * The filter a review page opens on (R5): `{}` (everything) on a school's first review; on a re-sync,
   * `{ needsReview: true }`: the new users (new, family context, fixed) and the new errors.
   */
  readonly openOn: RowFilter;
}

/** One field's change in an update (R8). */
export interface FieldChange {
  /** Target field name; `email` and `familyGroupId` are fields too. */
  readonly field: string;
  readonly from: string | null;
  readonly to: string | null;
}

/** What a new account is created with. */
export interface NewAccount {
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly sourceId: string;
  readonly familyGroupId?: string | undefined;
  readonly fields: Readonly<Record<string, string | null>>;
}

/** Kinds of plan action. */
export const ACTION_TYPES = ["createField", "add", "link", "update", "restore", "archive", "skip"] as const;
/** A plan action's kind. */
export type ActionType = (typeof ACTION_TYPES)[number];

interface ActionBase {
  /** Stable id of the action within its plan (`type:key`), used by the journal. */
  readonly actionId: string;
  readonly reasons: readonly Reason[];
}
/** Create a missing target field before any account uses it (R8). */
export interface CreateFieldAction extends ActionBase {
  readonly type: "createField";
  readonly field: TargetField;
}
/** Create a new account for a person (R6). */
export interface AddAction extends ActionBase {
  readonly type: "add";
  readonly sourceId: string;
  readonly account: NewAccount;
}
/** Link an existing account to a person and write mapped fields; the account keeps its hours (R6). */
export interface LinkAction extends ActionBase {
  readonly type: "link";
  readonly sourceId: string;
  readonly accountId: string;
  readonly changes: readonly FieldChange[];
  /**
   * The account is archived and was never synced (a same-email account the host retired): unarchive it
   * too, so that the person gets it back with its hours (R6).
   */
  readonly restore?: true | undefined;
}
/** Write changed mapped fields to a linked account (R8). */
export interface UpdateAction extends ActionBase {
  readonly type: "update";
  readonly sourceId: string;
  readonly accountId: string;
  readonly changes: readonly FieldChange[];
}
/** Unarchive a linked account and write changed fields (R6, R7). */
export interface RestoreAction extends ActionBase {
  readonly type: "restore";
  readonly sourceId: string;
  readonly accountId: string;
  readonly changes: readonly FieldChange[];
}
/**
 * Soft-delete a managed account whose person left the scope or the source (R7), or, with `mergedInto`,
 * a duplicate account merged after the fact into the account the admin chose (R6, reason `merged`).
 */
export interface ArchiveAction extends ActionBase {
  readonly type: "archive";
  readonly accountId: string;
  readonly sourceId: string | null;
  /** A merge after the fact: the account that takes this one's person and hours (`TargetDirectory.mergeAccounts`). */
  readonly mergedInto?: string | undefined;
}
/** Leave a person (and their account, if any) untouched, with the reason (R4, R7). */
export interface SkipAction extends ActionBase {
  readonly type: "skip";
  readonly sourceId: string;
  readonly accountId: string | null;
}
/** One explained step of a plan. */
export type PlanAction =
  | CreateFieldAction
  | AddAction
  | LinkAction
  | UpdateAction
  | RestoreAction
  | ArchiveAction
  | SkipAction;

/** Why a plan is held (R10). */
export const HOLD_TYPES = [
  "archive-threshold",
  "update-threshold",
  "source-shrink",
  "slice-shrink",
  "directory-shrink",
] as const;
/** A hold's kind. */
export type HoldType = (typeof HOLD_TYPES)[number];
/** A safety hold: applying the plan needs an acknowledgement of its hash (R10). */
export interface Hold {
  readonly type: HoldType;
  readonly message: string;
  /** What was observed (count or ratio). */
  readonly observed: number;
  /** The limit it crossed. */
  readonly limit: number;
}

/** Action counts, as the pending-tasks page shows them. */
export interface PlanCounts {
  readonly add: number;
  readonly link: number;
  readonly update: number;
  readonly restore: number;
  readonly archive: number;
  readonly skip: number;
  readonly createField: number;
}

/** An explained, safety-checked plan. Apply it with `@rostersync/sync`. */
export interface SyncPlan {
  readonly role: Role;
  /** Digest of source, accounts, decisions and profile (R11). */
  readonly planHash: string;
  /** Digest of the profile alone (a plan from another profile is refused). */
  readonly profileHash: string;
  /**
   * Ordered: createField, archives of duplicates merged after the fact (`merged`), then
   * add/link/update/restore, archive, skip.
   */
  readonly actions: readonly PlanAction[];
  readonly counts: PlanCounts;
  readonly holds: readonly Hold[];
  /** Target fields nothing maps: the host asks new users for them at first sign-in (R8). */
  readonly askAtFirstLogin: readonly string[];
  readonly sourceCount: number;
  readonly accountCount: number;
  /**
   * The profile's own managed accounts once this plan is applied (managed, not archived, linked, not of
   * the other role; plus adds, links and restores, minus archives): save it as `LastRun.managedCount`.
   */
  readonly managedCount?: number | undefined;
  /** People in the profile's scope (importable, excluded or skipped): save it as `LastRun.inScopeCount`. */
  readonly inScopeCount?: number | undefined;
  /**
   * In-scope people per slice (keys `school:<code>` and, for students, `grade:<code>/<grade>`): save it
   * as `LastRun.inScopeSlices`.
   */
  readonly inScopeSlices?: Readonly<Record<string, number>> | undefined;
}

/** What `review` and `plan` take. */
export interface PlanInput {
  readonly people: readonly SourcePerson[];
  readonly accounts: readonly Account[];
  readonly profile: SyncProfile;
  readonly decisions: Decisions;
  readonly lastRun?: LastRun | null | undefined;
  /** Fields the host already has (R8). Absent: every mapped target is assumed to exist. */
  readonly targetFields?: readonly TargetField[] | undefined;
}
