import { packageBuild } from "../../tsup.base.ts";

// tsup strips `node:` from imports by default, which turns `node:sqlite` (no bare alias) into a missing
// package `sqlite`: keep the protocol.
export default packageBuild({ index: "src/index.ts" }, { removeNodeProtocol: false });
