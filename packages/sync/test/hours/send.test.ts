import { createMemoryStore, type HoursLedgerEntry } from "@rostersync/core";
import { err, ok, okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { storeFailed } from "../../src/errors.js";
import { type KeepAlive, lockLost } from "../../src/hours/lock.js";
import { sendWrites } from "../../src/hours/send.js";
import type { PlannedWrite } from "../../src/hours/types.js";
import type { RoleHours } from "../../src/hours/view.js";
import { plannedWrite } from "../helpers/hours.js";

const TENANT = "school-1";
const hour = { personId: "p1", role: "student", date: "2026-02-10", hours: 1, description: "d" } as const;

const planned = (n: number): PlannedWrite[] =>
  Array.from({ length: n }, (_, i) => plannedWrite({ hourId: `h${i}`, op: "create", hour }));

const held: KeepAlive = { ensure: async () => ok(undefined), remainingMs: () => 60_000 };

/** A view whose sink creates every write, recording what the ledger said while each batch was sent. */
function creatingView(seen: (hourIds: readonly string[]) => void): RoleHours {
  const unused = () => {
    throw new Error("not used by sendWrites");
  };
  return {
    role: "student",
    changedSince: unused,
    changesToEnd: unused,
    listAll: unused,
    importHistoric: unused,
    write: (writes) => {
      seen(writes.map((w) => w.hourId));
      return okAsync(
        writes.map((w) => ({ hourId: w.hourId, status: "created", serviceHoursId: `s-${w.hourId}` }) as const),
      );
    },
  };
}

describe("sending decided writes in batches (docs/hours.md)", () => {
  it("marks each batch pending in the ledger before the sink sees it, and settles it after", async () => {
    const store = createMemoryStore();
    const pendingWhenSent: HoursLedgerEntry["state"][][] = [];
    const view = creatingView(() => undefined);
    const watching: RoleHours = {
      ...view,
      write: (writes, options) => {
        const states = store
          .getHoursLedger(TENANT)
          .mapErr(storeFailed)
          .map((l) => l.map((e) => e.state));
        return states.andThen((s) => {
          pendingWhenSent.push([...s]);
          return view.write(writes, options);
        });
      },
    };
    const ctx = { tenantId: TENANT, store, clock: { now: () => 0 }, lockTtlMs: 60_000, batchSize: 2 };
    const sent = (await sendWrites(ctx, watching, planned(3), undefined, held))._unsafeUnwrap();
    expect(sent).toMatchObject({ batches: 2, stoppedEarly: false });
    expect(pendingWhenSent).toEqual([
      ["pending", "pending"],
      ["synced", "synced", "pending"],
    ]);
    const ledger = (await store.getHoursLedger(TENANT))._unsafeUnwrap();
    expect(ledger.map((l) => [l.state, l.serviceHoursId])).toEqual([
      ["synced", "s-h0"],
      ["synced", "s-h1"],
      ["synced", "s-h2"],
    ]);
  });

  it("stops between batches when the caller's signal fires, leaving the rest unsent", async () => {
    const store = createMemoryStore();
    const control = new AbortController();
    const view = creatingView(() => control.abort());
    const ctx = { tenantId: TENANT, store, clock: { now: () => 0 }, lockTtlMs: 60_000, batchSize: 2 };
    const sent = (await sendWrites(ctx, view, planned(5), control.signal, held))._unsafeUnwrap();
    expect(sent).toMatchObject({ batches: 1, stoppedEarly: true });
    expect((await store.getHoursLedger(TENANT))._unsafeUnwrap()).toHaveLength(2);
  });

  it("sends nothing once the lease cannot be proven held", async () => {
    const store = createMemoryStore();
    let calls = 0;
    const view = creatingView(() => calls++);
    const lost: KeepAlive = { ensure: async () => err(lockLost()), remainingMs: () => 0 };
    const ctx = { tenantId: TENANT, store, clock: { now: () => 0 }, lockTtlMs: 60_000 };
    const sent = await sendWrites(ctx, view, planned(2), undefined, lost);
    expect(sent._unsafeUnwrapErr().type).toBe("LockLost");
    expect(calls).toBe(0);
    expect((await store.getHoursLedger(TENANT))._unsafeUnwrap()).toEqual([]);
  });
});
