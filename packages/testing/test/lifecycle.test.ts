import { createMemoryRosterSource, type RosterSource } from "@rostersync/core";
import { generateSchool } from "@rostersync/core/testing";
import { runRosterSourceContract } from "@rostersync/testing/roster-source";
import { afterAll, describe, expect, it } from "vitest";
import { hangGuards, packageProject, sourceAliases } from "../../../vitest.shared.ts";
import { describeContract, useAdapter } from "../src/lifecycle.ts";

// The lifecycle every port suite shares (src/lifecycle.ts). The tests of each `describe` run in order, so a
// test sees what the hooks did around the one before it.

describe("useAdapter with the adapter's own close()", () => {
  const log: string[] = [];
  let opened = 0;
  const widget = useAdapter("widget", async () => {
    const id = ++opened;
    return { id, close: async () => void log.push(`close ${id}`) };
  });

  it("opens a fresh adapter before the first test", () => {
    expect(widget().id).toBe(1);
    expect(log).toEqual([]);
  });

  it("closes it after the test and opens another for the next", () => {
    expect(widget().id).toBe(2);
    expect(log).toEqual(["close 1"]);
  });

  afterAll(() => {
    expect(log).toEqual(["close 1", "close 2"]);
    expect(() => widget()).toThrow("no widget is open outside a test");
  });
});

describe("useAdapter with a close of the caller's", () => {
  const closed: unknown[] = [];
  const adapter = { name: "custom", close: () => closed.push("own close, not called") };
  const current = useAdapter(
    "custom adapter",
    () => adapter,
    (a) => closed.push(a.name),
  );

  it("hands the test the adapter make() answered", () => {
    expect(current()).toBe(adapter);
  });

  afterAll(() => {
    expect(closed).toEqual(["custom"]);
  });
});

describe("useAdapter with adapters that hold nothing to close", () => {
  // A `close` that is not a function is not called; a plain object with none needs no closing.
  const shapes = [{ close: 5 }, { close: "close" }, {}, Object.create(null)];
  let index = 0;
  const current = useAdapter("bare adapter", () => shapes[index++]);

  for (const [i] of shapes.entries()) {
    it(`opens and closes shape ${i} without calling anything`, () => {
      expect(current()).toBe(shapes[i]);
    });
  }
});

describe("describeContract", () => {
  const calls: string[] = [];
  const concern = (label: string) => (ctx: { readonly port: string }) => {
    calls.push(`${label} ${ctx.port}`);
    it(`registers the ${label} concern's tests under the contract's title`, ({ task }) => {
      expect(task.suite?.name).toBe("a contract");
    });
  };
  describeContract("a contract", () => {
    calls.push("use");
    return { port: "p" };
  }, [concern("first"), concern("second")]);

  it("builds the context once, then registers every concern on it, in order", () => {
    expect(calls).toEqual(["use", "first p", "second p"]);
  });
});

// A source with only the required `read()`: the optional setup tests skip themselves, the rest still run.
const school = generateSchool({ seed: 18, people: 40 });
runRosterSourceContract("read-only memory", (): RosterSource => {
  const source = createMemoryRosterSource({
    snapshot: { people: school.people, schools: school.schools, gradeLevels: school.gradeLevels },
  });
  return { name: source.name, read: (options) => source.read(options) };
});

describe("packageProject", () => {
  it("is a package's project as docs/architecture.md lays it out", () => {
    expect(packageProject("facts")).toEqual({
      resolve: { alias: sourceAliases },
      test: { ...hangGuards, name: "facts", include: ["test/**/*.test.ts"] },
    });
  });

  it("adds a global setup when asked", () => {
    const project = packageProject("fleet", { globalSetup: ["test/global-setup.ts"] });
    expect(project.test?.globalSetup).toEqual(["test/global-setup.ts"]);
    expect(project.test?.include).toEqual(["test/**/*.test.ts"]);
  });
});
