import { packageBuild } from "../../tsup.base.ts";

// `node:sqlite` exists only with its `node:` prefix: keep the prefix in the output.
export default packageBuild({ index: "src/index.ts" }, { removeNodeProtocol: false });
