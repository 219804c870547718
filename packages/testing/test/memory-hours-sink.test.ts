import { createMemoryHoursSink } from "@rostersync/core";
import { runHoursSinkContract } from "@rostersync/testing/hours-sink";

runHoursSinkContract("memory", () => createMemoryHoursSink());
