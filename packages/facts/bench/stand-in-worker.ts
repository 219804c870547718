import { parentPort, workerData } from "node:worker_threads";
import { generateTables, startStandIn } from "./support.ts";

const { people, seed, latencyMs, windows } = workerData as {
  people: number;
  seed: number;
  latencyMs: [number, number];
  windows: { requests: number; windowMs: number }[];
};
const tables = generateTables(people, seed);
const server = await startStandIn(tables, { latencyMs, windows });
const roster = [
  "/SchoolConfigurations",
  "/Academics/GradeLevels",
  "/Students",
  "/People",
  "/People/ParentStudent",
  "/People/PersonFamily",
  "/Families",
  "/UserDefinedGroups",
  "/UserDefinedFields",
  "/UserDefinedData",
];
parentPort?.postMessage({
  url: server.url,
  students: tables["/Students"]?.length ?? 0,
  parents: new Set(tables["/People/ParentStudent"]?.map((l) => l.parentID)).size,
  minimalRosterRequests: roster.reduce((n, e) => n + Math.max(1, Math.ceil((tables[e]?.length ?? 0) / 1000)), 0),
  studentIds: (tables["/Students"] ?? []).map((s) => String(s.studentId)),
});
parentPort?.once("message", async () => {
  const hours = tables["/Students/ServiceHours"] ?? [];
  const stats = server.stats;
  await server.close();
  parentPort?.postMessage({
    stats,
    hours: hours.length,
    distinctMarkers: new Set(hours.map((h) => String(h.note))).size,
  });
});
