import { ROLES, type RosterSource } from "@rostersync/core";
import { describe, expect, type TestContext, it as vitestIt } from "vitest";
import { must } from "../results.js";
import type { RosterSourceSuiteContext } from "./context.js";

/**
 * The optional setup capabilities (docs/adapters.md): `catalogue()` and `checkAccess()`. A source without
 * one skips its tests: `sync` then pays a full read for the catalogue and has no key check.
 */
export function setupTests(ctx: RosterSourceSuiteContext): void {
  describe("catalogue and checkAccess (optional)", () => {
    const it = itWithSetup(ctx);
    it("answers a catalogue that agrees with the roster: its schools, grades in order, user types, fields", async (source, skip) => {
      if (source.catalogue === undefined) return skip("this source has no catalogue");
      const catalogue = await must(source.catalogue());
      const snapshot = await must(source.read());
      const codes = new Set(catalogue.schools.map((s) => s.schoolCode));
      for (const school of snapshot.schools) expect(codes).toContain(school.schoolCode);
      const orders = catalogue.gradeLevels.map((g) => g.sortOrder);
      expect(orders).toEqual([...orders].sort((a, b) => a - b));
      const grades = new Set(catalogue.gradeLevels.map((g) => g.code));
      for (const grade of snapshot.gradeLevels) expect(grades).toContain(grade.code);
      expect(catalogue.userTypes.length).toBeGreaterThan(0);
      for (const type of catalogue.userTypes) expect(ROLES).toContain(type.role);
      expect(new Set(catalogue.fields.map((f) => f.source)).size).toBeGreaterThan(0);
      for (const field of catalogue.fields) {
        expect(field.source.length).toBeGreaterThan(0);
        expect(["builtin", "udf"]).toContain(field.kind);
        // A field no profile can map (a staff UDF) may be listed with no roles, so the admin sees why.
        for (const role of field.roles) expect(ROLES).toContain(role);
      }
      // Built-in fields first, then the user-defined ones.
      const kinds = catalogue.fields.map((f) => f.kind);
      expect(kinds).toEqual([...kinds].sort((a, b) => (a === b ? 0 : a === "builtin" ? -1 : 1)));
    });

    it("answers checkAccess with named permissions, ok exactly when every required one is granted", async (source, skip) => {
      if (source.checkAccess === undefined) return skip("this source has no checkAccess");
      const access = await must(source.checkAccess());
      expect(typeof access.authenticated).toBe("boolean");
      expect(access.permissions.length).toBeGreaterThan(0);
      for (const p of access.permissions) {
        expect(p.name.length).toBeGreaterThan(0);
        expect(p.neededFor.length).toBeGreaterThan(0);
        expect([true, false, "unknown"]).toContain(p.granted);
      }
      expect(access.ok).toBe(access.permissions.every((p) => !p.required || p.granted === true));
    });

    it("fails a catalogue or access check whose signal is already aborted", async (source, skip) => {
      if (source.catalogue === undefined && source.checkAccess === undefined) return skip("no setup capabilities");
      const controller = new AbortController();
      controller.abort();
      if (source.catalogue) expect((await source.catalogue({ signal: controller.signal })).isErr()).toBe(true);
      if (source.checkAccess) expect((await source.checkAccess({ signal: controller.signal })).isErr()).toBe(true);
    });
  });
}

/**
 * `it` for the optional capabilities: the test receives the running test's source and vitest's `skip`, with
 * which it skips itself when the source lacks what it checks.
 */
function itWithSetup(ctx: RosterSourceSuiteContext) {
  return (title: string, body: (source: RosterSource, skip: TestContext["skip"]) => Promise<void>): void => {
    vitestIt(title, ({ skip }) => body(ctx.source(), skip));
  };
}
