/**
 * The FACTS simulator of `@rostersync/facts/testing` over node:http in its own thread, so that its clock
 * and event loop are not the client's: a server in the client's process sees requests late whenever the
 * client is busy parsing, which no real server does.
 */
import { parentPort, workerData } from "node:worker_threads";
import { parseMarker, ROSTER_ENDPOINTS } from "@rostersync/facts";
import { createFactsSimulator, generateSchool, startFactsServer } from "@rostersync/facts/testing";
import type { SimWorkerData } from "./support.ts";

const { people, seed, latencyMs, windows } = workerData as SimWorkerData;
const school = generateSchool({ seed, people });
const sim = createFactsSimulator({
  school,
  keys: { subscriptionKey: "bench-subscription-key-0000000000", apiKey: "bench-api-key" },
  rateLimit: { windows },
  latencyMs,
  seed,
  logLimit: 0,
});
const server = await startFactsServer(sim);
parentPort?.postMessage({
  url: server.url,
  students: school.counts.students,
  parents: school.counts.parents,
  minimalRosterRequests: ROSTER_ENDPOINTS.reduce(
    (n, e) => n + Math.max(1, Math.ceil(school.tables[e].length / 1000)),
    0,
  ),
  studentIds: school.tables["/Students"].map((s) => String(s.studentId)),
});
parentPort?.once("message", async () => {
  const hours = sim.serviceHours();
  const stats = sim.stats();
  await server.close();
  parentPort?.postMessage({
    stats: { requests: stats.requests, rejected: stats.rateLimited, maxInWindow: [...stats.maxPerWindow] },
    hours: hours.length,
    distinctMarkers: new Set(hours.map((h) => parseMarker(h.note).hostHourId)).size,
  });
});
