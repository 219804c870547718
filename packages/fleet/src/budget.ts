// The FACTS request budget, shared through PostgreSQL by every process that uses one key (docs/fleet.md,
// "One budget for every worker"). Each request is a row; a grant is made under a row lock on the key, so
// the windows are counted exactly however many processes take at once. Requests count from their
// response (an upper bound of when FACTS counted them), so a grant can never meet a window FACTS still
// sees as full. Waiting requests are rows too, and grants go to the school with the fewest requests in
// the longest window first, so one big school cannot crowd out the small ones.
import { createHash, randomUUID } from "node:crypto";
import { type BudgetRelease, type BudgetWindow, DEFAULT_BUDGET, type RequestBudget } from "@rostersync/facts";
import { ResultAsync } from "neverthrow";
import pg from "pg";
import { migrateFleetSchema, quoteIdent } from "./schema.js";
import type { FleetStoreError } from "./types.js";

/** Options of {@link createPostgresBudget}. */
export interface PostgresBudgetOptions {
  /** The FACTS key the budget belongs to (the subscription key, or subscription + API key). Only its digest is stored. */
  readonly key: string;
  /** A pool to use; or `connectionString` to make one. */
  readonly pool?: pg.Pool | undefined;
  readonly connectionString?: string | undefined;
  /** The schema of the fleet's tables. Default `rostersync_fleet`. */
  readonly schema?: string | undefined;
  /** Default FACTS's: 100 per rolling 60 s and 10 per second. */
  readonly windows?: readonly BudgetWindow[] | undefined;
  /** Milliseconds added to each window against clock granularity. Default 5. */
  readonly marginMs?: number | undefined;
  /**
   * A request granted this long ago with no response is taken as finished at that point (its process
   * died). Default 120 s; keep it above the FACTS client's request timeout.
   */
  readonly inFlightTimeoutMs?: number | undefined;
  /**
   * A school's fair share: requests it may have in the longest window before the schools still within theirs
   * go first. Within it, schools are served in the order they asked. Default a quarter of the longest
   * window's limit (25 of FACTS's 100 a minute).
   */
  readonly fairShare?: number | undefined;
  /** The longest a waiting process sleeps without looking again. Default 250 ms. */
  readonly pollMs?: number | undefined;
  /** Told about failed database calls (the budget keeps trying). */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/** The facts package's `RequestBudget` on PostgreSQL, with a fair view per school. */
export interface PostgresBudget extends RequestBudget {
  /** The budget as one school uses it: its waiting requests are served fairly against other schools'. */
  forSchool(tenantId: string): RequestBudget;
  /** The digest the key is stored under (hex SHA-256). */
  readonly keyDigest: string;
  /** Stops waiting (pending takes reject) and closes the connections this budget opened. */
  close(): Promise<void>;
}

/** The digest a budget key is stored under: SHA-256, hex. Never store or log the key itself. */
export function budgetKeyDigest(key: string): string {
  return createHash("sha256").update(`rostersync-budget\0${key}`).digest("hex");
}

interface Waiter {
  readonly school: string;
  id: string | null;
  readonly resolve: (release: BudgetRelease) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
  done: boolean;
}

const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException("The operation was aborted.", "AbortError");

const NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

/**
 * Creates the shared budget. Every process that sends with the same `key` must use the same `windows`.
 *
 * @example
 * ```ts
 * const budget = (await createPostgresBudget({ connectionString, key: subscriptionKey }))._unsafeUnwrap();
 * const client = createFactsClient({ subscriptionKey, apiKey, budget: budget.forSchool("school-1") });
 * await budget.close();
 * ```
 *
 * @returns The budget, or `FleetStoreFailed` when the database cannot be reached or migrated (a pool the
 *   budget made itself is closed again then; a pool given in `pool` is left open).
 */
export function createPostgresBudget(options: PostgresBudgetOptions): ResultAsync<PostgresBudget, FleetStoreError> {
  const ownPool = options.pool === undefined;
  const pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString, max: 4 });
  return ResultAsync.fromPromise(
    openPostgresBudget(options, pool, ownPool).catch(async (e: unknown) => {
      if (ownPool) await pool.end().catch(() => undefined);
      throw e;
    }),
    (e): FleetStoreError => ({ type: "FleetStoreFailed", message: e instanceof Error ? e.message : String(e) }),
  );
}

