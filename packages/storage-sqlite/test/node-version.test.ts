import { describe, expect, it } from "vitest";
import { NODE_SQLITE_MIN, nodeSqlite } from "../src/index.js";

describe("an older Node fails early, naming the Node needed", () => {
  it("names Node ≥ 22.13 when node:sqlite is missing (Node 20.16+: getBuiltinModule answers undefined)", () => {
    expect(() => nodeSqlite({ version: "v20.20.2", getBuiltinModule: () => undefined })).toThrow(
      "@rostersync/storage-sqlite needs Node ≥ 22.13 (it stores on node:sqlite); this is Node v20.20.2.",
    );
  });

  it("names it too on a Node without getBuiltinModule at all (before 20.16)", () => {
    expect(() => nodeSqlite({ version: "v20.11.0" })).toThrow(/needs Node ≥ 22\.13.*this is Node v20\.11\.0/);
  });

  it("loads node:sqlite on this Node", () => {
    expect(NODE_SQLITE_MIN).toBe("22.13");
    expect(typeof nodeSqlite().DatabaseSync).toBe("function");
  });
});
