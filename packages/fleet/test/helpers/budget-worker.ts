// One process of the budget test: takes `count` requests from the shared PostgreSQL budget, `concurrency`
// at a time, spread over `schools`, and sends each to the test's rate-limited HTTP server. Run with node
// as it is (the built package), with its setup as JSON in argv[2]. Prints a JSON line with what it saw.
import { createBudget, type RequestBudget } from "@rostersync/facts";
import { createPostgresBudget } from "../../dist/index.js";

interface Setup {
  readonly url: string;
  readonly target: string;
  readonly key: string;
  readonly windows: { requests: number; windowMs: number }[];
  readonly count: number;
  readonly concurrency: number;
  readonly schools: string[];
  /** `local`: each process its own in-process budget (what every worker had before the fleet). */
  readonly mode?: "shared" | "local";
}

const setup = JSON.parse(process.argv[2] ?? "{}") as Setup;
const shared =
  setup.mode === "local"
    ? null
    : (
        await createPostgresBudget({
          connectionString: setup.url,
          key: setup.key,
          windows: setup.windows,
          schema: "rostersync_fleet_budget_test",
        })
      )._unsafeUnwrap();
const local = createBudget({ windows: setup.windows });
const budget = {
  forSchool: (school: string): RequestBudget => shared?.forSchool(school) ?? local,
  pause: (ms: number) => (shared ?? local).pause(ms),
  close: async () => shared?.close(),
};
let next = 0;
let refused = 0;
let sent = 0;
async function lane(): Promise<void> {
  for (;;) {
    const i = next++;
    if (i >= setup.count) return;
    const school = setup.schools[i % setup.schools.length] as string;
    const release = await budget.forSchool(school).take();
    try {
      const res = await fetch(`${setup.target}/?school=${school}`);
      await res.text();
      sent++;
      if (res.status === 429) {
        refused++;
        budget.pause(Number(res.headers.get("retry-after") ?? "1") * 1000);
      }
    } finally {
      release();
    }
  }
}
await Promise.all(Array.from({ length: setup.concurrency }, lane));
await budget.close();
process.stdout.write(`${JSON.stringify({ sent, refused })}\n`);
