import { createMemoryRosterSource } from "@rostersync/core";
import { generateSchool } from "@rostersync/core/testing";
import { runRosterSourceContract } from "@rostersync/testing/roster-source";

const school = generateSchool({ seed: 18, people: 80 });

runRosterSourceContract("memory", () =>
  createMemoryRosterSource({
    snapshot: { people: school.people, schools: school.schools, gradeLevels: school.gradeLevels },
  }),
);
