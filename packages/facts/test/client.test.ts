import { inspect } from "node:util";
import { HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { createBudget, createFactsClient, type FactsProgress, personSchema, type RequestBudget } from "../src/index.js";
import { BASE, envelope, KEYS } from "./helpers/fake-facts.js";
import { settle } from "./helpers/fake-time.js";
import { testClient, useMsw } from "./helpers/msw.js";

const msw = useMsw();

const people = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    personId: i + 1,
    firstName: `F${i + 1}`,
    lastName: "L",
    email: null,
  }));

describe("transport", () => {
  it("sends both keys and api-version=1 on every request", async () => {
    const fake = msw.facts({ "/People": people(2500) });
    const rows = await testClient().list("/People", personSchema, { idKey: "personId" });
    expect(rows._unsafeUnwrap()).toHaveLength(2500);
    expect(fake.requests).toHaveLength(3);
    for (const r of fake.requests) {
      expect(r.headers.get("Ocp-Apim-Subscription-Key")).toBe(KEYS.subscriptionKey);
      expect(r.headers.get("Facts-Api-Key")).toBe(KEYS.apiKey);
      expect(r.query.get("api-version")).toBe("1");
    }
  });

  it("walks every page until currentPage >= pageCount, in order, with the default page size of 1000", async () => {
    const fake = msw.facts({ "/People": people(3001) });
    const rows = (await testClient().list("/People", personSchema))._unsafeUnwrap();
    expect(rows.map((r) => r.personId)).toEqual(people(3001).map((p) => p.personId));
    expect(fake.requests.map((r) => r.query.get("Page"))).toEqual(["1", "2", "3", "4"]);
    expect(new Set(fake.requests.map((r) => r.query.get("PageSize")))).toEqual(new Set(["1000"]));
  });

  it("lets the page size be configured", async () => {
    const fake = msw.facts({ "/People": people(30) });
    await testClient({ pageSize: 10 }).list("/People", personSchema);
    expect(fake.requests).toHaveLength(3);
  });

  it("fetches pages 2..n concurrently, never more than `concurrency` at once", async () => {
    const fake = msw.facts({ "/People": people(8000) });
    let inFlight = 0;
    let peak = 0;
    fake.fault = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return undefined;
    };
    const rows = await testClient({ concurrency: 3 }).list("/People", personSchema);
    expect(rows._unsafeUnwrap()).toHaveLength(8000);
    expect(peak).toBe(3);
  });

  it("answers a non-paged endpoint through get()", async () => {
    msw.facts({});
    msw.server.use(
      ...[
        (await import("msw")).http.get(`${BASE}/Students/Status`, () =>
          HttpResponse.json([{ status: "Enrolled", displayName: "Enrolled", subStatus: [] }]),
        ),
      ],
    );
    const { studentStatusSchema } = await import("../src/index.js");
    const statuses = await testClient().get("/Students/Status", z.array(studentStatusSchema));
    expect(statuses._unsafeUnwrap()[0]?.status).toBe("Enrolled");
  });
});

describe("paging consistency", () => {
  it("fails with Inconsistent when a page shrinks between reads", async () => {
    const fake = msw.facts({ "/People": people(2500) });
    fake.beforePage = (endpoint, page) => {
      if (page === 3) fake.tables.set(endpoint, people(2400));
    };
    const error = (await testClient({ concurrency: 1 }).list("/People", personSchema))._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "Inconsistent", endpoint: "/People", expected: 2500, actual: 2400 });
  });

  it("fails with Inconsistent when the records do not add up to rowCount", async () => {
    const fake = msw.facts({});
    fake.fault = () => HttpResponse.json(envelope(people(3), 1, 1, 4));
    const error = (await testClient().list("/People", personSchema))._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "Inconsistent", expected: 4, actual: 3 });
  });

  it("fails with Inconsistent when a record is read twice (rows moved between pages)", async () => {
    const fake = msw.facts({ "/People": people(2000) });
    fake.fault = (req) => {
      if (req.query.get("Page") !== "2") return undefined;
      const rows = people(2000).slice(999, 1999);
      return HttpResponse.json({ ...envelope(rows, 2, 2, 2000), pageSize: 1000 });
    };
    const error = (await testClient().list("/People", personSchema, { idKey: "personId" }))._unsafeUnwrapErr();
    expect(error.type).toBe("Inconsistent");
    expect(error.message).toContain("1000 twice");
  });
});

