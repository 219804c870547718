import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { createRateLimiter } from "@rostersync/facts/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  budgetKeyDigest,
  createPostgresBudget,
  type PostgresBudget,
  type PostgresBudgetOptions,
} from "../src/index.ts";

const run = promisify(execFile);
const pgUrl = inject("pgUrl");
const SCHEMA = "rostersync_fleet_budget_test";
const WORKER = join(import.meta.dirname, "helpers", "budget-worker.ts");

describe.skipIf(pgUrl === null)(`the PostgreSQL request budget ${pgUrl === null ? inject("pgSkipReason") : ""}`, () => {
  const url = pgUrl as string;
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: url, max: 4 });
    await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  });
  afterAll(async () => {
    await pool.end();
  });

  /** A budget on the test's database and schema. */
  const openBudget = async (key: string, more: Omit<PostgresBudgetOptions, "key"> = {}) =>
    (await createPostgresBudget({ connectionString: url, key, schema: SCHEMA, ...more }))._unsafeUnwrap();
  /** Takes one request as `school`, writes the school down in `order` once granted, and releases it. */
  const takingInto = (budget: PostgresBudget, order: string[]) => (school: string) =>
    budget
      .forSchool(school)
      .take()
      .then((release) => {
        order.push(school);
        release();
      });

  it("holds both rolling windows exactly across three processes: no 429, no window over its limit", async () => {
    // A gateway that counts arrivals as FACTS does (one limiter for the key) and refuses what does not fit.
    const windows = [
      { requests: 20, windowMs: 500 },
      { requests: 5, windowMs: 60 },
    ];
    const limiter = createRateLimiter(windows);
    let refused = 0;
    const server = createServer((_req, res) => {
      const admission = limiter.admit(Date.now());
      if (!admission.admitted) {
        refused++;
        res.writeHead(429, { "retry-after": String(admission.retryAfterSeconds) }).end();
        return;
      }
      // A little latency, uneven, as over a network.
      setTimeout(() => res.writeHead(200).end("{}"), Math.floor(Math.random() * 15));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const setup = (i: number, mode = "shared") =>
        JSON.stringify({
          mode,
          url,
          target,
          key: "subscription-key-shared",
          windows,
          count: 40,
          concurrency: 6,
          schools: [`s${i}a`, `s${i}b`],
        });
      const outputs = await Promise.all(
        [0, 1, 2].map((i) => run(process.execPath, [WORKER, setup(i)], { timeout: 300_000 })),
      );
      const seen = outputs.map((o) => JSON.parse(o.stdout.trim().split("\n").at(-1) ?? "{}"));
      expect(seen.map((s) => s.sent)).toEqual([40, 40, 40]);
      expect(seen.map((s) => s.refused)).toEqual([0, 0, 0]);
      expect(refused).toBe(0);
      const [long, short] = limiter.maxPerWindow();
      expect(long).toBeLessThanOrEqual(20);
      expect(short).toBeLessThanOrEqual(5);
      // 120 requests from 18 lanes against 20 per 500 ms: the budget, not an idle server, kept them under.
      expect(long).toBeGreaterThan(5);

      // The same three processes, each with its own budget (as before the fleet): FACTS refuses some.
      limiter.reset();
      const alone = await Promise.all(
        [0, 1, 2].map((i) => run(process.execPath, [WORKER, setup(i, "local")], { timeout: 300_000 })),
      );
      const refusedAlone = alone.map((o) => JSON.parse(o.stdout.trim().split("\n").at(-1) ?? "{}").refused);
      expect(refusedAlone.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });

  it("opening answers FleetStoreFailed as a value when PostgreSQL cannot be reached, instead of rejecting", async () => {
    const opened = await createPostgresBudget({
      // Nothing listens on port 1.
      connectionString: "postgres://nobody@127.0.0.1:1/none",
      key: "unreachable-key",
      schema: SCHEMA,
    });
    expect(opened.isErr()).toBe(true);
    expect(opened._unsafeUnwrapErr().type).toBe("FleetStoreFailed");
    // The key is never in a message.
    expect(opened._unsafeUnwrapErr().message).not.toContain("unreachable-key");
  });

  it("close() is idempotent and leaves a pool the host gave it open", async () => {
    const budget = (await createPostgresBudget({ pool, key: "own-pool-key", schema: SCHEMA }))._unsafeUnwrap();
    (await budget.take())();
    await budget.close();
    await budget.close();
    expect((await pool.query("SELECT 1 AS one")).rows[0].one).toBe(1);
  });

  it("stores the key's digest, never the key", async () => {
    const key = "the-secret-subscription-key";
    const budget = await openBudget(key);
    try {
      const release = await budget.forSchool("school-1").take();
      release();
      const dump = await pool.query(
        `SELECT string_agg(t::text, ' ') AS all FROM (
           SELECT row_to_json(k)::text AS t FROM ${SCHEMA}.budget_keys k
           UNION ALL SELECT row_to_json(r)::text FROM ${SCHEMA}.budget_requests r) x`,
      );
      expect(dump.rows[0].all).toContain(budgetKeyDigest(key));
      expect(dump.rows[0].all).not.toContain(key);
      expect(budget.keyDigest).toBe(budgetKeyDigest(key));
      expect(budgetKeyDigest(key)).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await budget.close();
    }
  });

  it("a 429 seen by one process pauses every other one for its Retry-After", async () => {
    const key = "pause-key";
    const a = await openBudget(key);
    const b = await openBudget(key);
    try {
      a.pause(700);
      // a's pause reaches the database with a's next round; make one happen.
      (await a.take())();
      const release = await b.forSchool("other").take();
      release();
      await a.close();
      await b.close();
      const rows = await pool.query(
        `SELECT k.paused_until, r.granted_at FROM ${SCHEMA}.budget_keys k
           JOIN ${SCHEMA}.budget_requests r USING (key_digest)
          WHERE k.key_digest = $1 AND r.school = 'other'`,
        [budgetKeyDigest(key)],
      );
      expect(rows.rowCount).toBe(1);
      expect(Number(rows.rows[0].granted_at)).toBeGreaterThanOrEqual(Number(rows.rows[0].paused_until));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("is fair between schools: a big school's queue does not keep small schools waiting", async () => {
    const budget = await openBudget("fairness-key", { windows: [{ requests: 2, windowMs: 150 }] });
    try {
      const order: string[] = [];
      const takeAs = takingInto(budget, order);
      // The big school asks for 20 at once, first; then five small schools one each.
      const big = Array.from({ length: 20 }, () => takeAs("big"));
      const small = ["s1", "s2", "s3", "s4", "s5"].map(takeAs);
      await Promise.all([...big, ...small]);
      const lastSmall = Math.max(...["s1", "s2", "s3", "s4", "s5"].map((s) => order.indexOf(s)));
      // First come, first served would serve them 21st to 25th.
      expect(lastSmall).toBeLessThan(10);
      expect(order).toHaveLength(25);
    } finally {
      await budget.close();
    }
  });

  it("within their fair share, schools are served in the order they asked: one school's read finishes before the next one's", async () => {
    const budget = await openBudget("order-key", { windows: [{ requests: 2, windowMs: 150 }], fairShare: 4 });
    try {
      const order: string[] = [];
      const takeAs = takingInto(budget, order);
      // Two small schools' reads, a asking first: served a, a, a, then b, b, b (not a, b, a, b, …, which
      // keeps both reads going until the end).
      await Promise.all([...["a", "a", "a"].map(takeAs), ...["b", "b", "b"].map(takeAs)]);
      expect(order).toEqual(["a", "a", "a", "b", "b", "b"]);
    } finally {
      await budget.close();
    }
  });

  it("a waiting request whose row another process removed as stale asks again instead of waiting for ever", async () => {
    const budget = await openBudget("lost-waiter-key", { windows: [{ requests: 1, windowMs: 300 }] });
    try {
      const first = await budget.take();
      const second = budget.forSchool("slow").take();
      // Wait until the second one's row exists, then remove it as a process that thought it dead would.
      for (let i = 0; i < 100; i++) {
        const n = await pool.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.budget_waiters WHERE key_digest = $1`, [
          budget.keyDigest,
        ]);
        if (n.rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await pool.query(`DELETE FROM ${SCHEMA}.budget_waiters WHERE key_digest = $1`, [budget.keyDigest]);
      first();
      (await second)();
    } finally {
      await budget.close();
    }
  }, 300_000);

  it("an aborted take rejects with the signal's reason and gives its turn away", async () => {
    const budget = await openBudget("abort-key", { windows: [{ requests: 1, windowMs: 60_000 }] });
    try {
      const first = await budget.take();
      const stop = new AbortController();
      const waiting = budget.take(stop.signal);
      stop.abort(new Error("stop"));
      await expect(waiting).rejects.toThrow("stop");
      first();
      const waiters = await pool.query(
        `SELECT count(*)::int AS n FROM ${SCHEMA}.budget_waiters WHERE key_digest = $1`,
        [budget.keyDigest],
      );
      // Removed at the next round at the latest.
      expect(waiters.rows[0].n).toBeLessThanOrEqual(1);
    } finally {
      await budget.close();
    }
  });
});
