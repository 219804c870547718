import {
  createMemoryDirectory,
  createMemoryRosterSource,
  createMemoryStore,
  type SourcePerson,
  type SyncProfile,
} from "@rostersync/core";
import { createFactsClient, createFactsSource } from "@rostersync/facts";
import { createFactsSimulator, type FactsServer, generateSchool, startFactsServer } from "@rostersync/facts/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createSync } from "../src/index.js";

const KEYS = { subscriptionKey: "sub-key-0123456789", apiKey: "api-key-0123456789-abcdef" };
const open: FactsServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function factsSchool() {
  const sim = createFactsSimulator({ school: generateSchool({ seed: 5, people: 300 }), keys: KEYS, rateLimit: false });
  const server = await startFactsServer(sim);
  open.push(server);
  const client = createFactsClient({
    ...KEYS,
    baseUrl: server.url,
    budget: { windows: [{ requests: 10_000, windowMs: 1000 }], marginMs: 0 },
  });
  const store = createMemoryStore();
  const sync = createSync({
    tenantId: "school-1",
    source: createFactsSource({ client }),
    directory: createMemoryDirectory(),
    store,
  });
  return { sim, sync, store };
}

const README_PROFILE: SyncProfile = {
  role: "student",
  schools: ["HS"],
  gradeLevels: ["09", "10", "11", "12"],
  fieldMap: [{ source: "udf:Class Year", target: "classYear", createAs: "dropdown" }],
  defaultSelection: true,
  hoursSync: { enabled: false, historicImportDone: false },
};

describe("setup() checks the profile against the SIS's catalogue", () => {
  it('refuses setup({ schools: ["HS"] }) against a school whose code is MAIN, with every problem, saving nothing', async () => {
    const { sim, sync, store } = await factsSchool();
    const result = await sync.setup(README_PROFILE);
    const error = result._unsafeUnwrapErr();
    expect(error.type).toBe("InvalidInput");
    if (error.type !== "InvalidInput") return;
    expect(error.problems.map((p) => p.path)).toEqual(["profile.schools[0]", "profile.fieldMap[0].source"]);
    expect(error.problems[0]?.message).toContain('School "HS" is not in the SIS, which has MAIN');
    expect(error.message).toMatch(/^The setup cannot be saved \(2 problems\): .*[^.]\.$/);
    expect((await store.getProfile("school-1"))._unsafeUnwrap()).toBeNull();
    // The catalogue is a handful of small requests, not a roster read.
    expect(sim.stats().requests).toBeLessThanOrEqual(7);
    expect(sim.stats().byEndpoint["/People"] ?? 0).toBe(0);
  });

  it("saves a profile naming what the SIS has", async () => {
    const { sync } = await factsSchool();
    const catalogue = (await sync.catalogue())._unsafeUnwrap();
    const profile: SyncProfile = {
      ...README_PROFILE,
      schools: [catalogue.schools[0]?.schoolCode ?? ""],
      gradeLevels: catalogue.gradeLevels.map((g) => g.code),
      fieldMap: [{ source: "udf:tshirt", target: "Shirt", createAs: "dropdown" }],
    };
    expect((await sync.setup(profile))._unsafeUnwrap()).toEqual(profile);
    const access = (await sync.checkAccess())._unsafeUnwrap();
    expect(access.ok).toBe(true);
  });
});

describe("no createField when nobody in scope would use the field (R8)", () => {
  it("plans no field for a setup that matches nobody, and one once somebody is in scope", async () => {
    const person: SourcePerson = {
      sourceId: "1",
      role: "student",
      firstName: "Ann",
      lastName: "Lee",
      email: "ann@school.test",
      schoolCode: "MAIN",
      gradeLevel: "08",
      status: "enrolled",
      families: [],
      studentIds: [],
      fields: { "udf:Class Year": "2030" },
    };
    const source = createMemoryRosterSource({
      snapshot: {
        people: [person],
        schools: [{ schoolCode: "MAIN", name: "Main", active: true }],
        gradeLevels: [
          { code: "08", name: "8", sortOrder: 8, final: false },
          { code: "12", name: "12", sortOrder: 12, final: true },
        ],
      },
    });
    const sync = createSync({ tenantId: "t", source, directory: createMemoryDirectory(), store: createMemoryStore() });
    (await sync.setup({ ...README_PROFILE, schools: ["MAIN"], gradeLevels: ["12"] }))._unsafeUnwrap();
    const nobody = (await sync.refresh())._unsafeUnwrap();
    expect(nobody.totals.importable).toBe(0);
    const empty = (await sync.plan())._unsafeUnwrap();
    expect(empty.actions.filter((a) => a.type === "createField")).toEqual([]);

    (await sync.setup({ ...README_PROFILE, schools: ["MAIN"], gradeLevels: ["08"] }))._unsafeUnwrap();
    (await sync.refresh())._unsafeUnwrap();
    const one = (await sync.plan())._unsafeUnwrap();
    expect(one.actions.filter((a) => a.type === "createField").map((a) => a.actionId)).toEqual([
      "createField:classYear",
    ]);
  });
});
