// Prints vitest's JSON result as one plain closing line: "tests: N passed, N failed, N skipped".
import { readFileSync } from "node:fs";

const file = process.argv[2];
const r = JSON.parse(readFileSync(file, "utf8"));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
process.exit(r.numFailedTests === 0 && r.numTotalTests > 0 ? 0 : 1);
