// The FACTS attendance sink against FACTS's own API definition: every request it sends to the simulator
// (creates, reads, a correction in place, a correction that moves a tardy, a void) and every answer it reads
// is checked against the committed Swagger subset of @rostersync/facts (its test fixture), operation by
// operation. A drift of the sink or of the simulator fails here.
import { createMemoryStore, createMemoryTardySource, type TardyEvent } from "@rostersync/core";
import { createFactsClient } from "@rostersync/facts";
import {
  createFactsSimulator,
  type FactsSimulator,
  generateSchool,
  type SimReply,
  type SimRequest,
  startFactsServer,
} from "@rostersync/facts/testing";
import { expect, it } from "vitest";
import { bodySchemaOf, operationOf, responseSchemaOf, validate } from "../../facts/test/contract/swagger.js";
import { createFactsAttendanceSink, runExport } from "../src/index.js";
import { behaviorCodes, bellSchedules, edit, factsExportConfig, schools, tardy } from "./helpers/school.js";

const keys = { subscriptionKey: "sub", apiKey: "key" };

it("sends only bodies FACTS's definition declares and reads its answers as declared", {
  timeout: 300_000,
}, async () => {
  const school = generateSchool({ seed: 8, people: 200 });
  const studentIds = school.tables["/Students"].map((s) => Number(s.studentId));
  const inner = createFactsSimulator({ school, keys, rateLimit: false });
  const seen: { method: string; path: string; body: unknown; status: number; answer: unknown }[] = [];
  const sim: FactsSimulator = {
    ...inner,
    async handle(request: SimRequest): Promise<SimReply> {
      const reply = await inner.handle(request);
      if (reply.type === "response")
        seen.push({
          method: request.method,
          path: new URL(request.pathAndQuery, "http://x").pathname,
          body: request.body === "" ? undefined : JSON.parse(request.body),
          status: reply.status,
          answer: reply.body === "" ? undefined : JSON.parse(reply.body),
        });
      return reply;
    },
  };
  const server = await startFactsServer(sim);
  try {
    const client = createFactsClient({ ...keys, baseUrl: server.url, retry: { baseDelayMs: 1 } });
    const sink = createFactsAttendanceSink({
      client,
      classes: { "LHS/1": { classId: 7101, column: 1 }, "LHS/2": { classId: 7102, column: "2" } },
    });
    const events: TardyEvent[] = [0, 1, 2].map((i) =>
      tardy(`c${i}`, { studentSisId: String(studentIds[i]), periodId: i === 2 ? "p2" : "p1" }),
    );
    const source = createMemoryTardySource({ schools, behaviorCodes, bellSchedules, tardies: events });
    const options = { tenantId: "t", store: createMemoryStore(), source, sinks: { facts: sink } };
    const config = factsExportConfig();
    (await runExport(config, { ...options, now: Date.now() }))._unsafeUnwrap();
    const get = (id: string) => source.getInstance().tardies.get(id) as TardyEvent;
    source.put(edit(get("c0"), { behaviorCodeId: "tardy-unexcused" })); // same slot: PUT
    source.put(edit(get("c1"), { periodId: "p2" })); // moved: void + create
    source.put(edit(get("c2"), { status: "voided" })); // void: PATCH
    (await runExport(config, { ...options, now: Date.now() }))._unsafeUnwrap();
  } finally {
    await server.close();
  }
  const methods = new Set(seen.map((x) => `${x.method} ${x.path.replace(/\/\d+$/, "/{id}")}`));
  expect([...methods].sort()).toEqual([
    "GET /People/StudentAttendance",
    "PATCH /People/StudentAttendance/{id}",
    "POST /People/StudentAttendance",
    "PUT /People/StudentAttendance/{id}",
  ]);
  const problems: string[] = [];
  for (const x of seen) {
    const op = operationOf(x.method, x.path);
    if (op === null) {
      problems.push(`${x.method} ${x.path}: not in the definition`);
      continue;
    }
    const bodySchema = bodySchemaOf(op.operation);
    if (bodySchema !== null && x.body !== undefined)
      for (const p of validate(x.body, bodySchema, { closed: true })) problems.push(`${x.method} ${x.path} ${p}`);
    const declared = responseSchemaOf(op.operation, x.status);
    if (declared === undefined) problems.push(`${x.method} ${x.path}: status ${x.status} not declared`);
    else if (declared !== null)
      for (const p of validate(x.answer, declared)) problems.push(`${x.method} ${x.path} → ${x.status} ${p}`);
  }
  expect(problems).toEqual([]);
  // Writes only ever succeeded (nothing refused by the simulator's checks).
  expect(seen.every((x) => x.status === 200)).toBe(true);
});
