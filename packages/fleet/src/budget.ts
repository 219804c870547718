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

/** What a budget runs with, worked out from its options once. */
interface BudgetSettings {
  /** The fleet's schema, quoted. */
  readonly schema: string;
  readonly digest: string;
  readonly windows: readonly BudgetWindow[];
  readonly margin: number;
  /** `inFlightTimeoutMs`. */
  readonly stale: number;
  readonly pollMs: number;
  /** A school's fair share of the longest window. */
  readonly share: number;
  /** The longest window, in ms. */
  readonly longest: number;
  /** This process's name on its waiter rows. */
  readonly owner: string;
  /** The channel the processes of one key wake each other on. */
  readonly channel: string;
}

/** What one process's budget holds between rounds. */
interface BudgetState {
  readonly waiters: Waiter[];
  readonly pendingPauses: number[];
  readonly pendingReleases: string[];
  readonly abandoned: string[];
  spent: number;
  closed: boolean;
  /** The last counts seen, for `estimate`. */
  lastActive: number[];
  /** Ends the pump's current sleep early. */
  wake: (() => void) | null;
  pumping: Promise<void> | null;
  lastCleanup: number;
  failures: number;
}

/** One open budget: its settings, its state, and the pump that runs its rounds. */
interface Budget {
  readonly pool: pg.Pool;
  readonly settings: BudgetSettings;
  readonly state: BudgetState;
  readonly onError: ((error: unknown) => void) | undefined;
  /** Runs rounds while anything waits (see {@link pump}). */
  readonly kick: () => void;
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

/** The options' defaults and bounds, applied once. */
function budgetSettings(options: PostgresBudgetOptions): BudgetSettings {
  const digest = budgetKeyDigest(options.key);
  const windows = (options.windows ?? DEFAULT_BUDGET).map((w) => ({
    requests: Math.max(1, Math.floor(w.requests)),
    windowMs: Math.max(1, Math.floor(w.windowMs)),
  }));
  const longestLimit = windows.reduce((a, w) => (w.windowMs > a.windowMs ? w : a)).requests;
  return {
    schema: quoteIdent(options.schema ?? "rostersync_fleet"),
    digest,
    windows,
    margin: options.marginMs ?? 5,
    stale: options.inFlightTimeoutMs ?? 120_000,
    pollMs: options.pollMs ?? 250,
    share: Math.max(1, Math.floor(options.fairShare ?? Math.ceil(longestLimit / 4))),
    longest: Math.max(...windows.map((w) => w.windowMs)),
    owner: randomUUID(),
    channel: `rs_budget_${digest.slice(0, 16)}`,
  };
}

async function openPostgresBudget(
  options: PostgresBudgetOptions,
  pool: pg.Pool,
  ownPool: boolean,
): Promise<PostgresBudget> {
  const settings = budgetSettings(options);
  await migrateFleetSchema(pool, options.schema ?? "rostersync_fleet");
  await pool.query(`INSERT INTO ${settings.schema}.budget_keys (key_digest) VALUES ($1) ON CONFLICT DO NOTHING`, [
    settings.digest,
  ]);
  const state: BudgetState = {
    waiters: [],
    pendingPauses: [],
    pendingReleases: [],
    abandoned: [],
    spent: 0,
    closed: false,
    lastActive: settings.windows.map(() => 0),
    wake: null,
    pumping: null,
    lastCleanup: 0,
    failures: 0,
  };
  const budget: Budget = { pool, settings, state, onError: options.onError, kick: () => pump(budget) };
  const listener = await listenForRounds(options, budget);

  const view = (school: string): RequestBudget => ({
    take: (signal) => take(budget, school, signal),
    pause(ms) {
      state.pendingPauses.push(Math.max(0, ms));
      budget.kick();
    },
    estimate: (n) => estimate(budget, n),
    get spent() {
      return state.spent;
    },
  });
  return {
    ...view(""),
    get spent() {
      return state.spent;
    },
    keyDigest: settings.digest,
    forSchool: view,
    close: () => closeBudget(budget, listener, ownPool),
  };
}

/** Another process released a request, paused, or granted one of ours: look again. */
async function listenForRounds(options: PostgresBudgetOptions, budget: Budget): Promise<pg.Client> {
  const listener = new pg.Client(
    options.connectionString === undefined
      ? // Same settings as the pool's.
        (budget.pool as unknown as { options: pg.ClientConfig }).options
      : { connectionString: options.connectionString },
  );
  await listener.connect();
  listener.on("notification", () => budget.state.wake?.());
  listener.on("error", (e) => options.onError?.(e));
  await listener.query(`LISTEN ${budget.settings.channel}`);
  return listener;
}

/** Sleeps `ms`, or until `state.wake()` is called. */
function sleep(state: BudgetState, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      state.wake = null;
      resolve();
    }
    state.wake = done;
  });
}

