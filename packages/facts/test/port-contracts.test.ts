// The FACTS adapters keep their ports' contracts (@rostersync/testing), each against a fresh simulator
// served over real HTTP (docs/adapters.md).
import { runHoursSinkContract } from "@rostersync/testing/hours-sink";
import { runRosterSourceContract } from "@rostersync/testing/roster-source";
import { createFactsHoursSink, createFactsSource } from "../src/index.js";
import { createFactsSimulator, generateSchool } from "../src/testing/index.js";
import { KEYS, useServers } from "./simulator/support.js";

const serve = useServers();
const school = generateSchool({ seed: 18, people: 60 });
const students = school.tables["/Students"].map((s) => String(s.studentId));
const parents = [...new Set(school.tables["/People/ParentStudent"].map((l) => String(l.parentID)))];

runHoursSinkContract(
  "facts",
  async () => {
    // useServers closes each test's server after the test.
    const { client } = await serve(createFactsSimulator({ school, keys: KEYS, rateLimit: false }));
    return createFactsHoursSink({ client, readBackDelayMs: 1 });
  },
  { people: { student: students.slice(0, 3), parent: parents.slice(0, 3) } },
);

runRosterSourceContract("facts", async () => {
  const { client } = await serve(createFactsSimulator({ school, keys: KEYS, rateLimit: false }));
  return createFactsSource({ client });
});
