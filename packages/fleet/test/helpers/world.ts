// What the fleet test's processes agree on: the schools, their FACTS keys, the profile, the windows.
// Plain erasable TypeScript: the worker processes run it with node as it is.
import type { SyncProfile } from "@rostersync/core";
import { FACTS_GRADE_CODES } from "@rostersync/facts/testing";

/** The one subscription key every school's requests count against. */
export const SUBSCRIPTION_KEY = "fleet-test-subscription-key";
/** Each school's own API key; the gateway routes by it. */
export const apiKeyOf = (tenantId: string) => `api-key-${tenantId}`;

/** The store schema (SyncStore) and the fleet's schema. */
export const STORE_SCHEMA = "fleet_test_store";
export const FLEET_SCHEMA = "fleet_test";

/** FACTS's windows (100 a minute, 10 a second) scaled down so the test is quick, same shape. */
export const TEST_WINDOWS = [
  { requests: Number(process.env.RS_FLEET_LIMIT ?? 100), windowMs: 1000 },
  { requests: Math.max(1, Math.round(Number(process.env.RS_FLEET_LIMIT ?? 100) / 8)), windowMs: 100 },
];

/** A students profile of the simulator's MAIN school: every grade selected, hours write-back off. */
export const studentProfile = (fieldMap: SyncProfile["fieldMap"] = []): SyncProfile => ({
  role: "student",
  schools: ["MAIN"],
  gradeLevels: [...FACTS_GRADE_CODES],
  fieldMap,
  defaultSelection: true,
  hoursSync: { enabled: false, historicImportDone: false },
});

/** The profile every school's admin saves. */
export const PROFILE: SyncProfile = studentProfile([{ source: "nextGradeLevel", target: "Next Grade" }]);

/** `count` school ids: school-001 … */
export const schoolIds = (count: number) =>
  Array.from({ length: count }, (_, i) => `school-${String(i + 1).padStart(3, "0")}`);

/** What a worker tells the test. */
export type WorkerEvent =
  | { readonly type: "ready"; readonly worker: string }
  | { readonly type: "write"; readonly worker: string; readonly school: string; readonly created: boolean }
  | { readonly type: "crashing"; readonly worker: string; readonly school: string; readonly created: number }
  | {
      readonly type: "job";
      readonly worker: string;
      readonly school: string;
      readonly kind: string;
      readonly did: string;
      readonly runId: string | null;
      readonly error: string | null;
      readonly retry: boolean;
    };
