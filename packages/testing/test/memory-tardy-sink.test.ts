import { createMemoryTardySink } from "@rostersync/core";
import { runTardySinkContract } from "@rostersync/testing/tardy-sink";

runTardySinkContract("memory", () => createMemoryTardySink());
