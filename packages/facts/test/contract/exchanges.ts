/**
 * Exchanges with the simulator, recorded, and checked against the committed subset of FACTS's Swagger
 * definition (see `swagger.ts`): a contract test records a simulator's exchanges while an adapter talks
 * to it, then asks for every way they break the definition.
 */
import type { FactsSimulator, SimReply, SimRequest } from "../../src/testing/index.js";
import { bodySchemaOf, operationOf, responseSchemaOf, validate } from "./swagger.js";

/** One request and the simulator's answer, with both bodies parsed (`undefined` when empty). */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly status: number;
  readonly answer: unknown;
}

/** A simulator whose every exchange is recorded. */
export function recorded(sim: FactsSimulator): { sim: FactsSimulator; exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const handle = sim.handle.bind(sim);
  const wrapped: FactsSimulator = {
    ...sim,
    async handle(request: SimRequest): Promise<SimReply> {
      const reply = await handle(request);
      if (reply.type === "response") {
        const path = new URL(request.pathAndQuery, "http://x").pathname;
        exchanges.push({
          method: request.method,
          path,
          body: request.body === "" ? undefined : (JSON.parse(request.body) as unknown),
          status: reply.status,
          answer: reply.body === "" ? undefined : (JSON.parse(reply.body) as unknown),
        });
      }
      return reply;
    },
  };
  return { sim: wrapped, exchanges };
}

/** Every way the exchanges break the definition (empty when they conform). */
export function violations(exchanges: readonly Exchange[]): string[] {
  const out: string[] = [];
  for (const x of exchanges) {
    const at = `${x.method} ${x.path} → ${x.status}`;
    const op = operationOf(x.method, x.path);
    if (op === null) {
      if (
        x.status !== 404 ||
        JSON.stringify(x.answer) !== JSON.stringify({ statusCode: 404, message: "Resource not found" })
      )
        out.push(`${at}: no such operation in FACTS, yet not the unknown-route answer`);
      continue;
    }
    const bodySchema = bodySchemaOf(op.operation);
    if (bodySchema !== null && x.body !== undefined) {
      // The adapter's own bodies carry only what the definition lists.
      for (const p of validate(x.body, bodySchema, { closed: true })) out.push(`${at} request ${p}`);
    }
    if (x.status >= 200 && x.status < 300) {
      const declared = responseSchemaOf(op.operation, x.status);
      if (declared === undefined) out.push(`${at}: status not declared (${Object.keys(op.operation.responses ?? {})})`);
      else if (declared === null) {
        if (x.answer !== undefined) out.push(`${at}: a body where the definition declares none`);
      } else for (const p of validate(x.answer, declared)) out.push(`${at} answer ${p}`);
    }
  }
  return out;
}