describe("retries, rate limits, abort, progress", () => {
  it("honours 429 + Retry-After and then succeeds, pausing every caller", async () => {
    const fake = msw.facts({ "/People": people(10) });
    let limited = 0;
    fake.fault = () =>
      limited++ < 1 ? new HttpResponse(null, { status: 429, headers: { "Retry-After": "1" } }) : undefined;
    // The pause goes to the shared budget (whose waiting is tested under fake timers below), not to a sleep.
    const inner = createBudget({ windows: [{ requests: 10_000, windowMs: 1000 }], marginMs: 0 });
    const pauses: number[] = [];
    const budget: RequestBudget = {
      take: (signal) => inner.take(signal),
      pause: (ms) => {
        pauses.push(ms);
        inner.pause(ms);
      },
      estimate: (n) => inner.estimate(n),
      get spent() {
        return inner.spent;
      },
    };
    const client = testClient({ budget });
    const rows = await client.list("/People", personSchema);
    expect(rows._unsafeUnwrap()).toHaveLength(10);
    expect(pauses).toEqual([1000]);
    expect(client.stats()).toMatchObject({ requests: 2, rateLimited: 1 });
  });

  it("gives up with RateLimited after too many 429s, carrying the wait FACTS asked for", async () => {
    const fake = msw.facts({ "/People": people(10) });
    fake.fault = () => new HttpResponse(null, { status: 429, headers: { "Retry-After": "0" } });
    const error = (
      await testClient({ retry: { rateLimitRetries: 2 } }).list("/People", personSchema)
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "RateLimited", retryAfterMs: 0 });
    expect(fake.requests).toHaveLength(3);
  });

  it("retries idempotent reads with backoff and the injected jitter", async () => {
    const fake = msw.facts({ "/People": people(10) });
    let n = 0;
    fake.fault = () => (n++ < 2 ? HttpResponse.json({ statusCode: 503, message: "busy" }, { status: 503 }) : undefined);
    const waits: number[] = [];
    const client = testClient({
      retry: {
        baseDelayMs: 10,
        jitter: (d) => {
          waits.push(d);
          return 0;
        },
      },
    });
    expect((await client.list("/People", personSchema))._unsafeUnwrap()).toHaveLength(10);
    expect(waits).toEqual([10, 20]);
    expect(client.stats().retries).toBe(2);
  });

  it("never sends a POST twice on its own after a lost response", async () => {
    const fake = msw.facts({});
    fake.fault = () => "drop";
    const error = (await testClient().request("POST", "/Students/ServiceHours", { json: {} }))._unsafeUnwrapErr();
    expect(error.type).toBe("Network");
    expect(fake.requests).toHaveLength(1);
  });

  it("stops with Aborted when the signal fires, and sends nothing after", async () => {
    const fake = msw.facts({ "/People": people(5000) });
    const controller = new AbortController();
    fake.fault = async (req) => {
      if (req.query.get("Page") === "1") controller.abort();
      return undefined;
    };
    const error = (
      await testClient({ concurrency: 1 }).list("/People", personSchema, { signal: controller.signal })
    )._unsafeUnwrapErr();
    expect(error.type).toBe("Aborted");
    expect(fake.requests.length).toBeLessThanOrEqual(1);
  });

  it("stops with Aborted while waiting for the budget", async () => {
    msw.facts({ "/People": people(5000) });
    const controller = new AbortController();
    const client = testClient({ budget: { windows: [{ requests: 1, windowMs: 60_000 }] }, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = (await client.list("/People", personSchema))._unsafeUnwrapErr();
    expect(error.type).toBe("Aborted");
  });

  it("times out a request that never answers", async () => {
    const fake = msw.facts({ "/People": people(5) });
    fake.fault = () => new Promise((r) => setTimeout(() => r(undefined), 500));
    const error = (
      await testClient({ timeoutMs: 50, retry: { limit: 1, baseDelayMs: 1 } }).list("/People", personSchema)
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "Timeout", timeoutMs: 50 });
    expect(fake.requests).toHaveLength(2);
  });

  it("reports progress per page: pages, records, requests and an ETA that ends at 0", async () => {
    msw.facts({ "/People": people(4500) });
    const seen: FactsProgress[] = [];
    await testClient({ concurrency: 1 }).list("/People", personSchema, {
      progress: testClient().tracker((p) => seen.push(p)),
    });
    expect(seen.map((p) => p.pages)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.at(-1)).toMatchObject({ pages: 5, pagesTotal: 5, records: 4500, etaMs: 0 });
    expect(seen[1]?.etaMs).toBeGreaterThanOrEqual(0);
  });
});

