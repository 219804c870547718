import { defineProject } from "vitest/config";
import { hangGuards, sourceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: { ...hangGuards, name: "core", include: ["test/**/*.test.ts"] },
});
