import { packageBuild } from "../../tsup.base.ts";

// One entry per `exports` subpath: each port's contract suite, and the PostgreSQL test server.
export default packageBuild({
  "store/index": "src/store/index.ts",
  "directory/index": "src/directory/index.ts",
  "hours-sink/index": "src/hours-sink/index.ts",
  "tardy-sink/index": "src/tardy-sink/index.ts",
  "roster-source/index": "src/roster-source/index.ts",
  "postgres-server": "src/postgres-server.ts",
});
