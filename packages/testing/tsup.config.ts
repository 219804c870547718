import { packageBuild } from "../../tsup.base.ts";

// One entry per `exports` subpath: each port's contract suite, and the PostgreSQL test server.
export default packageBuild({
  "store/index": "src/store/index.ts",
  "postgres-server": "src/postgres-server.ts",
});
