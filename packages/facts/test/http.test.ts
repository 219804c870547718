import { describe, expect, it } from "vitest";
import { generateTables, type StandIn, startStandIn } from "../bench/support.js";
import {
  createBudget,
  createFactsClient,
  createFactsHoursSink,
  createFactsSource,
  type FactsClient,
  type FactsClientOptions,
} from "../src/index.js";
import { KEYS } from "./helpers/fake-facts.js";

/**
 * Serves `tables` from the stand-in FACTS, hands `use` a client of the test keys with `options` pointed at
 * it, and closes the server however `use` ends.
 */
async function overStandIn(
  tables: StandIn["tables"],
  serve: Parameters<typeof startStandIn>[1],
  options: Omit<FactsClientOptions, "subscriptionKey" | "apiKey" | "baseUrl">,
  use: (client: FactsClient, server: StandIn) => Promise<void>,
): Promise<void> {
  const server = await startStandIn(tables, serve);
  try {
    await use(createFactsClient({ ...KEYS, baseUrl: server.url, ...options }), server);
  } finally {
    await server.close();
  }
}

// Over real HTTP on a loopback port (node:http), not msw: sockets, keep-alive, real latency.
describe("over HTTP", () => {
  it("reads a 10k-person school and returns exactly the generated people", async () => {
    const tables = generateTables(10_000, 3);
    const budget = { windows: [{ requests: 1000, windowMs: 1000 }] };
    await overStandIn(tables, { latencyMs: [1, 5], windows: [] }, { budget }, async (client, server) => {
      const snapshot = (await createFactsSource({ client }).read())._unsafeUnwrap();
      const people = new Map((tables["/People"] ?? []).map((p) => [p.personId as number, p]));
      const expected = [
        ...(tables["/Students"] ?? []).map((s) => {
          const p = people.get(s.studentId as number);
          return `student:${s.studentId}:${p?.firstName}:${p?.lastName}:${p?.email}:${(s.school as { gradeLevel: string }).gradeLevel}`;
        }),
        ...[...new Set((tables["/People/ParentStudent"] ?? []).map((l) => l.parentID as number))].map((id) => {
          const p = people.get(id);
          return `parent:${id}:${p?.firstName}:${p?.lastName}:${p?.email}:null`;
        }),
      ].sort();
      const actual = snapshot.people
        .map((p) => `${p.role}:${p.sourceId}:${p.firstName}:${p.lastName}:${p.email}:${p.gradeLevel ?? null}`)
        .sort();
      expect(actual).toEqual(expected);
      expect(actual).toHaveLength(10_000);
      // The minimal number of requests: Σ ⌈rows / 1000⌉ over the endpoints read.
      const minimal = [
        "/SchoolConfigurations",
        "/Academics/GradeLevels",
        "/Students",
        "/People",
        "/People/ParentStudent",
        "/People/PersonFamily",
        "/Families",
        "/UserDefinedGroups",
        "/UserDefinedFields",
        "/UserDefinedData",
      ].reduce((n, e) => n + Math.max(1, Math.ceil((tables[e]?.length ?? 0) / 1000)), 0);
      // Groups are read once per group type the roster needs (STUDENT, PARENT, FAMILY): two more reads.
      expect(server.stats.requests).toBe(minimal + 2);
    });
  });

  it("never exceeds the rate limit the server counts (two rolling windows)", async () => {
    const windows = [
      { requests: 24, windowMs: 1500 },
      { requests: 6, windowMs: 250 },
    ];
    const tables = generateTables(3000, 5);
    const options = {
      pageSize: 100,
      concurrency: 6,
      // Counted from each response, which the stand-in always sends after it counted the arrival: with
      // windows this short, the default adaptive estimate can undercount a request delayed on its way out
      // by a loaded machine and meet a 429. The adaptive mode has its own tests in client.test.ts.
      budget: createBudget({ windows, countFrom: "response" }),
    };
    await overStandIn(tables, { latencyMs: [5, 60], windows }, options, async (client, server) => {
      const snapshot = await createFactsSource({ client }).read();
      expect(snapshot.isOk()).toBe(true);
      expect(server.stats.requests).toBeGreaterThan(60);
      expect(server.stats.rejected).toBe(0);
      expect(server.stats.maxInWindow[0]).toBeLessThanOrEqual(24);
      expect(server.stats.maxInWindow[1]).toBeLessThanOrEqual(6);
    });
  });

  it("pushes hours over HTTP at about one request per entry, each created once", async () => {
    const tables = generateTables(1000, 9);
    const budget = { windows: [{ requests: 5000, windowMs: 1000 }] };
    await overStandIn(tables, { latencyMs: [1, 3], windows: [] }, { budget }, async (client, server) => {
      const students = (tables["/Students"] ?? []).map((s) => String(s.studentId));
      const outcomes = await createFactsHoursSink({ client }).write(
        Array.from({ length: 1000 }, (_, i) => ({
          hourId: `h${i}`,
          op: "create" as const,
          hour: {
            personId: students[i % students.length] as string,
            role: "student" as const,
            date: "2025-10-01",
            hours: 1,
            description: "Shift",
          },
        })),
      );
      expect(outcomes._unsafeUnwrap().filter((o) => o.status === "created")).toHaveLength(1000);
      expect(tables["/Students/ServiceHours"]).toHaveLength(1000);
      expect(server.stats.requests / 1000).toBeLessThanOrEqual(1.05);
    });
  });
});
