import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Account, isValidEmail, normaliseEmail, type SourcePerson, type SyncProfile } from "@rostersync/core";
import { createFactsClient, createFactsSource } from "@rostersync/facts";
import {
  createFactsSimulator,
  FACTS_GRADE_CODES,
  generateSchool,
  nextSchoolYear,
  startFactsServer,
} from "@rostersync/facts/testing";
import { createSqliteDirectory, createSqliteStore } from "@rostersync/storage-sqlite";
import { createSync } from "@rostersync/sync";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "rs-e2e-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keys = { subscriptionKey: "e2e-subscription-key-000000000000", apiKey: "e2e-school-api-key" };
const profile: SyncProfile = {
  role: "student",
  schools: ["MAIN"],
  gradeLevels: [...FACTS_GRADE_CODES],
  fieldMap: [
    { source: "udf:tshirt", target: "T-Shirt Size", createAs: "dropdown" },
    { source: "gender", target: "Gender" },
  ],
  defaultSelection: true,
  hoursSync: { enabled: false, historicImportDone: false },
};

/**
 * Who must have an active account, worked out from the generator's expected people by the rules alone
 * (R1 email, R2 scope, R3 unresolved duplicates): enrolled students of MAIN with a valid email nobody else
 * in scope shares.
 */
function importable(people: readonly SourcePerson[]): Map<string, SourcePerson> {
  const inScope = people.filter((p) => p.role === "student" && p.status === "enrolled" && p.schoolCode === "MAIN");
  const byEmail = new Map<string, number>();
  for (const p of inScope) {
    const email = normaliseEmail(p.email);
    if (email !== "") byEmail.set(email, (byEmail.get(email) ?? 0) + 1);
  }
  return new Map(
    inScope
      .filter((p) => {
        const email = normaliseEmail(p.email);
        return isValidEmail(email) && byEmail.get(email) === 1;
      })
      .map((p) => [p.sourceId, p]),
  );
}

function expectDirectoryMatches(accounts: readonly Account[], expected: Map<string, SourcePerson>) {
  const active = accounts.filter((a) => a.managed && !a.archived);
  expect(active.map((a) => a.sourceId).sort()).toEqual([...expected.keys()].sort());
  for (const a of active) {
    const p = expected.get(a.sourceId ?? "") as SourcePerson;
    expect(a.email).toBe(normaliseEmail(p.email));
    expect([a.firstName, a.lastName]).toEqual([p.firstName, p.lastName]);
    expect(a.fields).toMatchObject({ "T-Shirt Size": p.fields["udf:tshirt"] ?? null, Gender: p.fields.gender });
  }
}

describe("FACTS simulator over HTTP → facts source → sync on SQLite → next school year", () => {
  it("applies the first year and the next into the SQLite directory exactly as the roster says", async () => {
    const school = generateSchool({ seed: 31, people: 3000, schools: ["MAIN", "EAST"] });
    const sim = createFactsSimulator({ school, keys, rateLimit: false });
    const server = await startFactsServer(sim);
    const store = (await createSqliteStore({ path: join(dir, "store.db") }))._unsafeUnwrap();
    const directory = (await createSqliteDirectory({ path: join(dir, "accounts.db") }))._unsafeUnwrap();
    try {
      const client = createFactsClient({
        ...keys,
        baseUrl: server.url,
        budget: { windows: [{ requests: 10_000, windowMs: 1000 }] },
      });
      const sync = createSync({ tenantId: "e2e-school", source: createFactsSource({ client }), directory, store });
      (await sync.setup(profile))._unsafeUnwrap();

      // Year one: every importable student gets an account.
      (await sync.refresh())._unsafeUnwrap();
      const first = (await sync.plan())._unsafeUnwrap();
      const year1 = importable(school.expectedPeople);
      expect(first.counts.add).toBe(year1.size);
      (await sync.apply(first, { acknowledge: first.planHash }))._unsafeUnwrap();
      expectDirectoryMatches((await directory.listAccounts())._unsafeUnwrap(), year1);

      // Year two: seniors graduate, the rest move up, some withdraw or return, new families arrive.
      const next = nextSchoolYear(school, { seed: 32 });
      sim.load(next);
      (await sync.refresh())._unsafeUnwrap();
      const second = (await sync.plan())._unsafeUnwrap();
      (await sync.apply(second, { acknowledge: second.planHash }))._unsafeUnwrap();
      const year2 = importable(next.expectedPeople);
      const accounts = (await directory.listAccounts())._unsafeUnwrap();
      expectDirectoryMatches(accounts, year2);
      // Graduates and leavers are archived (soft), never deleted; newcomers were added.
      const gone = [...year1.keys()].filter((id) => !year2.has(id));
      expect(gone.length).toBeGreaterThan(0);
      const bySource = new Map(accounts.map((a) => [a.sourceId, a]));
      for (const id of gone) expect(bySource.get(id)?.archived).toBe(true);
      expect([...year2.keys()].filter((id) => !year1.has(id)).length).toBeGreaterThan(0);

      // A third sync of the same year changes nothing.
      (await sync.refresh())._unsafeUnwrap();
      const again = (await sync.plan())._unsafeUnwrap();
      expect(again.counts).toMatchObject({ add: 0, update: 0, archive: 0 });
      // The whole story went over HTTP through the simulator, every roster endpoint read.
      expect(sim.stats().byEndpoint["/Students"]).toBeGreaterThanOrEqual(3);
    } finally {
      directory.close();
      await store.close();
      await server.close();
    }
  });
});
