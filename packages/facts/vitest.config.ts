import { defineProject } from "vitest/config";
import { hangGuards, sourceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    ...hangGuards,
    name: "facts",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // No test here asserts how fast the machine is: time-dependent tests run on fake timers or assert typed
    // errors and request counts. These limits only catch a hang, generously enough for a loaded 2-core machine.
  },
});
