import type {
  AuditRecord,
  Decisions,
  HoursLedgerEntry,
  JournalEntry,
  RunRecord,
  SyncProfile,
  SyncStore,
} from "@rostersync/core";
import { useAdapter } from "../lifecycle.js";

/** Opens a fresh, empty store. Called once per test; the suite closes what it opens. */
export type MakeStore = () => SyncStore | Promise<SyncStore>;

/** Tuning for {@link runStoreConformance}. */
export interface ConformanceOptions {
  /**
   * Opens a second handle on the same backend as `store` (same file, same database and schema), for the
   * cross-instance tests. Absent: those tests reuse the one store (right for in-memory stores).
   */
  readonly reopen?: ((store: SyncStore) => SyncStore | Promise<SyncStore>) | undefined;
  /** Entries in the large-decisions test (default 1,000,000). */
  readonly largeEntries?: number | undefined;
  /** Parallel writers in the racing tests (default 8). */
  readonly writers?: number | undefined;
  /** Per-test timeout in milliseconds (default 300,000: a hang guard; the large-value tests need time on slow disks and loaded machines). */
  readonly timeoutMs?: number | undefined;
}

/** What every concern file receives. */
export interface SuiteContext {
  readonly options: {
    readonly largeEntries: number;
    readonly writers: number;
    readonly timeoutMs: number;
    readonly reopen: ConformanceOptions["reopen"];
  };
  /** The store of the running test (opened in `beforeEach`, closed in `afterEach`). */
  store(): SyncStore;
  /** Opens another handle on the same backend (see {@link ConformanceOptions.reopen}), closed after the test. */
  open(): Promise<SyncStore>;
}

/** Registers the per-test store lifecycle in the current `describe` and returns the context. */
export function useStore(makeStore: MakeStore, options: SuiteContext["options"]): SuiteContext {
  const extra: SyncStore[] = [];
  // Every other handle the test opened closes first, then the test's store.
  const store = useAdapter("store", makeStore, async (current: SyncStore) => {
    await Promise.all(extra.splice(0).map((other) => other.close()));
    await current.close();
  });
  return {
    options,
    store,
    open: async () => {
      const current = store();
      if (!options.reopen) return current;
      const other = await options.reopen(current);
      extra.push(other);
      return other;
    },
  };
}

// `must` and `fails` are the ones every port suite uses (any tagged error, a store's included).
export { fails, must, type TaggedError } from "../results.js";

/** A students profile with one of everything. */
export function sampleProfile(overrides: Partial<SyncProfile> = {}): SyncProfile {
  return {
    role: "student",
    schools: ["MAIN", "ANNEX"],
    gradeLevels: ["06", "07", "08"],
    fieldMap: [
      { source: "homeroom", target: "Homeroom", createAs: "dropdown" },
      { source: "udf:tshirt", target: "T-shirt size" },
    ],
    defaultSelection: true,
    hoursSync: { enabled: false, historicImportDone: false },
    thresholds: { archiveRatio: 0.2 },
    familyOverrides: { F1: "G1" },
    ...overrides,
  };
}

/** Decisions with one of everything. */
export function sampleDecisions(overrides: Partial<Decisions> = {}): Decisions {
  return {
    selections: { p1: true, p2: false },
    duplicates: { "pat@example.org": { chosen: "p1", members: ["p1", "p3"] } },
    merges: { p4: "acct-9" },
    reviewed: ["p1", "p2"],
    acknowledgedHolds: ["hash-1"],
    reviewedErrors: ["missing-email:p5"],
    ...overrides,
  };
}

/** A running run with a small plan. */
export function sampleRun(runId: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    runId,
    planHash: `plan-${runId}`,
    profileHash: "profile-1",
    status: "running",
    startedAt: "2026-09-01T08:00:00.000Z",
    actor: "admin@example.org",
    totalActions: 2,
    plan: { actions: [{ actionId: "add:p1" }, { actionId: "archive:a2" }] },
    ...overrides,
  };
}

/** Journal lines `from..to` (inclusive): intents on odd seqs, outcomes on even. */
export function journalLines(from: number, to: number): JournalEntry[] {
  const lines: JournalEntry[] = [];
  for (let seq = from; seq <= to; seq++) {
    const actionId = `add:p${Math.ceil(seq / 2)}`;
    lines.push(
      seq % 2 === 1
        ? { seq, actionId, phase: "intent", at: "2026-09-01T08:00:01.000Z" }
        : {
            seq,
            actionId,
            phase: "outcome",
            at: "2026-09-01T08:00:02.000Z",
            outcome: "done",
            result: { accountId: `acct-${seq}` },
          },
    );
  }
  return lines;
}

/** An audit record for `runId`. */
export function sampleAudit(auditId: string, at: string, runId = "run-1"): AuditRecord {
  return {
    auditId,
    runId,
    at,
    actor: "admin@example.org",
    planHash: "plan-1",
    status: "completed",
    counts: { add: 1, archive: 1 },
    outcomes: { "add:p1": "done", "archive:a2": "failed: NotFound" },
  };
}

/** An hours-ledger entry. */
export function sampleHour(hourId: string, overrides: Partial<HoursLedgerEntry> = {}): HoursLedgerEntry {
  return {
    hourId,
    serviceHoursId: `sh-${hourId}`,
    personId: "p1",
    role: "parent",
    fingerprint: `fp-${hourId}`,
    origin: "host",
    state: "synced",
    updatedAt: "2026-09-02T10:00:00.000Z",
    ...overrides,
  };
}

/** Sorts rows by a string key, for comparing results the port returns in no particular order. */
export function byKey<T>(rows: readonly T[], key: (row: T) => string): T[] {
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
