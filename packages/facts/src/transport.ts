/**
 * The client's I/O, in two steps with explicit inputs: one attempt (the request, same-origin redirects and
 * the capped body, within one timeout) and one request (attempts within the shared budget and the
 * concurrency limit, retried as `retry.ts` decides). Every error is built by `http-errors.ts`.
 *
 * @module
 */
import type { Clock, Logger } from "@rostersync/core";
import { err, ok, type Result } from "neverthrow";
import type { LimitFunction } from "p-limit";
import { MAX_TIMER_MS, type RequestBudget, sleep } from "./budget.js";
import type { FactsResponse, RequestOptions } from "./client.js";
import type { FactsError } from "./errors.js";
import { aborted, httpError, networkError, notJson, redirectTarget, timeout, tooLarge } from "./http-errors.js";
import { attemptWindow, nextStep, type RetryPolicy } from "./retry.js";

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Reads a body up to `limit` bytes; `null` when it is larger (reading stops there). Rejects with the
 * signal's reason when it fires mid-body, so a trickling body ends with the request's deadline.
 */
export async function readCapped(response: Response, limit: number, signal: AbortSignal): Promise<string | null> {
  const declared = Number(response.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const onAbort = () => {
    reader.cancel(signal.reason).catch(() => undefined);
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        return null;
      }
      chunks.push(value);
    }
    const all = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.byteLength;
    }
    return new TextDecoder().decode(all);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** What every request of one client shares. The keys live here and nowhere else. */
export interface Transport {
  readonly baseUrl: string;
  readonly baseOrigin: string;
  readonly subscriptionKey: string;
  readonly apiKey: string;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly redact: (text: string) => string;
  readonly maxBodyBytes: number;
  readonly maxRedirects: number;
  /** Per-attempt timeout. */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly budget: RequestBudget;
  readonly limit: LimitFunction;
  readonly logger: Logger | undefined;
  /** Counts a request sent (a followed redirect is one more). */
  onSent(): void;
  /** Reports how long an answer took, headers and body. */
  onLatency(ms: number): void;
  /** Counts a retry after a network error, a timeout or a `5xx`. */
  onRetry(): void;
  /** Counts a `429` met. */
  onRateLimited(): void;
}

/**
 * One attempt: the request, any same-origin redirects, and the whole body, all within `attemptMs`. The
 * keys travel only to `baseUrl`'s origin: a redirect elsewhere is refused before anything is sent there.
 * A timeout is reported as `reportMs`.
 */
export async function attempt(
  t: Transport,
  method: string,
  endpoint: string,
  request: RequestOptions,
  signal: AbortSignal | undefined,
  attemptMs: number,
  reportMs: number,
): Promise<Result<FactsResponse, FactsError>> {
  const first = new URL(`${t.baseUrl}${endpoint}`);
  first.searchParams.set("api-version", "1");
  for (const [k, v] of Object.entries(request.searchParams ?? {})) first.searchParams.set(k, String(v));
  const body = request.json === undefined ? undefined : JSON.stringify(request.json);
  const headers: Record<string, string> = {
    "Ocp-Apim-Subscription-Key": t.subscriptionKey,
    "Facts-Api-Key": t.apiKey,
    accept: "application/json",
    ...(body === undefined ? {} : { "content-type": "application/json" }),
  };
  const deadline = new AbortController();
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      deadline.abort(new DOMException("The request took too long.", "TimeoutError"));
    },
    Math.min(MAX_TIMER_MS, Math.max(0, attemptMs)),
  );
  const fetchSignal = signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]);
  const started = t.clock.now();
  let url = first;
  let hops = 0;
  try {
    for (;;) {
      if (hops > 0) t.onSent();
      const response = await t.fetch(url, {
        method,
        headers,
        redirect: "manual",
        signal: fetchSignal,
        ...(body === undefined ? {} : { body }),
      });
      if (REDIRECT_STATUSES.has(response.status) || response.type === "opaqueredirect") {
        await response.body?.cancel().catch(() => undefined);
        const target = redirectTarget({
          method,
          endpoint,
          status: response.status,
          location: response.headers.get("location"),
          url,
          baseOrigin: t.baseOrigin,
          hops,
          maxRedirects: t.maxRedirects,
        });
        if (!(target instanceof URL)) return err(target);
        hops++;
        url = target;
        continue;
      }
      const text = await readCapped(response, t.maxBodyBytes, fetchSignal);
      t.onLatency(t.clock.now() - started);
      if (text === null) return err(tooLarge(method, endpoint, response.status, t.maxBodyBytes));
      if (response.status < 200 || response.status > 299) {
        return err(
          httpError({
            method,
            endpoint,
            status: response.status,
            retryAfter: response.headers.get("retry-after"),
            text,
            redact: t.redact,
            now: t.clock.now(),
          }),
        );
      }
      if (text.trim() === "") return ok({ status: response.status, body: undefined });
      try {
        return ok({ status: response.status, body: JSON.parse(text) as unknown });
      } catch {
        return err(notJson(method, endpoint, text));
      }
    }
  } catch (error) {
    if (timedOut) return err(timeout(method, endpoint, reportMs));
    if (signal?.aborted) return err(aborted(method, endpoint));
    return err(networkError(method, endpoint, error, t.redact));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One request: attempts within the budget and the concurrency limit, each bounded by its timeout and the
 * request's deadline, then whatever {@link nextStep} decides after a failure (pause the shared budget on a
 * `429`, back off and retry, or fail). Never rejects.
 */
export async function send(
  t: Transport,
  method: string,
  endpoint: string,
  request: RequestOptions,
  signal: AbortSignal | undefined,
): Promise<Result<FactsResponse, FactsError>> {
  const idempotent = request.idempotent ?? method !== "POST";
  const deadline = request.deadline;
  let retries = 0;
  let limited = 0;
  for (;;) {
    if (signal?.aborted) return err(aborted(method, endpoint));
    const result = await t.limit(async () => {
      let release: () => void;
      try {
        release = await t.budget.take(signal);
      } catch {
        return err(aborted(method, endpoint));
      }
      try {
        const window = attemptWindow(method, endpoint, deadline, t.timeoutMs, t.clock.now());
        if (window.late) return err(window.error);
        t.onSent();
        return await attempt(t, method, endpoint, request, signal, window.attemptMs, window.reportMs);
      } finally {
        release();
      }
    });
    if (result.isOk()) return result;
    if (result.error.type === "RateLimited") t.onRateLimited();
    const state = { method, endpoint, idempotent, retries, limited, deadline };
    const step = nextStep(result.error, state, t.retry, t.clock.now());
    switch (step.kind) {
      case "fail":
        return result;
      case "hand-back":
        t.logger?.warn?.("facts rate limited beyond what this client waits", { endpoint, retryAfterMs: step.waitMs });
        return err(step.error);
      case "pause":
        // The budget is shared by everything on these keys: everyone waits, not just this request.
        t.budget.pause(step.waitMs);
        t.logger?.warn?.("facts rate limited", { endpoint, retryAfterMs: step.waitMs });
        limited++;
        if (step.again) continue;
        return result;
      case "back-off":
        retries++;
        t.onRetry();
        t.logger?.debug?.("facts retry", {
          method,
          endpoint,
          error: result.error.type,
          waitMs: Math.round(step.waitMs),
        });
        try {
          await sleep(step.waitMs, signal);
        } catch {
          return err(aborted(method, endpoint));
        }
        continue;
    }
  }
}
