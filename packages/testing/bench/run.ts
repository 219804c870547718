// Storage benchmark on the in-memory store (the baseline). Run: pnpm --filter @rostersync/core build, then
// node --expose-gc bench/run.ts
import { fileURLToPath } from "node:url";
import { createMemoryStore } from "@rostersync/core";
import { benchStore, printTable, saveResults } from "./workload.ts";

const rows = await benchStore("memory", createMemoryStore());
printTable(rows);
console.log(`\nwrote ${saveResults(fileURLToPath(new URL("./results", import.meta.url)), "memory", rows)}`);
