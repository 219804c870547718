import { EMPTY_DECISIONS, type LastRun, plan as makePlan, type PlanInput } from "@rostersync/core";
import { generatedProfile, generateSchool } from "@rostersync/core/testing";
import type { Inputs } from "../../src/inputs.js";
import { forHashing } from "../../src/reference.js";

/** A generated school's plan inputs (seeded: the same seed is always the same school). */
export function schoolInput(seed = 11, lastRun: LastRun | null = null): Inputs["input"] {
  const school = generateSchool({ seed, people: 60 });
  return {
    people: school.people,
    accounts: school.accounts,
    profile: generatedProfile(school, "student"),
    decisions: EMPTY_DECISIONS,
    lastRun,
    targetFields: [],
  };
}

/** The inputs of a plan held for a shrunk source (R10): the last run saw far more people. */
export function heldInput(seed = 11): Inputs["input"] {
  return schoolInput(seed, { sourceCount: 100_000, inScopeCount: 100_000, errorFingerprints: [] });
}

/** The hash `sync.plan()` would give these inputs. */
export const hashOf = (input: PlanInput) => makePlan({ ...input, decisions: forHashing(input.decisions) }).planHash;
