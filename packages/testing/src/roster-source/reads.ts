import { PERSON_STATUSES, ROLES } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { must } from "../results.js";
import type { RosterSourceSuiteContext } from "./context.js";

/** The full read: a normalised, consistent snapshot, the same on every read, progress and cancellation. */
export function readTests(ctx: RosterSourceSuiteContext): void {
  describe("read", () => {
    it("reads people normalised to SourcePerson: unique ids, a role, a status, names, fields", async () => {
      const snapshot = await must(ctx.source().read());
      const roles = new Set(snapshot.people.map((p) => p.role));
      expect(roles).toEqual(new Set(["student", "parent"]));
      expect(new Set(snapshot.people.map((p) => p.sourceId)).size).toBe(snapshot.people.length);
      for (const person of snapshot.people) {
        expect(typeof person.sourceId).toBe("string");
        expect(person.sourceId.length).toBeGreaterThan(0);
        expect(ROLES).toContain(person.role);
        expect(PERSON_STATUSES).toContain(person.status);
        expect(typeof person.firstName).toBe("string");
        expect(typeof person.lastName).toBe("string");
        expect(typeof person.fields).toBe("object");
      }
    });

    it("lists the schools and grade levels its people are in", async () => {
      const snapshot = await must(ctx.source().read());
      expect(new Set(snapshot.schools.map((s) => s.schoolCode)).size).toBe(snapshot.schools.length);
      const schools = new Set(snapshot.schools.map((s) => s.schoolCode));
      for (const person of snapshot.people) {
        if (person.schoolCode) expect(schools).toContain(person.schoolCode);
      }
      for (const grade of snapshot.gradeLevels) {
        expect(typeof grade.code).toBe("string");
        expect(Number.isFinite(grade.sortOrder)).toBe(true);
        expect(typeof grade.final).toBe("boolean");
      }
    });

    it("links families both ways: a parent's children are students of the roster", async () => {
      const snapshot = await must(ctx.source().read());
      const students = new Set(snapshot.people.filter((p) => p.role === "student").map((p) => p.sourceId));
      for (const parent of snapshot.people.filter((p) => p.role === "parent")) {
        for (const child of parent.studentIds) expect(students).toContain(child);
      }
    });

    it("reads the same roster twice the same", async () => {
      const ids = async () => (await must(ctx.source().read())).people.map((p) => p.sourceId).sort();
      expect(await ids()).toEqual(await ids());
    });

    it("reports progress with counts that only grow", async () => {
      const seen: { requests: number; records: number }[] = [];
      await must(ctx.source().read({ onProgress: (p) => seen.push({ requests: p.requests, records: p.records }) }));
      expect(seen.length).toBeGreaterThan(0);
      for (const [i, p] of seen.entries()) {
        expect(p.requests).toBeGreaterThanOrEqual(seen[i - 1]?.requests ?? 0);
        expect(p.records).toBeGreaterThanOrEqual(seen[i - 1]?.records ?? 0);
      }
    });

    it("fails a read whose signal is already aborted, with a readable error", async () => {
      const controller = new AbortController();
      controller.abort();
      const result = await ctx.source().read({ signal: controller.signal });
      expect(result.isErr()).toBe(true);
      if (result.isErr()) expect(result.error.message.length).toBeGreaterThan(0);
    });
  });
}
