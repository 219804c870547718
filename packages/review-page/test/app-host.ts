/**
 * A host for the review app's browser test and bench: a real node:http server mounting rostersync's handler
 * with the app and a key store, one school whose FACTS is the simulator over HTTP (or, for the bench's big
 * school, an in-memory roster), the host's own accounts directory and a store. The admin's session is a
 * cookie (`session=ann`, or `session=bob` for a second admin of the same school).
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createMemoryDirectory,
  createMemoryHoursSource,
  createMemoryRosterSource,
  createMemoryStore,
  type MemoryDirectory,
  type RosterSnapshot,
  type RosterSource,
  type SyncStore,
} from "@rostersync/core";
import { createFactsClient, createFactsHoursSink, createFactsSource } from "@rostersync/facts";
import {
  createFactsSimulator,
  type FactsServer,
  type FactsSimulator,
  type GeneratedFactsSchool,
  generateSchool,
  startFactsServer,
} from "@rostersync/facts/testing";
import { createRosterHandler, toNodeListener } from "@rostersync/http";
import { renderReviewApp } from "@rostersync/review-page";
import { createSync, type ProgressListener, type Sync } from "@rostersync/sync";

/** Where the handler (and the app, at `${API}/`) is mounted. */
export const API = "/admin/rostersync";
/** The school's tenant id. */
export const SCHOOL = "demo-school";
/** The key the simulated FACTS accepts: the admin types it in Step 1. */
export const SCHOOL_KEY = "demo-school-facts-api-key-0001";
const SUBSCRIPTION_KEY = "host-platform-subscription-0001";

/** A running host. */
export interface AppHost {
  /** The server's origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The app's address. */
  readonly appUrl: string;
  readonly directory: MemoryDirectory;
  readonly store: SyncStore;
  /** The FACTS simulator (FACTS mode). */
  readonly facts: FactsSimulator | null;
  readonly factsUrl: string | null;
  /** The school FACTS serves (FACTS mode). */
  readonly school: GeneratedFactsSchool | null;
  /** The school's sync as the handler uses it now (with the key the admin saved). */
  sync(): Sync;
  /** Keys the admin saved, for the test to check none leaked (the host itself keeps it). */
  readonly savedKeys: readonly string[];
  close(): Promise<void>;
}

/** Options of {@link startAppHost}. */
export interface AppHostOptions {
  /** FACTS over HTTP (default) or an in-memory roster of this snapshot (the bench's 20,000 people). */
  readonly roster?: RosterSnapshot | undefined;
  /** People in the simulated school (FACTS mode). Default 300. */
  readonly people?: number | undefined;
  /**
   * Student service hours FACTS holds before the first sync (FACTS mode), which the host never imported: the
   * historic-hours guard refuses to switch hour syncing on over them. Default 0.
   */
  readonly historicHours?: number | undefined;
  /** The key the host starts with (the bench skips Step 1). Default: none until the admin enters one. */
  readonly apiKey?: string | undefined;
}

/** Starts the host on 127.0.0.1 (any free port). */
export async function startAppHost(options: AppHostOptions = {}): Promise<AppHost> {
  let facts: FactsSimulator | null = null;
  let factsServer: FactsServer | null = null;
  let school: GeneratedFactsSchool | null = null;
  if (options.roster === undefined) {
    // More families sharing one email than the default, so that siblings share one too (Resolve Duplicates).
    school = generateSchool({ seed: 42, people: options.people ?? 300, sharedEmailRate: 0.4 });
    facts = createFactsSimulator({
      school,
      keys: { subscriptionKey: SUBSCRIPTION_KEY, apiKey: SCHOOL_KEY },
      rateLimit: false,
      serviceHours: school.expectedPeople
        .filter((p) => p.role === "student")
        .slice(0, options.historicHours ?? 0)
        .map((p, i) => ({
          serviceHoursId: 9000 + i,
          personId: Number(p.sourceId),
          description: "Food drive",
          hours: 2,
          date: "2025-10-01T00:00:00",
          note: null,
          role: "student" as const,
        })),
    });
    factsServer = await startFactsServer(facts);
  }
  const directory = createMemoryDirectory();
  const store = createMemoryStore();
  const hoursSource = createMemoryHoursSource();
  const savedKeys: string[] = [];
  // The host's secret store: the school's key, as the admin entered it.
  let apiKey: string = options.apiKey ?? "";
  let current: Sync | null = null;
  let listener: ProgressListener | null = null;

  const sourceFor = (key: string): { source: RosterSource; hours?: ReturnType<typeof createFactsHoursSink> } => {
    if (options.roster !== undefined) return { source: createMemoryRosterSource({ snapshot: options.roster }) };
    const client = createFactsClient({
      subscriptionKey: SUBSCRIPTION_KEY,
      // Before the admin enters a key, FACTS refuses this one: "test the key" says so.
      apiKey: key === "" ? "no-key-entered-yet" : key,
      baseUrl: (factsServer as FactsServer).url,
      budget: { windows: [{ requests: 10_000, windowMs: 1000 }] },
    });
    return { source: createFactsSource({ client }), hours: createFactsHoursSink({ client }) };
  };
  const sync = (): Sync => {
    if (current === null) {
      const ports = sourceFor(apiKey);
      current = createSync({
        tenantId: SCHOOL,
        source: ports.source,
        directory,
        store,
        ...(ports.hours === undefined ? {} : { hours: ports.hours }),
        hoursSource,
        onProgress: (p) => listener?.(p),
      });
    }
    return current;
  };

  const handler = createRosterHandler({
    basePath: API,
    app: renderReviewApp,
    keys: {
      save({ apiKey: key }) {
        savedKeys.push(key);
        apiKey = key;
        current = null; // the next request's sync reads FACTS with the new key
      },
    },
    resolve(request, { onProgress }) {
      const cookie = request.headers.get("cookie") ?? "";
      const user = /(?:^|;\s*)session=(ann|bob)(?:;|$)/.exec(cookie)?.[1];
      if (user === undefined) return null;
      listener = onProgress;
      return { sync: sync(), actor: user };
    },
    onError: (e) => console.error("rostersync handler:", e),
  });
  const listen = toNodeListener(handler);
  const server: Server = createServer((req, res) => {
    if ((req.url ?? "").startsWith(API)) {
      listen(req, res).catch(() => res.destroy());
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    appUrl: `${url}${API}/`,
    directory,
    store,
    facts,
    factsUrl: factsServer?.url ?? null,
    school,
    sync,
    savedKeys,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await factsServer?.close();
    },
  };
}
