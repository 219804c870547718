import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBudget, createFactsClient, type FactsClientOptions, personSchema } from "../src/index.js";
import { KEYS } from "./helpers/fake-facts.js";

// Every hostile case of issue 14 §4 against a FACTS in a child process, with the client's memory sampled
// while it reads. Bounds are asserted on memory and request counts, never on wall-clock time (the typed
// error proves the deadline did its work); the times are printed for the record.

let child: ChildProcess;
let url = "";
beforeAll(async () => {
  child = spawn(process.execPath, [fileURLToPath(new URL("./helpers/hostile-server.mjs", import.meta.url))], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  url = await new Promise<string>((resolve, reject) => {
    child.stdout?.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("error", reject);
  });
});
afterAll(() => {
  child.kill();
});

const stats = async () =>
  (await (await fetch(`${url}/stats`)).json()) as { counts: Record<string, number>; sent: Record<string, number> };

const client = (extra: Partial<FactsClientOptions> = {}) =>
  createFactsClient({
    ...KEYS,
    baseUrl: url,
    budget: { windows: [{ requests: 10_000, windowMs: 1000 }], marginMs: 0 },
    retry: { limit: 0 },
    ...extra,
  });

const MiB = 1024 * 1024;

/** Runs `work`, sampling the client's heap and buffers every 10 ms: the peak growth over the start. */
async function measured<T>(
  name: string,
  work: () => PromiseLike<T>,
): Promise<{ result: T; peakMiB: number; ms: number }> {
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = used();
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, used());
  }, 10);
  const started = performance.now();
  try {
    const result = await work();
    peak = Math.max(peak, used());
    const out = {
      result,
      peakMiB: Math.round(((peak - base) / MiB) * 10) / 10,
      ms: Math.round(performance.now() - started),
    };
    console.info(`[bounds] ${name}: +${out.peakMiB} MiB peak, ${out.ms} ms`);
    return out;
  } finally {
    clearInterval(sampler);
  }
}

