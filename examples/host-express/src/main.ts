// `pnpm start` serves the API (default port 3000, data in .data/); `pnpm start -- --port 0 --data DIR` picks a
// free port; `pnpm run tour` starts it on a free port over a fresh folder, walks the whole flow, and exits.

import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createApp } from "./app.ts";
import { openHost } from "./schools.ts";
import { tour } from "./tour.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "3000" },
    data: { type: "string" },
    tour: { type: "boolean", default: false },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`host-express: --port must be 0–65535, not ${values.port}`);
  process.exit(2);
}
const dataDir =
  values.data ??
  (values.tour ? mkdtempSync(join(tmpdir(), "host-express-")) : join(import.meta.dirname, "..", ".data"));

const host = await openHost(dataDir);
const server = createApp(host).listen(values.tour ? 0 : port, "127.0.0.1");
await new Promise<void>((resolve, reject) => {
  server.once("listening", resolve);
  server.once("error", reject);
});
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
for (const school of host.schools.values()) console.log(`${school.id}: FACTS (simulator) at ${school.factsUrl}`);
// Last: a caller waiting for this line has everything above it.
console.log(`host-express: listening on ${url} (data: ${dataDir})`);

let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  await host.close();
};

if (values.tour) {
  try {
    await tour(url, dataDir, (line) => console.log(line));
  } finally {
    await stop();
    if (values.data === undefined) rmSync(dataDir, { recursive: true, force: true });
  }
} else {
  console.log(`try: curl -s ${url}/schools/lincoln-high/review?limit=2`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stop());
}
