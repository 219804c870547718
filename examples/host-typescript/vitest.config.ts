import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: { name: "example-host-typescript", include: ["test/**/*.test.ts"], testTimeout: 120_000 },
});
