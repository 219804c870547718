// A complete host: its own accounts and hours, one school's FACTS (the simulator), and rostersync's admin
// workflow mounted as an HTTP handler on node:http (or on Express, see express.ts).

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryStore, type SyncStore } from "@rostersync/core";
import { createFactsClient, createFactsHoursSink, createFactsSource } from "@rostersync/facts";
import {
  createFactsSimulator,
  type FactsSimulator,
  type GenerateSchoolOptions,
  generateSchool,
  startFactsServer,
} from "@rostersync/facts/testing";
import { createRosterHandler, type RosterHandler, toNodeListener } from "@rostersync/http";
import { createSync, type ProgressListener, type Sync } from "@rostersync/sync";
import { type AccountsDirectory, createAccountsDirectory } from "./directory.ts";
import { createHoursLog, type HoursLog } from "./hours.ts";

/** The path the admin API is mounted at. */
export const API = "/api/rostersync";

/** The host's sessions: a bearer token names an admin and the one school they manage. */
const ADMINS: Readonly<Record<string, { readonly user: string; readonly school: string }>> = {
  "token-ann": { user: "ann", school: "lincoln-high" },
  "token-bob": { user: "bob", school: "lincoln-high" },
};

const KEYS = { subscriptionKey: "host-typescript-subscription-0001", apiKey: "host-typescript-school-key-0001" };

/** A running host. */
export interface Host {
  readonly url: string;
  readonly factsUrl: string;
  readonly handler: RosterHandler;
  readonly directory: AccountsDirectory;
  readonly hours: HoursLog;
  readonly facts: FactsSimulator;
  readonly store: SyncStore;
  close(): Promise<void>;
}

/** Options of {@link startHost}. */
export interface HostOptions {
  /** Port to listen on (0: any free one). Default 0. */
  readonly port?: number | undefined;
  /** The simulated school. Default: 300 people at one school, MAIN. */
  readonly school?: GenerateSchoolOptions | undefined;
}

/** Starts the FACTS simulator and the host's HTTP server on 127.0.0.1. */
export async function startHost(options: HostOptions = {}): Promise<Host> {
  const facts = createFactsSimulator({
    school: generateSchool(options.school ?? { seed: 42, people: 300 }),
    keys: KEYS,
    rateLimit: false,
  });
  const factsServer = await startFactsServer(facts);
  const client = createFactsClient({
    ...KEYS,
    baseUrl: factsServer.url,
    // The simulator's limit is off; FACTS's real budget is 100 requests a minute (the client's default).
    budget: { windows: [{ requests: 1000, windowMs: 1000 }] },
  });
  const directory = createAccountsDirectory();
  const hours = createHoursLog();
  const store = createMemoryStore();

  // One Sync per school, kept between requests; its progress goes to the request listening now.
  const listeners = new Map<string, ProgressListener>();
  const syncs = new Map<string, Sync>();
  const syncFor = (school: string): Sync => {
    let sync = syncs.get(school);
    if (sync === undefined) {
      sync = createSync({
        tenantId: school,
        source: createFactsSource({ client }),
        directory,
        store,
        hours: createFactsHoursSink({ client }),
        hoursSource: hours,
        onProgress: (p) => listeners.get(school)?.(p),
      });
      syncs.set(school, sync);
    }
    return sync;
  };

  const handler = createRosterHandler({
    basePath: API,
    resolve(request, { onProgress }) {
      const token = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
      const admin = ADMINS[token];
      if (admin === undefined) return null;
      listeners.set(admin.school, onProgress);
      return { sync: syncFor(admin.school), actor: admin.user };
    },
    onError: (e) => console.error("rostersync handler:", e),
  });

  const server: Server = createServer((req, res) => {
    if ((req.url ?? "").startsWith(API)) {
      toNodeListener(handler)(req, res).catch((e: unknown) => {
        console.error(e);
        res.destroy();
      });
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    factsUrl: factsServer.url,
    handler,
    directory,
    hours,
    facts,
    store,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await factsServer.close();
    },
  };
}
