import { describe, expect, it } from "vitest";
import { sentence } from "../src/sentence.js";

describe("sentence: one period at the end of an admin's message", () => {
  it("adds a period, and never a second one after quoted text that has its own", () => {
    expect(sentence("No account u7")).toBe("No account u7.");
    expect(sentence("GET /People: not found: Resource not found.")).toBe("GET /People: not found: Resource not found.");
    expect(sentence("a.. ")).toBe("a.");
    expect(sentence("Really?")).toBe("Really?");
    expect(sentence("cut short…")).toBe("cut short…");
  });
});
