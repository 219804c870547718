import { describe, expect, it } from "vitest";
import { journalLines, must, type SuiteContext, sampleDecisions, sampleProfile, sampleRun } from "./context.js";

/** Strings that break naive encoders: combining marks, astral symbols, RTL, controls, quotes. */
export const AWKWARD_STRINGS: readonly string[] = [
  "Zoë Ñúñez-Łukasiewicz",
  "e\u0301",
  "王小明",
  "😀👨‍👩‍👧‍👦",
  "مرحبا",
  "line\nbreak\ttab\r\n",
  "nul\u0000inside",
  "lone \ud800 surrogate",
  "quote \" back\\slash ' apostrophe",
  "\u2028\u2029",
  "",
];

/** Large values and every kind of string survive a round-trip. */
export function valueTests(ctx: SuiteContext): void {
  const t = "school-1";

  describe("values", () => {
    it(
      "round-trips a decisions object with a very large selection map",
      async () => {
        const store = ctx.store();
        const selections: Record<string, boolean> = {};
        const n = ctx.options.largeEntries;
        for (let i = 0; i < n; i++) selections[`person-${i}`] = i % 7 !== 0;
        const reviewed = Array.from({ length: Math.min(n, 100_000) }, (_, i) => `person-${i}`);
        const decisions = sampleDecisions({ selections, reviewed });
        expect(await must(store.saveDecisions(t, decisions, null))).toBe(1);
        const read = await must(store.getDecisions(t));
        expect(read?.version).toBe(1);
        expect(Object.keys(read?.value.selections ?? {})).toHaveLength(n);
        expect(read?.value.selections[`person-${n - 1}`]).toBe((n - 1) % 7 !== 0);
        expect(read?.value.selections["person-0"]).toBe(false);
        expect(read?.value.reviewed).toEqual(reviewed);
        expect(await must(store.saveDecisions(t, decisions, 1))).toBe(2);
      },
      ctx.options.timeoutMs,
    );

    it(
      "appends a 10,000-line journal batch and a large plan",
      async () => {
        const store = ctx.store();
        const actions = Array.from({ length: 50_000 }, (_, i) => ({ actionId: `add:p${i}`, reasons: ["new-person"] }));
        await must(store.createRun(t, sampleRun("big", { plan: { actions }, totalActions: actions.length })));
        await must(store.appendJournal(t, "big", journalLines(1, 10_000)));
        const journal = await must(store.readJournal(t, "big"));
        expect(journal).toHaveLength(10_000);
        expect(journal[9_999]).toEqual(journalLines(10_000, 10_000)[0]);
        expect((await must(store.getRun(t, "big")))?.plan).toEqual({ actions });
      },
      ctx.options.timeoutMs,
    );

    it("round-trips awkward Unicode and control characters in every text position", async () => {
      const store = ctx.store();
      const fields = Object.fromEntries(AWKWARD_STRINGS.map((s, i) => [`k${i}:${s}`, s]));
      const profile = sampleProfile({ schools: [...AWKWARD_STRINGS], familyOverrides: fields });
      await must(store.saveProfile(t, profile, null));
      expect((await must(store.getProfile(t)))?.value).toEqual(profile);
      const decisions = sampleDecisions({ merges: fields, reviewed: [...AWKWARD_STRINGS] });
      await must(store.saveDecisions(t, decisions, null));
      expect((await must(store.getDecisions(t)))?.value).toEqual(decisions);
      await must(store.createRun(t, sampleRun("ünï-😀", { actor: AWKWARD_STRINGS.join("|") })));
      await must(
        store.appendJournal(
          t,
          "ünï-😀",
          AWKWARD_STRINGS.map((s, i) => ({ seq: i, actionId: s, phase: "intent" as const, at: s })),
        ),
      );
      expect((await must(store.readJournal(t, "ünï-😀"))).map((e) => e.actionId)).toEqual(AWKWARD_STRINGS);
      expect((await must(store.getRun(t, "ünï-😀")))?.actor).toBe(AWKWARD_STRINGS.join("|"));
      await must(store.setWatermark(t, "学校/😀", AWKWARD_STRINGS.join("")));
      expect(await must(store.getWatermark(t, "学校/😀"))).toBe(AWKWARD_STRINGS.join(""));
    });

    it("keeps numbers, nulls, nesting and key order of JSON values", async () => {
      const store = ctx.store();
      const plan = { z: 1, a: [0, -1.5, 1e21, null, true, { nested: { deeper: ["x"] } }], m: "", n: null };
      await must(store.createRun(t, sampleRun("json", { plan })));
      const read = await must(store.getRun(t, "json"));
      expect(read?.plan).toEqual(plan);
      expect(Object.keys((read?.plan ?? {}) as object)).toEqual(["z", "a", "m", "n"]);
    });
  });
}
