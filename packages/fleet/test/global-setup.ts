// Starts a private PostgreSQL 15 for this package's tests (unless RS_PG_URL points at one) and provides its
// URL to the tests as `inject("pgUrl")`; see @rostersync/testing/postgres-server.
import { postgresGlobalSetup } from "@rostersync/testing/postgres-server";

export default postgresGlobalSetup("fleet");
