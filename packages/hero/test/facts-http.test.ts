// The FACTS sink over real HTTP (node:http on loopback, the attendance model behind it): lost answers are
// connections destroyed after the write, so the client sees what it would see from a real network.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryStore, createMemoryTardySource } from "@rostersync/core";
import { createFactsClient } from "@rostersync/facts";
import { afterEach, expect, it } from "vitest";
import { createFactsAttendanceSink, runExport } from "../src/index.js";
import { createFakeFacts, type FakeFacts, LostAnswer } from "./helpers/fake-facts-attendance.js";
import { behaviorCodes, bellSchedules, config, schools, tardy } from "./helpers/school.js";

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function serve(fake: FakeFacts): Promise<string> {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method ?? "GET",
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    try {
      const response = await fake.handle(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      if (error instanceof LostAnswer) req.socket.destroy();
      else {
        res.writeHead(500);
        res.end();
      }
    }
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

it("writes every tardy exactly once over HTTP with dropped connections, 502s and 429s", {
  timeout: 300_000,
}, async () => {
  const fake = createFakeFacts({ lostCreate: 0.2, rateLimit: 0.03, readFailure: 0.05, seed: 11 });
  const baseUrl = await serve(fake);
  const client = createFactsClient({
    subscriptionKey: "sub-0123456789abcdef",
    apiKey: "api-0123456789abcdef0123456789",
    baseUrl,
    concurrency: 8,
    budget: { windows: [{ requests: 100_000, windowMs: 1000 }], marginMs: 0 },
    retry: { baseDelayMs: 1, maxDelayMs: 2, jitter: (d) => d },
    timeoutMs: 5_000,
  });
  const events = Array.from({ length: 200 }, (_, i) => tardy(`h${i}`, { studentSisId: String(5000 + i) }));
  const store = createMemoryStore();
  const source = createMemoryTardySource({ schools, behaviorCodes, bellSchedules, tardies: events });
  const sink = createFactsAttendanceSink({ client, classes: { "1": { classId: 601, column: "1" } } });
  const factsConfig = config({
    preset: "facts",
    sink: "facts",
    fields: [{ field: "studentSisId" }, { field: "date" }, { field: "period" }, { field: "externalReferenceCode" }],
  });
  let runs = 0;
  for (; runs < 30; runs++) {
    const r = await runExport(factsConfig, { now: Date.now(), tenantId: "s", store, source, sinks: { facts: sink } });
    if (r.isOk()) break;
  }
  expect(runs).toBeLessThan(30);
  expect(fake.faults.lostCreate).toBeGreaterThan(10);
  expect(fake.rows.size).toBe(200);
  expect(fake.duplicates()).toBe(0);
  const ledger = (await store.getExportLedger("s", factsConfig.exportId))._unsafeUnwrap();
  expect(new Set(ledger.map((l) => l.externalId)).size).toBe(200);
});