async function openPostgresBudget(
  options: PostgresBudgetOptions,
  pool: pg.Pool,
  ownPool: boolean,
): Promise<PostgresBudget> {
  const schema = quoteIdent(options.schema ?? "rostersync_fleet");
  await migrateFleetSchema(pool, options.schema ?? "rostersync_fleet");
  const digest = budgetKeyDigest(options.key);
  const windows = (options.windows ?? DEFAULT_BUDGET).map((w) => ({
    requests: Math.max(1, Math.floor(w.requests)),
    windowMs: Math.max(1, Math.floor(w.windowMs)),
  }));
  const margin = options.marginMs ?? 5;
  const stale = options.inFlightTimeoutMs ?? 120_000;
  const pollMs = options.pollMs ?? 250;
  const longestLimit = windows.reduce((a, w) => (w.windowMs > a.windowMs ? w : a)).requests;
  const share = Math.max(1, Math.floor(options.fairShare ?? Math.ceil(longestLimit / 4)));
  const longest = Math.max(...windows.map((w) => w.windowMs));
  const owner = randomUUID();
  const channel = `rs_budget_${digest.slice(0, 16)}`;
  await pool.query(`INSERT INTO ${schema}.budget_keys (key_digest) VALUES ($1) ON CONFLICT DO NOTHING`, [digest]);

  const waiters: Waiter[] = [];
  const pendingPauses: number[] = [];
  const pendingReleases: string[] = [];
  const abandoned: string[] = [];
  let spent = 0;
  let closed = false;
  // The last counts seen, for `estimate`.
  let lastActive = windows.map(() => 0);
  let wake: (() => void) | null = null;
  let pumping: Promise<void> | null = null;
  let lastCleanup = 0;
  let failures = 0;

  // Another process released a request, paused, or granted one of ours: look again.
  const listener = new pg.Client(
    options.connectionString === undefined
      ? // Same settings as the pool's.
        (pool as unknown as { options: pg.ClientConfig }).options
      : { connectionString: options.connectionString },
  );
  await listener.connect();
  listener.on("notification", () => wake?.());
  listener.on("error", (e) => options.onError?.(e));
  await listener.query(`LISTEN ${channel}`);

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  /** One grant round: every process's waiters are considered, under the key's row lock. */
  async function round(): Promise<number | null> {
    const client = await pool.connect();
    let next: number | null = null;
    let notify = false;
    try {
      await client.query("BEGIN");
      await client.query(`SELECT 1 FROM ${schema}.budget_keys WHERE key_digest = $1 FOR UPDATE`, [digest]);
      const nowRow = await client.query<{ now: string }>(`SELECT ${NOW_MS} AS now`);
      const now = Number(nowRow.rows[0]?.now);
      if (pendingPauses.length > 0) {
        const ms = Math.max(...pendingPauses.splice(0));
        await client.query(
          `UPDATE ${schema}.budget_keys SET paused_until = GREATEST(paused_until, $2::bigint) WHERE key_digest = $1`,
          [digest, now + ms],
        );
        notify = true;
      }
      if (pendingReleases.length > 0) {
        await client.query(
          `UPDATE ${schema}.budget_requests SET responded_at = $2 WHERE id = ANY($1::bigint[]) AND responded_at IS NULL`,
          [pendingReleases.splice(0), now],
        );
        notify = true;
      }
      if (abandoned.length > 0) {
        // Waiters that gave up: a grant made meanwhile is given back at once.
        const gone = await client.query<{ request_id: string | null }>(
          `DELETE FROM ${schema}.budget_waiters WHERE id = ANY($1::bigint[]) RETURNING request_id`,
          [abandoned.splice(0)],
        );
        const given = gone.rows.map((r) => r.request_id).filter((id): id is string => id !== null);
        if (given.length > 0) {
          await client.query(`UPDATE ${schema}.budget_requests SET responded_at = $2 WHERE id = ANY($1::bigint[])`, [
            given,
            now,
          ]);
        }
      }
      const fresh = waiters.filter((w) => w.id === null && !w.done);
      if (fresh.length > 0) {
        const inserted = await client.query<{ id: string }>(
          `INSERT INTO ${schema}.budget_waiters (key_digest, school, owner, seen_at)
           SELECT $1, s, $2, $3 FROM unnest($4::text[]) WITH ORDINALITY AS t(s, n) ORDER BY n RETURNING id`,
          [digest, owner, now, fresh.map((w) => w.school)],
        );
        inserted.rows.forEach((row, i) => {
          (fresh[i] as Waiter).id = row.id;
        });
      }
      await client.query(`UPDATE ${schema}.budget_waiters SET seen_at = $3 WHERE key_digest = $1 AND owner = $2`, [
        digest,
        owner,
        now,
      ]);
      // Waiters of a process that stopped looking (it died) are forgotten.
      await client.query(`DELETE FROM ${schema}.budget_waiters WHERE key_digest = $1 AND seen_at < $2`, [
        digest,
        now - Math.max(60_000, pollMs * 40),
      ]);
      if (now - lastCleanup > 10_000) {
        lastCleanup = now;
        await client.query(
          `DELETE FROM ${schema}.budget_requests
            WHERE key_digest = $1 AND COALESCE(responded_at, granted_at + $3::bigint) < $2::bigint`,
          [digest, now - longest - margin - stale, stale],
        );
      }
      const key = await client.query<{ paused_until: string }>(
        `SELECT paused_until FROM ${schema}.budget_keys WHERE key_digest = $1`,
        [digest],
      );
      const pausedUntil = Number(key.rows[0]?.paused_until ?? 0);
      // Per window: requests still in flight (count in every window) and the response times inside it.
      const counts = await client.query<{ inflight: string; times: string[] | null }>(
        `SELECT
           count(*) FILTER (WHERE responded_at IS NULL AND granted_at > $2::bigint - $3::bigint) AS inflight,
           array_agg(COALESCE(responded_at, granted_at + $3::bigint) ORDER BY COALESCE(responded_at, granted_at + $3::bigint))
             FILTER (WHERE NOT (responded_at IS NULL AND granted_at > $2::bigint - $3::bigint)
                     AND COALESCE(responded_at, granted_at + $3::bigint) > $2::bigint - $4::bigint) AS times
         FROM ${schema}.budget_requests
         WHERE key_digest = $1 AND (responded_at IS NULL OR responded_at > $2::bigint - $4::bigint)`,
        [digest, now, stale, longest + margin],
      );
      const inflight = Number(counts.rows[0]?.inflight ?? 0);
      const times = (counts.rows[0]?.times ?? []).map(Number);
      /** How many more fit now, and when the next one fits (`null`: when a request in flight answers). */
      const room = (inFlight: number): { free: number; at: number | null; active: number[] } => {
        let free = Number.POSITIVE_INFINITY;
        let at: number | null = now;
        const active = windows.map((w) => {
          const span = w.windowMs + margin;
          const from = times.findIndex((t) => t > now - span);
          const inside = from < 0 ? [] : times.slice(from);
          const n = inside.length + inFlight;
          free = Math.min(free, w.requests - n);
          if (n >= w.requests && at !== null) {
            // The slot frees when the (n - requests + 1)-th oldest finished request leaves the window.
            const k = n - w.requests + 1;
            at = k <= inside.length ? Math.max(at, (inside[k - 1] as number) + span + 1) : null;
          }
          return n;
        });
        return { free: Math.max(0, free), at, active };
      };
      let { free, at, active } = room(inflight);
      lastActive = active;
      if (now < pausedUntil) {
        free = 0;
        at = at === null ? null : Math.max(at, pausedUntil);
      }
      if (free > 0) {
        // Fair order. A school's turn is how many requests it would have in the longest window with this one.
        // Within its fair share, schools are served in the order they asked (the school whose oldest waiting
        // request is oldest first, all of its requests together): one school's read finishes while the next
        // one's starts, instead of every school's read crawling along at once and all of them then applying
        // (no FACTS request) at the same moment. Beyond its share a school waits behind every school still
        // within its own, and among them the fewest turns go first: a big school never keeps small ones
        // waiting, and still has the whole budget when nobody else asks.
        const granted = await client.query<{ id: string; owner: string; request_id: string }>(
          `WITH recent AS (
             SELECT school, count(*) AS n FROM ${schema}.budget_requests
              WHERE key_digest = $1 AND granted_at > $2::bigint - $4::bigint GROUP BY school
           ), turns AS (
             SELECT w.id, w.school, w.owner,
                    COALESCE(r.n, 0) + row_number() OVER (PARTITION BY w.school ORDER BY w.id) AS turn,
                    min(w.id) OVER (PARTITION BY w.school) AS asked
               FROM ${schema}.budget_waiters w LEFT JOIN recent r USING (school)
              WHERE w.key_digest = $1 AND w.request_id IS NULL
           ), ranked AS (
             SELECT id, school, owner FROM turns
              ORDER BY turn > $5::int, CASE WHEN turn > $5::int THEN turn ELSE 0 END, asked, id
              LIMIT $3::int
           ), made AS (
             INSERT INTO ${schema}.budget_requests (key_digest, school, granted_at, waiter_id)
             SELECT $1, school, $2::bigint, id FROM ranked RETURNING id, waiter_id
           )
           UPDATE ${schema}.budget_waiters w SET request_id = made.id
             FROM made WHERE w.id = made.waiter_id RETURNING w.id, w.owner, made.id AS request_id`,
          [digest, now, free, longest + margin, share],
        );
        if (granted.rows.some((r) => r.owner !== owner)) notify = true;
        ({ at, active } = room(inflight + (granted.rowCount ?? 0)));
        lastActive = active;
      }
      if (notify) await client.query(`SELECT pg_notify($1, '')`, [channel]);
      await client.query("COMMIT");
      // Our waiters someone (we, or another process) granted.
      const ours = await client.query<{ id: string; request_id: string }>(
        `DELETE FROM ${schema}.budget_waiters WHERE key_digest = $1 AND owner = $2 AND request_id IS NOT NULL
         RETURNING id, request_id`,
        [digest, owner],
      );
      // A waiter whose row another process removed (this one looked stale: a blocked event loop on a busy
      // machine) asks again, or it would wait for ever.
      const waiting = await client.query<{ id: string }>(
        `SELECT id FROM ${schema}.budget_waiters WHERE key_digest = $1 AND owner = $2`,
        [digest, owner],
      );
      const present = new Set([...waiting.rows.map((r) => r.id), ...ours.rows.map((r) => r.id)]);
      for (const w of waiters) if (w.id !== null && !w.done && !present.has(w.id)) w.id = null;
      const byId = new Map(ours.rows.map((r) => [r.id, r.request_id]));
      const live = new Set(waiters.filter((w) => !w.done && w.id !== null).map((w) => w.id));
      // Granted to a waiter that gave up meanwhile: give it back.
      for (const [id, requestId] of byId) if (!live.has(id)) pendingReleases.push(requestId);
      for (const w of waiters) {
        if (w.id === null || w.done) continue;
        const requestId = byId.get(w.id);
        if (requestId === undefined) continue;
        w.done = true;
        w.signal?.removeEventListener("abort", w.onAbort);
        spent++;
        let released = false;
        w.resolve(() => {
          if (released) return;
          released = true;
          pendingReleases.push(requestId);
          kick();
        });
      }
      for (let i = waiters.length - 1; i >= 0; i--) if ((waiters[i] as Waiter).done) waiters.splice(i, 1);
      next = at === null ? null : Math.max(0, at - now);
      failures = 0;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      options.onError?.(error);
      next = pollMs;
      // The database keeps refusing: the waiting requests fail instead of waiting for ever.
      if (++failures >= 10) {
        for (const w of waiters.splice(0)) {
          w.done = true;
          w.signal?.removeEventListener("abort", w.onAbort);
          w.reject(error);
        }
      }
    } finally {
      client.release();
    }
    return next;
  }

  const hasWork = () => waiters.length > 0 || pendingPauses.length + pendingReleases.length + abandoned.length > 0;

  /** Runs rounds while anything waits; one pump per process. */
  function kick() {
    if (closed) return;
    if (pumping !== null) {
      wake?.();
      return;
    }
    pumping = (async () => {
      while (!closed && hasWork()) {
        const next = await round();
        if (!hasWork() || closed) break;
        if (waiters.length === 0 && pendingPauses.length + pendingReleases.length + abandoned.length > 0) continue;
        await sleep(Math.max(1, Math.min(next ?? pollMs, pollMs)));
      }
    })().finally(() => {
      pumping = null;
      if (!closed && hasWork()) kick();
    });
  }

  function take(school: string, signal?: AbortSignal): Promise<BudgetRelease> {
    return new Promise<BudgetRelease>((resolve, reject) => {
      if (closed) {
        reject(new Error("The budget is closed."));
        return;
      }
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const waiter: Waiter = {
        school,
        id: null,
        resolve,
        reject,
        signal,
        done: false,
        onAbort: () => {
          if (waiter.done) return;
          waiter.done = true;
          if (waiter.id !== null) abandoned.push(waiter.id);
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(abortReason(signal as AbortSignal));
          kick();
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      waiters.push(waiter);
      kick();
    });
  }

  const estimate = (n: number): number => {
    let ms = 0;
    windows.forEach((w, i) => {
      const over = (lastActive[i] ?? 0) + n - w.requests;
      if (over > 0) ms = Math.max(ms, Math.ceil(over / w.requests) * (w.windowMs + margin));
    });
    return ms;
  };

  const view = (school: string): RequestBudget => ({
    take: (signal) => take(school, signal),
    pause(ms) {
      pendingPauses.push(Math.max(0, ms));
      kick();
    },
    estimate,
    get spent() {
      return spent;
    },
  });
  const shared = view("");

  return {
    ...shared,
    get spent() {
      return spent;
    },
    keyDigest: digest,
    forSchool: view,
    async close() {
      if (closed) return;
      // Hand back what is still owed before stopping.
      if (pendingReleases.length + pendingPauses.length > 0) await round().catch(() => undefined);
      closed = true;
      wake?.();
      for (const w of waiters.splice(0)) {
        w.done = true;
        w.reject(new Error("The budget was closed."));
      }
      await pumping;
      await listener.end().catch(() => undefined);
      if (ownPool) await pool.end();
    },
  };
}
