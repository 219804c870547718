import { createMemoryHoursSink, type HostHourEntry, type HoursSink } from "@rostersync/core";
import fc from "fast-check";
import { errAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { hostHour, hoursSchool } from "./helpers/hours.js";
import { numberedAccounts, PUSHING_PROFILE } from "./helpers/school.js";

const ACCOUNTS = numberedAccounts(12, { first: 0, sourceBase: 200000 });

type Step =
  | { readonly kind: "put"; readonly hour: number; readonly approved: boolean; readonly hours: number }
  | { readonly kind: "delete"; readonly hour: number }
  | { readonly kind: "push"; readonly loseEvery: number; readonly failBatchAfter: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("put" as const),
    hour: fc.integer({ min: 0, max: 30 }),
    approved: fc.boolean(),
    hours: fc.integer({ min: 1, max: 5 }),
  }),
  fc.record({ kind: fc.constant("delete" as const), hour: fc.integer({ min: 0, max: 30 }) }),
  fc.record({
    kind: fc.constant("push" as const),
    loseEvery: fc.integer({ min: 0, max: 4 }),
    failBatchAfter: fc.integer({ min: -1, max: 6 }),
  }),
);

describe("hours push, exactly once (docs/hours.md)", () => {
  it("leaves the SIS holding exactly the approved, live entries under lost responses and failed batches", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 40 }), async (steps) => {
        let tick = 0;
        let loseEvery = 0;
        let writes = 0;
        const inner = createMemoryHoursSink({
          fault: () =>
            loseEvery > 0 && ++writes % loseEvery === 0
              ? { error: { type: "Timeout", message: "answer lost" }, afterWrite: true }
              : null,
        });
        let failBatchAfter = -1;
        // A batch that dies part-way: the first writes land, then the whole call fails (a crash or a dropped
        // connection), so their outcomes are never seen.
        const sink: HoursSink = {
          name: "flaky",
          listAll: (o) => inner.listAll(o),
          write: (batch, o) => {
            if (failBatchAfter < 0 || failBatchAfter >= batch.length) return inner.write(batch, o);
            return inner
              .write(batch.slice(0, failBatchAfter), o)
              .andThen(() => errAsync({ type: "Network", message: "connection dropped" }));
          },
        };
        const { sync, hoursSource } = hoursSchool({ tenantId: "t", accounts: ACCOUNTS, sink, hoursBatchSize: 4 });
        (await sync.setup(PUSHING_PROFILE))._unsafeUnwrap();
        const entries = new Map<number, HostHourEntry>();
        for (const s of steps) {
          if (s.kind === "push") {
            loseEvery = s.loseEvery;
            failBatchAfter = s.failBatchAfter;
            await sync.pushHours(); // may fail as a whole; the next push must repair everything
            continue;
          }
          const at = new Date(Date.UTC(2026, 0, 1) + ++tick * 1000).toISOString();
          const current = entries.get(s.hour);
          const next: HostHourEntry =
            s.kind === "delete"
              ? current === undefined
                ? null!
                : { ...current, deleted: true, updatedAt: at }
              : hostHour({
                  hourId: `h${s.hour}`,
                  accountId: `a${s.hour % ACCOUNTS.length}`,
                  date: "2026-02-02",
                  hours: s.hours,
                  description: `Shift ${s.hour}`,
                  approved: s.approved,
                  updatedAt: at,
                });
          if (next === null) continue;
          entries.set(s.hour, next);
          hoursSource.put(next);
        }
        // Faults stop; pushes settle everything.
        loseEvery = 0;
        failBatchAfter = -1;
        const last = (await sync.pushHours())._unsafeUnwrap();
        expect(last.settled).toBe(true);
        const wanted = [...entries.values()].filter((e) => e.approved && !e.deleted);
        const held = inner.snapshot();
        expect(held.map((r) => r.hostHourId).sort()).toEqual(wanted.map((e) => e.hourId).sort());
        for (const e of wanted) expect(held.find((r) => r.hostHourId === e.hourId)?.hours).toBe(e.hours);
      }),
      { numRuns: 150, seed: 77 },
    );
  });
});
