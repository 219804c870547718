import { createMemoryStore } from "@rostersync/core";
import { runStoreConformance } from "@rostersync/testing/store";

runStoreConformance("memory", () => createMemoryStore());