// Every budget test runs on vitest's fake clock: waits are exact and a loaded machine cannot make them flake.
/**
 * Takes `n` requests from `budget` at once, releasing each as soon as it starts, and returns when each
 * started (milliseconds after the call), in the order they started.
 */
async function startTimes(budget: RequestBudget, n: number): Promise<number[]> {
  const start = Date.now();
  const times: number[] = [];
  await settle(
    Promise.all(
      Array.from({ length: n }, () =>
        budget.take().then((release) => {
          times.push(Date.now() - start);
          release();
        }),
      ),
    ),
  );
  return times;
}

describe("budget (fake timers)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("never lets more than `requests` start in any rolling window", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const budget = createBudget({ windows: [{ requests: 5, windowMs: 200 }], marginMs: 0 });
    const times = await startTimes(budget, 15);
    times.sort((a, b) => a - b);
    for (let i = 5; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 5] ?? 0)).toBeGreaterThanOrEqual(200);
    expect(budget.spent).toBe(15);
    // 15 requests at 5 per 200 ms: no idle time, the third five start exactly 400 ms after the first.
    expect(times).toEqual([0, 0, 0, 0, 0, 200, 200, 200, 200, 200, 400, 400, 400, 400, 400]);
  });

  it("holds two windows at once (per minute and per second)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const budget = createBudget({
      windows: [
        { requests: 6, windowMs: 1000 },
        { requests: 2, windowMs: 100 },
      ],
      marginMs: 0,
    });
    const times = await startTimes(budget, 6);
    expect(times).toEqual([0, 0, 100, 100, 200, 200]);
    // The seventh must wait for the minute-like window: a second after the first.
    expect(budget.estimate(1)).toBe(1000 - 200);
  });

  it("counts a request from its response, so a slow one never lets the window overfill", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const budget = createBudget({ windows: [{ requests: 2, windowMs: 100 }], countFrom: "response", marginMs: 0 });
    const first = await budget.take();
    const second = await budget.take();
    // Both still in flight: a third must wait for one of them, however long that takes.
    let third = false;
    const pending = budget.take().then((release) => {
      third = true;
      return release;
    });
    await vi.advanceTimersByTimeAsync(150);
    expect(third).toBe(false);
    const releasedAt = Date.now();
    first();
    second();
    await vi.advanceTimersByTimeAsync(99);
    expect(third).toBe(false);
    (await settle(pending))();
    expect(Date.now() - releasedAt).toBe(100);
  });

  it("counts adaptively by default: from the send time once usual round trips are known", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const budget = createBudget({ windows: [{ requests: 2, windowMs: 100 }], marginMs: 0 });
    const hold = (ms: number) => vi.advanceTimersByTimeAsync(ms);
    // Ten round trips of 60 ms teach the budget what usual is (counted from their responses meanwhile).
    for (let i = 0; i < 10; i++) {
      const release = await settle(budget.take());
      await hold(60);
      release();
    }
    await hold(120);
    const sentAt = Date.now();
    const a = await settle(budget.take());
    const b = await settle(budget.take());
    await hold(60);
    a();
    b();
    await settle(budget.take());
    // From the send time (100 ms), not from the responses (160 ms).
    expect(Date.now() - sentAt).toBe(100);
  });

  it("can count from the send time instead (countFrom: send)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const budget = createBudget({ windows: [{ requests: 2, windowMs: 100 }], countFrom: "send", marginMs: 0 });
    const started = Date.now();
    await settle(budget.take());
    await settle(budget.take());
    await settle(budget.take());
    expect(Date.now() - started).toBe(100);
  });

  it("pauses everyone after a 429", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const budget = createBudget({ windows: [{ requests: 100, windowMs: 1000 }] });
    budget.pause(120);
    const started = Date.now();
    await settle(Promise.all([budget.take(), budget.take()]));
    expect(Date.now() - started).toBe(120);
  });

  it("never waits past what a timer can hold, and ignores a non-finite pause", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const budget = createBudget({ windows: [{ requests: 100, windowMs: 1000 }] });
    budget.pause(Number.POSITIVE_INFINITY);
    const started = Date.now();
    await settle(budget.take());
    expect(Date.now() - started).toBe(0);
  });

  it("can be shared by two clients of the same keys", async () => {
    const fake = msw.facts({ "/People": people(10) });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const budget = createBudget({ windows: [{ requests: 2, windowMs: 300 }], marginMs: 0 });
    const a = testClient({ budget });
    const b = testClient({ budget });
    const start = Date.now();
    const results = await settle(
      Promise.all([a.list("/People", personSchema), b.list("/People", personSchema), a.list("/People", personSchema)]),
    );
    expect(results.every((r) => r.isOk())).toBe(true);
    expect(budget.spent).toBe(3);
    const [t0, , t2] = fake.requests.map((r) => r.at - start);
    expect((t2 ?? 0) - (t0 ?? 0)).toBeGreaterThanOrEqual(300);
  });
});

