import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: "facts",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // No test here asserts how fast the machine is: time-dependent tests run on fake timers or assert typed
    // errors and request counts. These limits only catch a hang, generously enough for a loaded 2-core machine.
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