describe("the client's time and memory bounds against a hostile FACTS (child process)", () => {
  it("a body that trickles ends with Timeout at the per-request deadline (headers and body), once per attempt", async () => {
    const { result } = await measured("trickling body, timeoutMs 300, 1 retry", () =>
      client({ timeoutMs: 300, retry: { limit: 1, baseDelayMs: 1, jitter: (d) => d } }).list("/Trickle", personSchema),
    );
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: "Timeout", timeoutMs: 300 });
    expect((await stats()).counts["/Trickle"]).toBe(2);
  });

  it("an endless body stops at the default 64 MiB cap with TooLarge; the client's memory stays bounded", async () => {
    const before = (await stats()).sent["/Endless"] ?? 0;
    const { result, peakMiB } = await measured("endless body, default cap", () =>
      client().list("/Endless", personSchema),
    );
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: "TooLarge", limitBytes: 64 * MiB, retryable: false });
    const after = await stats();
    expect(after.counts["/Endless"]).toBe(1);
    // The server got to send the cap and what was in flight, not gigabytes.
    console.info(
      `[bounds] endless body: server sent ${Math.round((((after.sent["/Endless"] ?? 0) - before) / MiB) * 10) / 10} MiB`,
    );
    expect(peakMiB).toBeLessThan(3 * 64);
  });

  it("a smaller cap is honoured, and a declared Content-Length over it is refused before reading", async () => {
    const small = await measured("endless body, 1 MiB cap", () =>
      client({ maxBodyBytes: MiB }).list("/Endless", personSchema),
    );
    expect(small.result._unsafeUnwrapErr()).toMatchObject({ type: "TooLarge", limitBytes: MiB });
    expect(small.peakMiB).toBeLessThan(64);
    const declared = await client({ maxBodyBytes: MiB }).list("/Declared", personSchema);
    expect(declared._unsafeUnwrapErr()).toMatchObject({ type: "TooLarge" });
  });

  it("pageCount: 1000000 is never planned: one request, then Inconsistent (a lie, or over the page cap)", async () => {
    const lying = await measured("pageCount 1e6 for 1 row", () => client().list("/LyingPages", personSchema));
    expect(lying.result._unsafeUnwrapErr()).toMatchObject({ type: "Inconsistent", expected: 1, actual: 1_000_000 });
    const huge = await measured("1e6 pages of 1 row", () => client().list("/MillionPages", personSchema));
    expect(huge.result._unsafeUnwrapErr()).toMatchObject({ type: "Inconsistent", expected: 10_000, actual: 1_000_000 });
    const s = await stats();
    expect(s.counts["/LyingPages"]).toBe(1);
    expect(s.counts["/MillionPages"]).toBe(1);
    expect(huge.peakMiB).toBeLessThan(64);
  });

  it("estimate() of a million planned pages is arithmetic, not a loop over them", () => {
    const budget = createBudget();
    // 100 a minute: a million requests take 10,000 minutes; a loop over 2^53 of them would never return.
    expect(budget.estimate(1_000_000)).toBeGreaterThan(599_000_000);
    expect(Number.isFinite(budget.estimate(Number.MAX_SAFE_INTEGER))).toBe(true);
    expect(budget.estimate(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });

  it("Retry-After: 999999999 → RateLimited at once, carrying the wait; no timer overflow", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const { result } = await measured("Retry-After 999999999", () => client().list("/RetryForever", personSchema));
      expect(result._unsafeUnwrapErr()).toMatchObject({ type: "RateLimited", retryAfterMs: 999_999_999_000 });
      expect((await stats()).counts["/RetryForever"]).toBe(1);
      await new Promise((r) => setTimeout(r, 50));
      expect(warnings).not.toContain("TimeoutOverflowWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("Retry-After as an HTTP date an hour ahead → RateLimited at once with about an hour's wait", async () => {
    const { result } = await measured("Retry-After HTTP date +1 h", () => client().list("/RetryDate", personSchema));
    const error = result._unsafeUnwrapErr();
    expect(error.type).toBe("RateLimited");
    if (error.type !== "RateLimited") return;
    expect(error.retryAfterMs).toBeGreaterThan(3_500_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(3_601_000);
    expect(error.message).toContain("retry.maxRetryAfterMs");
    expect((await stats()).counts["/RetryDate"]).toBe(1);
  });

  it("a Retry-After within maxRetryAfterMs is waited for; beyond a lower maximum it is handed back", async () => {
    const waited = await client().list("/RetrySoon", personSchema);
    expect(waited._unsafeUnwrap()).toHaveLength(1);
    expect((await stats()).counts["/RetrySoon"]).toBe(2);
    const refused = await client({ retry: { limit: 0, maxRetryAfterMs: 500 } }).list("/RetrySoon", personSchema);
    expect(refused._unsafeUnwrapErr()).toMatchObject({ type: "RateLimited", retryAfterMs: 1000 });
    expect((await stats()).counts["/RetrySoon"]).toBe(3);
  });

  it("readTimeoutMs bounds a whole paged read, however long each attempt may take", async () => {
    const before = (await stats()).counts["/Trickle"] ?? 0;
    const { result } = await measured("trickling body, readTimeoutMs 300, timeoutMs 60 s", () =>
      client({ timeoutMs: 60_000, readTimeoutMs: 300, retry: { limit: 5 } }).list("/Trickle", personSchema),
    );
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: "Timeout", timeoutMs: 300 });
    expect(((await stats()).counts["/Trickle"] ?? 0) - before).toBe(1);
  });

  it("a Retry-After longer than what is left of the read's deadline is handed back at once", async () => {
    const result = await client({ readTimeoutMs: 500 }).list("/RetryTen", personSchema);
    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: "RateLimited", retryAfterMs: 10_000 });
    expect(error.message).toContain("deadline");
    expect((await stats()).counts["/RetryTen"]).toBe(1);
  });
});
