import { createMemoryStore } from "@rostersync/core";
import { runStoreConformance } from "@rostersync/storage-testing";

runStoreConformance("memory", () => createMemoryStore());
