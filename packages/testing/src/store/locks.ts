import { describe, expect, it } from "vitest";
import { fails, must, type SuiteContext } from "./context.js";

/** The per-school run lock: a lease with an owner, a token and an expiry on the caller's clock. */
export function lockTests(ctx: SuiteContext): void {
  const t = "school-1";
  const now = 1_800_000_000_000;

  describe("run lock", () => {
    it("grants a lease and refuses everyone else until it expires", async () => {
      const store = ctx.store();
      const lease = await must(store.acquireLock(t, "worker-a", 30_000, now));
      expect(lease).toMatchObject({ tenantId: t, owner: "worker-a", expiresAt: now + 30_000 });
      expect(lease.token.length).toBeGreaterThan(0);
      const locked = await fails(store.acquireLock(t, "worker-b", 30_000, now + 1), "Locked");
      expect(locked.retryable).toBe(true);
      await fails(store.acquireLock(t, "worker-a", 30_000, now + 29_999), "Locked");
    });

    it("lets another owner take an expired lease, and the old holder loses it", async () => {
      const store = ctx.store();
      const old = await must(store.acquireLock(t, "worker-a", 1000, now));
      const taken = await must(store.acquireLock(t, "worker-b", 1000, now + 1000));
      expect(taken.token).not.toBe(old.token);
      const lost = await fails(store.renewLock(old, 1000, now + 1001), "LockLost");
      expect(lost.fatal).toBe(true);
      await must(store.releaseLock(old));
      await fails(store.acquireLock(t, "worker-c", 1000, now + 1500), "Locked");
    });

    it("renews a held lease, even past its expiry while nobody took it", async () => {
      const store = ctx.store();
      const lease = await must(store.acquireLock(t, "worker-a", 1000, now));
      const renewed = await must(store.renewLock(lease, 5000, now + 900));
      expect(renewed).toEqual({ ...lease, expiresAt: now + 5900 });
      await fails(store.acquireLock(t, "worker-b", 1000, now + 5000), "Locked");
      const late = await must(store.renewLock(renewed, 1000, now + 7000));
      expect(late.expiresAt).toBe(now + 8000);
    });

    it("says LockLost when renewing a released lease", async () => {
      const store = ctx.store();
      const lease = await must(store.acquireLock(t, "worker-a", 1000, now));
      await must(store.releaseLock(lease));
      await must(store.releaseLock(lease));
      await fails(store.renewLock(lease, 1000, now + 10), "LockLost");
      const next = await must(store.acquireLock(t, "worker-b", 1000, now + 10));
      expect(next.owner).toBe("worker-b");
    });

    it("grants a new token on every acquisition", async () => {
      const store = ctx.store();
      const tokens = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const lease = await must(store.acquireLock(t, "worker-a", 1000, now + i));
        tokens.add(lease.token);
        await must(store.releaseLock(lease));
      }
      expect(tokens.size).toBe(20);
    });

    it("lets exactly one of many racing acquirers win, across store instances", async () => {
      const stores = [ctx.store(), await ctx.open(), await ctx.open()];
      const attempts = Array.from({ length: ctx.options.writers * 2 }, (_, i) =>
        stores[i % stores.length]!.acquireLock(t, `worker-${i}`, 60_000, now),
      );
      const results = await Promise.all(attempts);
      expect(results.filter((r) => r.isOk())).toHaveLength(1);
      for (const r of results) if (r.isErr()) expect(r.error.type).toBe("Locked");
    });

    it("locks schools independently", async () => {
      const store = ctx.store();
      await must(store.acquireLock("school-1", "worker-a", 1000, now));
      await must(store.acquireLock("school-2", "worker-b", 1000, now));
      await fails(store.acquireLock("school-2", "worker-a", 1000, now), "Locked");
    });

    it("refuses a non-positive ttl as Invalid", async () => {
      const store = ctx.store();
      await fails(store.acquireLock(t, "worker-a", 0, now), "Invalid");
      await fails(store.acquireLock(t, "worker-a", Number.NaN, now), "Invalid");
      await must(store.acquireLock(t, "worker-a", 1, now));
    });
  });
}
