// A property: whatever Hero does (record, edit, void, un-void) and however deliveries fail, the SIS ends
// up holding exactly Hero's tardies, and it never receives a tardy twice (a replayed delivery carries the
// same run id, which a receiver treats as the same file).
import {
  createMemoryStore,
  createMemoryTardySource,
  type SyncStore,
  type TardyDelivery,
  type TardyEvent,
} from "@rostersync/core";
import fc from "fast-check";
import { errAsync, okAsync } from "neverthrow";
import { expect, it } from "vitest";
import { runExport } from "../src/index.js";
import { behaviorCodes, bellSchedules, config, edit, schools, tardy } from "./helpers/school.js";

type Step =
  | { readonly op: "record"; readonly id: number; readonly comment: string }
  | { readonly op: "edit"; readonly id: number; readonly comment: string }
  | { readonly op: "void"; readonly id: number }
  | { readonly op: "unvoid"; readonly id: number }
  | { readonly op: "run"; readonly outcome: "ok" | "sink-fails" | "crash-before-ledger" };

const id = fc.integer({ min: 0, max: 5 });
const comment = fc.constantFrom("bus", "bell", "=cmd", null as unknown as string);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant("record" as const), id, comment }),
  fc.record({ op: fc.constant("edit" as const), id, comment }),
  fc.record({ op: fc.constant("void" as const), id }),
  fc.record({ op: fc.constant("unvoid" as const), id }),
  fc.record({
    op: fc.constant("run" as const),
    outcome: fc.constantFrom("ok", "ok", "sink-fails", "crash-before-ledger"),
  }),
);

it("keeps the SIS equal to Hero, sending nothing twice, through failures and crashes", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
      const source = createMemoryTardySource({ schools, behaviorCodes, bellSchedules });
      const store = createMemoryStore();
      let failSink = false;
      let crashLedger = false;
      const flaky: SyncStore = {
        ...store,
        putExportLedger: (...args) => {
          if (!crashLedger) return store.putExportLedger(...args);
          crashLedger = false;
          return errAsync({ type: "Unavailable", message: "crash" });
        },
      };
      // The SIS: comment per tardy, voided or not; run ids already applied (a replayed file is the same file).
      const sis = new Map<string, { comment: string | number | null; voided: boolean }>();
      const applied = new Set<string>();
      const violations: string[] = [];
      const receive = (d: TardyDelivery) => {
        if (applied.has(d.runId)) return;
        applied.add(d.runId);
        for (const r of d.records) {
          const held = sis.get(r.eventId);
          if (r.kind === "new" && held !== undefined && !held.voided) violations.push(`${r.eventId} sent twice`);
          if (r.kind === "correction" && (held === undefined || held.voided))
            violations.push(`${r.eventId} corrected unsent`);
          if (r.kind === "void" && (held === undefined || held.voided)) violations.push(`${r.eventId} voided unsent`);
          sis.set(r.eventId, { comment: r.values.comment ?? null, voided: r.kind === "void" });
        }
      };
      const sink = {
        name: "sis",
        deliver: (d: TardyDelivery) => {
          if (failSink) return errAsync({ type: "Unavailable", message: "SIS down" });
          receive(d);
          return okAsync({ delivered: d.records.length });
        },
      };
      const run = async () =>
        runExport(config(), { now: 0, tenantId: "t", store: flaky, source, sinks: { drop: sink } });
      const get = (n: number) => source.getInstance().tardies.get(`e${n}`);

      for (const s of steps) {
        if (s.op === "record" && get(s.id) === undefined) source.put(tardy(`e${s.id}`, { comment: s.comment }));
        else if (s.op === "edit" && get(s.id)) source.put(edit(get(s.id) as TardyEvent, { comment: s.comment }));
        else if (s.op === "void" && get(s.id)) source.put(edit(get(s.id) as TardyEvent, { status: "voided" }));
        else if (s.op === "unvoid" && get(s.id)) source.put(edit(get(s.id) as TardyEvent, { status: "active" }));
        else if (s.op === "run") {
          failSink = s.outcome === "sink-fails";
          crashLedger = s.outcome === "crash-before-ledger";
          await run();
          failSink = false;
          // A crash is followed by the restart's run before Hero changes again (see the README's note).
          if (s.outcome === "crash-before-ledger") await run();
        }
      }
      await run();
      expect(violations).toEqual([]);
      for (const event of source.getInstance().tardies.values()) {
        const held = sis.get(event.eventId);
        if (event.status === "voided") expect(held === undefined || held.voided).toBe(true);
        else expect(held).toEqual({ comment: event.comment, voided: false });
      }
      // And a run after that sends nothing.
      const before = applied.size;
      await run();
      expect(applied.size).toBe(before);
    }),
    { numRuns: 150 },
  );
});
