// `pnpm start` serves the admin API over the FACTS simulator; `pnpm start -- --port 0` picks a free port.

import { parseArgs } from "node:util";
import { API, startHost } from "./host.ts";

const { values } = parseArgs({ options: { port: { type: "string", default: process.env.PORT ?? "3000" } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`host-typescript: --port must be 0–65535, not ${values.port}`);
  process.exit(2);
}
const host = await startHost({ port });
console.log(`FACTS (simulator) at ${host.factsUrl}`);
console.log(`try: curl -s -H 'authorization: Bearer token-ann' ${host.url}${API}/catalogue`);
console.log(`host-typescript: listening on ${host.url}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void host.close());
