// Hero's tardy sinks keep the TardySink contract (@rostersync/testing/tardy-sink): the file drop, a host
// callback and FACTS attendance.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFactsClient } from "@rostersync/facts";
import { createFactsSimulator, type FactsServer, generateSchool, startFactsServer } from "@rostersync/facts/testing";
import { runTardySinkContract } from "@rostersync/testing/tardy-sink";
import { afterAll, afterEach } from "vitest";
import { createCallbackSink, createFactsAttendanceSink, createFileDirectorySink } from "../src/index.js";

const folders: string[] = [];
afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

runTardySinkContract("file-directory", async () => {
  const folder = await mkdtemp(join(tmpdir(), "rs-tardy-sink-"));
  folders.push(folder);
  return createFileDirectorySink({ directory: join(folder, "inbox"), fsync: false });
});

// A host callback that honours the signal, as docs/hero-export.md asks of one.
runTardySinkContract("callback", () =>
  createCallbackSink({
    deliver: (_delivery, { signal }) => {
      signal?.throwIfAborted();
      return undefined;
    },
  }),
);

// FACTS attendance over the FACTS simulator, served over real HTTP: a fresh simulator per test.
const school = generateSchool({ seed: 8, people: 60 });
const studentIds = school.tables["/Students"].map((s) => String(s.studentId));
const keys = { subscriptionKey: "sub-0123456789abcdef", apiKey: "api-0123456789abcdef0123456789" };
const servers: FactsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

runTardySinkContract(
  "facts-attendance",
  async () => {
    const server = await startFactsServer(createFactsSimulator({ school, keys, rateLimit: false }));
    servers.push(server);
    const client = createFactsClient({ ...keys, baseUrl: server.url, retry: { baseDelayMs: 1, jitter: (d) => d } });
    return createFactsAttendanceSink({
      client,
      classes: {
        "1": { classId: 7101, column: 1 },
        "2": { classId: 7102, column: 2 },
        "3": { classId: 7103, column: 3 },
      },
    });
  },
  {
    values: (n) => ({
      studentSisId: studentIds[n % studentIds.length] as string,
      date: "2026-09-14",
      period: String(1 + (n % 3)),
      externalReferenceCode: "T",
    }),
  },
);