/** One grant round: every process's waiters are considered, under the key's row lock. */
async function round(budget: Budget): Promise<number | null> {
  const { state } = budget;
  const client = await budget.pool.connect();
  let next: number | null = null;
  try {
    next = await grantRound(client, budget);
    state.failures = 0;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    budget.onError?.(error);
    next = budget.settings.pollMs;
    // The database keeps refusing: the waiting requests fail instead of waiting for ever.
    if (++state.failures >= 10) {
      for (const w of state.waiters.splice(0)) {
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

/** The round's transaction and what follows it; answers how long until the next request fits (`null`: unknown). */
async function grantRound(client: pg.PoolClient, budget: Budget): Promise<number | null> {
  const { settings: s, state } = budget;
  await client.query("BEGIN");
  await client.query(`SELECT 1 FROM ${s.schema}.budget_keys WHERE key_digest = $1 FOR UPDATE`, [s.digest]);
  const nowRow = await client.query<{ now: string }>(`SELECT ${NOW_MS} AS now`);
  const now = Number(nowRow.rows[0]?.now);
  let notify = await flushPending(client, s, state, now);
  await registerWaiters(client, s, state, now);
  const usage = await readUsage(client, s, now);
  let { free, at, active } = roomIn(s, usage.times, now, usage.inflight);
  state.lastActive = active;
  if (now < usage.pausedUntil) {
    free = 0;
    at = at === null ? null : Math.max(at, usage.pausedUntil);
  }
  if (free > 0) {
    const granted = await grantFairly(client, s, now, free);
    if (granted.rows.some((r) => r.owner !== s.owner)) notify = true;
    ({ at, active } = roomIn(s, usage.times, now, usage.inflight + (granted.rowCount ?? 0)));
    state.lastActive = active;
  }
  if (notify) await client.query(`SELECT pg_notify($1, '')`, [s.channel]);
  await client.query("COMMIT");
  await settleGrants(client, budget);
  return at === null ? null : Math.max(0, at - now);
}

/** Writes this process's pauses, releases and abandoned waiters; answers whether other processes should look again. */
async function flushPending(client: pg.PoolClient, s: BudgetSettings, state: BudgetState, now: number) {
  let notify = false;
  if (state.pendingPauses.length > 0) {
    const ms = Math.max(...state.pendingPauses.splice(0));
    await client.query(
      `UPDATE ${s.schema}.budget_keys SET paused_until = GREATEST(paused_until, $2::bigint) WHERE key_digest = $1`,
      [s.digest, now + ms],
    );
    notify = true;
  }
  if (state.pendingReleases.length > 0) {
    await client.query(
      `UPDATE ${s.schema}.budget_requests SET responded_at = $2 WHERE id = ANY($1::bigint[]) AND responded_at IS NULL`,
      [state.pendingReleases.splice(0), now],
    );
    notify = true;
  }
  if (state.abandoned.length > 0) {
    // Waiters that gave up: a grant made meanwhile is given back at once.
    const gone = await client.query<{ request_id: string | null }>(
      `DELETE FROM ${s.schema}.budget_waiters WHERE id = ANY($1::bigint[]) RETURNING request_id`,
      [state.abandoned.splice(0)],
    );
    const given = gone.rows.map((r) => r.request_id).filter((id): id is string => id !== null);
    if (given.length > 0) {
      await client.query(`UPDATE ${s.schema}.budget_requests SET responded_at = $2 WHERE id = ANY($1::bigint[])`, [
        given,
        now,
      ]);
    }
  }
  return notify;
}

/** Gives new waiters their rows, marks this process's as seen, and forgets dead processes' waiters and old requests. */
async function registerWaiters(client: pg.PoolClient, s: BudgetSettings, state: BudgetState, now: number) {
  const fresh = state.waiters.filter((w) => w.id === null && !w.done);
  if (fresh.length > 0) {
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO ${s.schema}.budget_waiters (key_digest, school, owner, seen_at)
       SELECT $1, s, $2, $3 FROM unnest($4::text[]) WITH ORDINALITY AS t(s, n) ORDER BY n RETURNING id`,
      [s.digest, s.owner, now, fresh.map((w) => w.school)],
    );
    inserted.rows.forEach((row, i) => {
      (fresh[i] as Waiter).id = row.id;
    });
  }
  await client.query(`UPDATE ${s.schema}.budget_waiters SET seen_at = $3 WHERE key_digest = $1 AND owner = $2`, [
    s.digest,
    s.owner,
    now,
  ]);
  // Waiters of a process that stopped looking (it died) are forgotten.
  await client.query(`DELETE FROM ${s.schema}.budget_waiters WHERE key_digest = $1 AND seen_at < $2`, [
    s.digest,
    now - Math.max(60_000, s.pollMs * 40),
  ]);
  if (now - state.lastCleanup > 10_000) {
    state.lastCleanup = now;
    await client.query(
      `DELETE FROM ${s.schema}.budget_requests
        WHERE key_digest = $1 AND COALESCE(responded_at, granted_at + $3::bigint) < $2::bigint`,
      [s.digest, now - s.longest - s.margin - s.stale, s.stale],
    );
  }
}

/** The key's pause, its requests still in flight (they count in every window) and the response times inside the longest window. */
async function readUsage(client: pg.PoolClient, s: BudgetSettings, now: number) {
  const key = await client.query<{ paused_until: string }>(
    `SELECT paused_until FROM ${s.schema}.budget_keys WHERE key_digest = $1`,
    [s.digest],
  );
  const counts = await client.query<{ inflight: string; times: string[] | null }>(
    `SELECT
       count(*) FILTER (WHERE responded_at IS NULL AND granted_at > $2::bigint - $3::bigint) AS inflight,
       array_agg(COALESCE(responded_at, granted_at + $3::bigint) ORDER BY COALESCE(responded_at, granted_at + $3::bigint))
         FILTER (WHERE NOT (responded_at IS NULL AND granted_at > $2::bigint - $3::bigint)
                 AND COALESCE(responded_at, granted_at + $3::bigint) > $2::bigint - $4::bigint) AS times
     FROM ${s.schema}.budget_requests
     WHERE key_digest = $1 AND (responded_at IS NULL OR responded_at > $2::bigint - $4::bigint)`,
    [s.digest, now, s.stale, s.longest + s.margin],
  );
  return {
    pausedUntil: Number(key.rows[0]?.paused_until ?? 0),
    inflight: Number(counts.rows[0]?.inflight ?? 0),
    times: (counts.rows[0]?.times ?? []).map(Number),
  };
}

/**
 * How many more requests fit at `now`, and when the next one fits (`null`: when a request in flight answers),
 * given the finished requests' response `times` (ascending) and `inFlight` unanswered ones; `active` is each
 * window's count. Pure; exported for its tests only (not from the package).
 */
export function roomIn(
  s: Pick<BudgetSettings, "windows" | "margin">,
  times: readonly number[],
  now: number,
  inFlight: number,
): { free: number; at: number | null; active: number[] } {
  let free = Number.POSITIVE_INFINITY;
  let at: number | null = now;
  const active = s.windows.map((w) => {
    const span = w.windowMs + s.margin;
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
}

/**
 * Grants up to `free` waiting requests, of every process, in fair order. A school's turn is how many requests
 * it would have in the longest window with this one. Within its fair share, schools are served in the order
 * they asked (the school whose oldest waiting request is oldest first, all of its requests together): one
 * school's read finishes while the next one's starts, instead of every school's read crawling along at once
 * and all of them then applying (no FACTS request) at the same moment. Beyond its share a school waits behind
 * every school still within its own, and among them the fewest turns go first: a big school never keeps small
 * ones waiting, and still has the whole budget when nobody else asks.
 */
function grantFairly(client: pg.PoolClient, s: BudgetSettings, now: number, free: number) {
  return client.query<{ id: string; owner: string; request_id: string }>(
    `WITH recent AS (
       SELECT school, count(*) AS n FROM ${s.schema}.budget_requests
        WHERE key_digest = $1 AND granted_at > $2::bigint - $4::bigint GROUP BY school
     ), turns AS (
       SELECT w.id, w.school, w.owner,
              COALESCE(r.n, 0) + row_number() OVER (PARTITION BY w.school ORDER BY w.id) AS turn,
              min(w.id) OVER (PARTITION BY w.school) AS asked
         FROM ${s.schema}.budget_waiters w LEFT JOIN recent r USING (school)
        WHERE w.key_digest = $1 AND w.request_id IS NULL
     ), ranked AS (
       SELECT id, school, owner FROM turns
        ORDER BY turn > $5::int, CASE WHEN turn > $5::int THEN turn ELSE 0 END, asked, id
        LIMIT $3::int
     ), made AS (
       INSERT INTO ${s.schema}.budget_requests (key_digest, school, granted_at, waiter_id)
       SELECT $1, school, $2::bigint, id FROM ranked RETURNING id, waiter_id
     )
     UPDATE ${s.schema}.budget_waiters w SET request_id = made.id
       FROM made WHERE w.id = made.waiter_id RETURNING w.id, w.owner, made.id AS request_id`,
    [s.digest, now, free, s.longest + s.margin, s.share],
  );
}

/** After the commit: resolves this process's waiters that someone (we, or another process) granted. */
async function settleGrants(client: pg.PoolClient, budget: Budget): Promise<void> {
  const { settings: s, state } = budget;
  const ours = await client.query<{ id: string; request_id: string }>(
    `DELETE FROM ${s.schema}.budget_waiters WHERE key_digest = $1 AND owner = $2 AND request_id IS NOT NULL
     RETURNING id, request_id`,
    [s.digest, s.owner],
  );
  // A waiter whose row another process removed (this one looked stale: a blocked event loop on a busy
  // machine) asks again, or it would wait for ever.
  const waiting = await client.query<{ id: string }>(
    `SELECT id FROM ${s.schema}.budget_waiters WHERE key_digest = $1 AND owner = $2`,
    [s.digest, s.owner],
  );
  const present = new Set([...waiting.rows.map((r) => r.id), ...ours.rows.map((r) => r.id)]);
  for (const w of state.waiters) if (w.id !== null && !w.done && !present.has(w.id)) w.id = null;
  const byId = new Map(ours.rows.map((r) => [r.id, r.request_id]));
  const live = new Set(state.waiters.filter((w) => !w.done && w.id !== null).map((w) => w.id));
  // Granted to a waiter that gave up meanwhile: give it back.
  for (const [id, requestId] of byId) if (!live.has(id)) state.pendingReleases.push(requestId);
  for (const w of state.waiters) {
    if (w.id === null || w.done) continue;
    const requestId = byId.get(w.id);
    if (requestId === undefined) continue;
    w.done = true;
    w.signal?.removeEventListener("abort", w.onAbort);
    state.spent++;
    let released = false;
    w.resolve(() => {
      if (released) return;
      released = true;
      state.pendingReleases.push(requestId);
      budget.kick();
    });
  }
  for (let i = state.waiters.length - 1; i >= 0; i--) if ((state.waiters[i] as Waiter).done) state.waiters.splice(i, 1);
}

const hasPending = (state: BudgetState) =>
  state.pendingPauses.length + state.pendingReleases.length + state.abandoned.length > 0;
const hasWork = (state: BudgetState) => state.waiters.length > 0 || hasPending(state);

/** Runs rounds while anything waits; one pump per process. */
function pump(budget: Budget): void {
  const { state, settings } = budget;
  if (state.closed) return;
  if (state.pumping !== null) {
    state.wake?.();
    return;
  }
  state.pumping = (async () => {
    while (!state.closed && hasWork(state)) {
      const next = await round(budget);
      if (!hasWork(state) || state.closed) break;
      if (state.waiters.length === 0 && hasPending(state)) continue;
      await sleep(state, Math.max(1, Math.min(next ?? settings.pollMs, settings.pollMs)));
    }
  })().finally(() => {
    state.pumping = null;
    if (!state.closed && hasWork(state)) pump(budget);
  });
}

/** Waits for a grant for `school` (see `RequestBudget.take`). */
function take(budget: Budget, school: string, signal?: AbortSignal): Promise<BudgetRelease> {
  const { state } = budget;
  return new Promise<BudgetRelease>((resolve, reject) => {
    if (state.closed) {
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
        if (waiter.id !== null) state.abandoned.push(waiter.id);
        const i = state.waiters.indexOf(waiter);
        if (i >= 0) state.waiters.splice(i, 1);
        reject(abortReason(signal as AbortSignal));
        budget.kick();
      },
    };
    signal?.addEventListener("abort", waiter.onAbort, { once: true });
    state.waiters.push(waiter);
    budget.kick();
  });
}

/** How long `n` more requests would wait, from the counts of the last round (see `RequestBudget.estimate`). */
function estimate({ settings, state }: Budget, n: number): number {
  let ms = 0;
  settings.windows.forEach((w, i) => {
    const over = (state.lastActive[i] ?? 0) + n - w.requests;
    if (over > 0) ms = Math.max(ms, Math.ceil(over / w.requests) * (w.windowMs + settings.margin));
  });
  return ms;
}

/** Hands back what is still owed, rejects the waiting takes, and closes what the budget opened. */
async function closeBudget(budget: Budget, listener: pg.Client, ownPool: boolean): Promise<void> {
  const { state } = budget;
  if (state.closed) return;
  // Hand back what is still owed before stopping.
  if (state.pendingReleases.length + state.pendingPauses.length > 0) await round(budget).catch(() => undefined);
  state.closed = true;
  state.wake?.();
  for (const w of state.waiters.splice(0)) {
    w.done = true;
    w.reject(new Error("The budget was closed."));
  }
  await state.pumping;
  await listener.end().catch(() => undefined);
  if (ownPool) await budget.pool.end();
}
