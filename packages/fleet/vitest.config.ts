import { packageProject } from "../../vitest.shared.ts";

// Starts (and stops) a private PostgreSQL 15 unless RS_PG_URL is set.
export default packageProject("fleet", { globalSetup: ["test/global-setup.ts"] });
