/**
 * R10's counts of a plan: the profile's own managed accounts, its in-scope people, and both per slice (a
 * school; for students also a grade of a school). `plan` hands them to `holdsFor` and returns the ones a
 * host saves as the next `LastRun` (docs/safety-holds.md).
 *
 * @internal
 * @module
 */

import { type Analysis, OUT_OF_SCOPE } from "./analysis.js";
import { gradeSlice, type SliceFacts, schoolSlice } from "./safety.js";
import type { Account, SourcePerson } from "./types.js";

/** What {@link safetyCounts} finds. @internal */
export interface SafetyCounts {
  /** Managed, not archived, linked accounts not linked to a person of the other role. */
  readonly own: number;
  /** Every managed account that is not archived. */
  readonly all: number;
  readonly inScope: number;
  readonly inScopeSlices: Record<string, number>;
  readonly slices: SliceFacts[];
}

/**
 * Count a finished analysis, given which accounts the plan archives (1 per archived position).
 * @internal
 */
export function safetyCounts(a: Analysis, archivedNow: Uint8Array): SafetyCounts {
  const { people, accounts, status } = a;
  const role = a.input.profile.role;
  const byGrade = role === "student";
  const n = people.length;
  const keys: string[] = [];
  const schools = new Map<string, number>();
  const grades = new Map<string, Map<string | null, number>>();
  const scoped: number[] = [];
  const managed: number[] = [];
  const archived: number[] = [];
  const slice = (key: string): number => {
    keys.push(key);
    scoped.push(0);
    managed.push(0);
    archived.push(0);
    return keys.length - 1;
  };
  const schoolOf = new Int32Array(n).fill(-1);
  const gradeOf = byGrade ? new Int32Array(n).fill(-1) : null;
  let inScope = 0;
  for (let i = 0; i < n; i++) {
    const p = people[i] as SourcePerson;
    if (p.role !== role) continue;
    const code = p.schoolCode;
    let s = schools.get(code);
    if (s === undefined) {
      s = slice(schoolSlice(code));
      schools.set(code, s);
    }
    schoolOf[i] = s;
    let g = -1;
    if (gradeOf !== null) {
      let inSchool = grades.get(code);
      if (inSchool === undefined) {
        inSchool = new Map();
        grades.set(code, inSchool);
      }
      const grade = p.gradeLevel ?? null;
      const known = inSchool.get(grade);
      g = known ?? slice(gradeSlice(code, grade));
      if (known === undefined) inSchool.set(grade, g);
      gradeOf[i] = g;
    }
    if (status[i] !== OUT_OF_SCOPE) {
      inScope++;
      scoped[s] = (scoped[s] as number) + 1;
      if (g >= 0) scoped[g] = (scoped[g] as number) + 1;
    }
  }
  let own = 0;
  let all = 0;
  for (let j = 0; j < accounts.length; j++) {
    const account = accounts[j] as Account;
    if (!account.managed || account.archived) continue;
    all++;
    if (account.sourceId === undefined) continue;
    const pi = a.accountPerson[j] as number;
    if (pi >= 0 && (people[pi] as SourcePerson).role !== role) continue;
    own++;
    if (pi < 0) continue;
    const gone = archivedNow[j] as number;
    const s = schoolOf[pi] as number;
    managed[s] = (managed[s] as number) + 1;
    archived[s] = (archived[s] as number) + gone;
    if (gradeOf !== null) {
      const g = gradeOf[pi] as number;
      managed[g] = (managed[g] as number) + 1;
      archived[g] = (archived[g] as number) + gone;
    }
  }
  const inScopeSlices: Record<string, number> = {};
  const slices: SliceFacts[] = [];
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    if ((scoped[k] as number) > 0) inScopeSlices[key] = scoped[k] as number;
    if ((managed[k] as number) > 0)
      slices.push({ key, managed: managed[k] as number, archived: archived[k] as number });
  }
  return { own, all, inScope, inScopeSlices, slices };
}
