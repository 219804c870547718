import { defineProject } from "vitest/config";
import { hangGuards, sourceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    ...hangGuards,
    name: "storage-postgres",
    include: ["test/**/*.test.ts"],
    // Starts (and stops) a private PostgreSQL 15 unless RS_PG_URL is set.
    globalSetup: ["test/global-setup.ts"],
  },
});