describe("redaction", () => {
  // Any 10 characters in a row of either key count as a leak, so a cut-short key is caught too.
  const windows = [KEYS.apiKey, KEYS.subscriptionKey].flatMap((k) =>
    Array.from({ length: k.length - 9 }, (_, i) => k.slice(i, i + 10)),
  );
  const leaks = (text: string) => windows.some((w) => text.includes(w));

  it("keeps the keys out of toString, JSON and inspect of the client", () => {
    const client = createFactsClient({ ...KEYS, baseUrl: BASE });
    expect(leaks(String(client))).toBe(false);
    expect(leaks(JSON.stringify(client))).toBe(false);
    expect(leaks(inspect(client, { depth: 10, showHidden: true }))).toBe(false);
  });

  it("keeps the keys out of every error, even when FACTS echoes them back", async () => {
    const fake = msw.facts({ "/People": people(3) });
    const echo = `Invalid key ${KEYS.apiKey} for subscription ${KEYS.subscriptionKey}`;
    const bodies = [
      HttpResponse.json({ statusCode: 401, message: echo }, { status: 401 }),
      HttpResponse.json({ type: "about:blank", title: "Forbidden", status: 403, detail: echo }, { status: 403 }),
      HttpResponse.json({ error: { code: "BadRequest", message: echo, target: "x", details: [] } }, { status: 400 }),
      HttpResponse.json({ type: "about:blank", title: "Server error", status: 500, detail: echo }, { status: 500 }),
      new HttpResponse(`<html><body>${echo}</body></html>`, { status: 502, headers: { "content-type": "text/html" } }),
      HttpResponse.text(echo, { status: 404 }),
    ];
    const logs: string[] = [];
    for (const [i, body] of bodies.entries()) {
      fake.fault = () => body.clone();
      const client = testClient({
        retry: { limit: 0 },
        logger: { debug: (m, d) => logs.push(m + JSON.stringify(d)), warn: (m, d) => logs.push(m + JSON.stringify(d)) },
      });
      const error = (await client.list("/People", personSchema))._unsafeUnwrapErr();
      for (const text of [error.message, JSON.stringify(error), String(error), inspect(error, { depth: 10 })]) {
        expect(leaks(text)).toBe(false);
      }
      // The HTML page is never echoed at all; every other body is, with the keys cut out.
      if (i !== 4) expect(JSON.stringify(error)).toContain("[redacted]");
      expect(error).toMatchSnapshot();
    }
    expect(logs.some(leaks)).toBe(false);
  });

  it("keeps the keys out of a network error's message", async () => {
    const client = createFactsClient({
      ...KEYS,
      baseUrl: BASE,
      retry: { limit: 0 },
      fetch: async () => {
        throw new TypeError(`fetch failed for ${KEYS.apiKey}`);
      },
    });
    msw.facts({});
    const error = (await client.list("/People", personSchema))._unsafeUnwrapErr();
    expect(error.type).toBe("Network");
    expect(leaks(JSON.stringify(error) + error.message)).toBe(false);
  });
});
