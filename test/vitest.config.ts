import { defineProject } from "vitest/config";
import { sourceAliases } from "../vitest.shared.ts";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: { name: "e2e", include: ["src/**/*.test.ts"], testTimeout: 120_000 },
});
