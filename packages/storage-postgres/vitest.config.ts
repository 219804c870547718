import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: "storage-postgres",
    include: ["test/**/*.test.ts"],
    // Starts (and stops) a private PostgreSQL 15 unless RS_PG_URL is set.
    globalSetup: ["test/global-setup.ts"],
  },
});
