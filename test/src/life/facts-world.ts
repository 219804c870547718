/**
 * A life's world over real components: the FACTS simulator over HTTP (its own generated school, promoted by
 * its own next-year model), the FACTS source and hours sink through the real client, the SQLite store and
 * the SQLite directory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SourcePerson } from "@rostersync/core";
import { createFactsClient, createFactsHoursSink, createFactsSource } from "@rostersync/facts";
import {
  createFactsSimulator,
  type GeneratedFactsSchool,
  generateSchool,
  nextSchoolYear,
  type SchoolModel,
  type SimServiceHour,
  schoolFrom,
  startFactsServer,
} from "@rostersync/facts/testing";
import { createSqliteDirectory, createSqliteStore } from "@rostersync/storage-sqlite";
import { divisionOf, historicHoursFor, hostAccountsFor, type LifeWorld } from "./world.js";

const SCHOOL_CODES = ["ES", "MS", "HS"];

/** Students sit in the division of their grade (the generator spreads families over schools at random). */
function inDivisions(seed: number, school: GeneratedFactsSchool): GeneratedFactsSchool {
  const model: SchoolModel = {
    ...school.model,
    families: school.model.families.map((f) => ({
      ...f,
      students: f.students.map((s) => ({ ...s, schoolIndex: SCHOOL_CODES.indexOf(divisionOf(s.grade)) })),
    })),
  };
  return schoolFrom(seed, model);
}

/** Opens the world; `close()` stops the server and removes the files. */
export async function factsWorld(seed: number, size: number): Promise<LifeWorld> {
  const keys = { subscriptionKey: "life-subscription-key", apiKey: "life-school-key" };
  let school = inDivisions(seed, generateSchool({ seed, people: size, schools: SCHOOL_CODES }));
  const people = (): readonly SourcePerson[] => school.expectedPeople;
  const historic = historicHoursFor(people(), seed);
  const sim = createFactsSimulator({
    school,
    keys,
    rateLimit: false,
    serviceHours: historic.map(
      (h): SimServiceHour => ({
        serviceHoursId: Number(h.serviceHoursId),
        personId: Number(h.personId),
        description: h.description,
        hours: h.hours,
        date: h.date,
        note: null,
        verifiedBy: null,
        role: h.role,
      }),
    ),
  });
  const server = await startFactsServer(sim);
  const client = createFactsClient({
    ...keys,
    baseUrl: server.url,
    budget: { windows: [{ requests: 100_000, windowMs: 1000 }] },
  });
  const dir = mkdtempSync(join(tmpdir(), "rs-life-"));
  const store = (await createSqliteStore({ path: join(dir, "store.db") }))._unsafeUnwrap();
  const directory = (await createSqliteDirectory({ path: join(dir, "accounts.db") }))._unsafeUnwrap();
  directory.seed(hostAccountsFor(people(), seed));
  const sink = createFactsHoursSink({ client });
  return {
    people,
    advance(events) {
      school = inDivisions(events.seed, nextSchoolYear(school, { seed: events.seed }));
      sim.load(school);
    },
    source: createFactsSource({ client }),
    directory,
    accounts: async () => (await directory.listAccounts())._unsafeUnwrap(),
    store,
    sink,
    records: async () => (await sink.listAll())._unsafeUnwrap(),
    historic,
    async close() {
      directory.close();
      await store.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
