import { defineProject } from "vitest/config";
import { hangGuards } from "../../vitest.shared.ts";

export default defineProject({
  test: {
    ...hangGuards,
    name: "example-demo",
    include: ["test/**/*.test.ts"],
  },
});
