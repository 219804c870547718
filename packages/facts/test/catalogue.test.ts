import { describe, expect, it } from "vitest";
import { createFactsClient, createFactsSource, FACTS_PARENT_FIELDS, FACTS_STUDENT_FIELDS } from "../src/index.js";
import { createFactsSimulator, generateSchool } from "../src/testing/index.js";
import { FAST, KEYS, serveSchool, useServers } from "./simulator/support.js";

const serve = useServers();

describe("the setup catalogue (a few small requests, never the roster)", () => {
  it("lists schools, grades with order and final grade, user types and every UDF with its list items in 7 requests (user-defined groups once per type)", async () => {
    const { school, sim, client } = await serveSchool(serve, { seed: 7, people: 3000, schools: ["MAIN", "EAST"] });
    const catalogue = (await createFactsSource({ client }).catalogue())._unsafeUnwrap();

    const stats = sim.stats();
    expect(stats.requests).toBe(7);
    expect(stats.byEndpoint["/UserDefinedGroups"]).toBe(3);
    for (const roster of [
      "/People",
      "/People/ParentStudent",
      "/People/PersonFamily",
      "/Families",
      "/UserDefinedData",
    ]) {
      expect(stats.byEndpoint[roster] ?? 0).toBe(0);
    }
    expect(catalogue.schools.map((s) => s.schoolCode)).toEqual(["MAIN", "EAST"]);
    const orders = catalogue.gradeLevels.map((g) => g.sortOrder);
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
    expect(catalogue.gradeLevels.some((g) => g.final)).toBe(true);
    const students = catalogue.userTypes.find((u) => u.role === "student");
    expect(students?.count).toBe(school.tables["/Students"]?.length);
    const tshirt = catalogue.fields.find((f) => f.source === "udf:tshirt");
    expect(tshirt).toMatchObject({ kind: "udf", groupType: "STUDENT", roles: ["student"] });
    expect(tshirt?.listItems?.length).toBeGreaterThan(0);
    const parish = catalogue.fields.find((f) => f.label === "parish");
    expect(parish?.roles).toEqual(["student", "parent"]);
  });

  it("names exactly the fields a full read gives each role (built-ins and UDFs)", async () => {
    const { client } = await serveSchool(serve, { seed: 3, people: 400 });
    const source = createFactsSource({ client });
    const catalogue = (await source.catalogue())._unsafeUnwrap();
    const snapshot = (await source.read())._unsafeUnwrap();
    for (const role of ["student", "parent"] as const) {
      const read = new Set(snapshot.people.filter((p) => p.role === role).flatMap((p) => Object.keys(p.fields)));
      const listed = new Set(catalogue.fields.filter((f) => f.roles.includes(role)).map((f) => f.source));
      for (const key of read) expect(listed, `${role} field ${key}`).toContain(key);
    }
    expect(FACTS_STUDENT_FIELDS.length).toBeGreaterThan(0);
    expect(FACTS_PARENT_FIELDS.length).toBeGreaterThan(0);
  });
});

describe("test the key (permissions named as FACTS names them)", () => {
  it("grants everything to a full key, probing the write without writing anything", async () => {
    const { sim, client } = await serveSchool(serve, { seed: 1, people: 50 });
    const access = (await createFactsSource({ client }).checkAccess())._unsafeUnwrap();
    expect(access).toMatchObject({ authenticated: true, ok: true });
    expect(access.permissions.map((p) => [p.name, p.granted])).toEqual([
      ["School Configuration: Read", true],
      ["Academics: Read", true],
      ["People: Read", true],
      ["People: Write", true],
    ]);
    expect(sim.stats().writes).toMatchObject({ created: 0, updated: 0, deleted: 0 });
  });

  it("says which permission is missing: People: Write denied leaves the sync usable without hours", async () => {
    const sim = createFactsSimulator({
      school: generateSchool({ seed: 1, people: 50 }),
      keys: KEYS,
      rateLimit: false,
      permissions: { deny: ["People: Write", "Academics: Read"] },
    });
    const { client } = await serve(sim);
    const access = (await createFactsSource({ client }).checkAccess())._unsafeUnwrap();
    expect(access.authenticated).toBe(true);
    expect(access.ok).toBe(false);
    const byName = Object.fromEntries(access.permissions.map((p) => [p.name, p]));
    expect(byName["People: Write"]).toMatchObject({ granted: false, required: false });
    expect(byName["People: Write"]?.message).toContain('Grant "People: Write"');
    expect(byName["Academics: Read"]).toMatchObject({ granted: false, required: true });
    expect(byName["People: Read"]?.granted).toBe(true);
  });

  it("answers unauthenticated for wrong keys, and never shows a key", async () => {
    const { server } = await serveSchool(serve, { seed: 1, people: 50 });
    const wrongKey = `FK-${"0".repeat(100)}wrong`;
    const client = createFactsClient({
      subscriptionKey: KEYS.subscriptionKey,
      apiKey: wrongKey,
      baseUrl: server.url,
      ...FAST,
    });
    const access = (await createFactsSource({ client }).checkAccess())._unsafeUnwrap();
    expect(access).toMatchObject({ authenticated: false, ok: false });
    expect(JSON.stringify(access)).not.toContain(wrongKey);
    expect(JSON.stringify(access)).not.toContain(KEYS.subscriptionKey);
  });
});
