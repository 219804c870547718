import { createMemoryDirectory } from "@rostersync/core";
import { runDirectoryContract } from "@rostersync/testing/directory";

runDirectoryContract("memory", () => createMemoryDirectory());
