import { describe, expect, it } from "vitest";
import { describeErrorBody, firstLine, outcomeUnknown, permissionFor, redactWith } from "../src/index.js";

describe("FACTS error bodies", () => {
  it("reads the { error: { code, message, target, details } } shape", () => {
    expect(
      describeErrorBody({ error: { code: "Conflict", message: "Already exists", target: "x", details: [] } }),
    ).toBe("Conflict: Already exists");
  });

  it("reads the RFC 7807 { type, title, status, detail } shape", () => {
    expect(describeErrorBody({ type: "about:blank", title: "Forbidden", status: 403, detail: "No People write" })).toBe(
      "Forbidden: No People write",
    );
  });

  it("reads the { statusCode, message } shape of unknown routes", () => {
    expect(describeErrorBody({ statusCode: 404, message: "Resource not found" })).toBe("Resource not found");
  });

  it("keeps only the first line of a Sieve stack trace, cut short", () => {
    const detail = `Sieve.Exceptions.SieveMethodNotFoundException: ${"x".repeat(400)}\n   at Sieve.Services.SieveProcessor.Apply()`;
    const said = describeErrorBody({ title: "Error", status: 500, detail }) ?? "";
    expect(said).not.toContain("SieveProcessor");
    expect(said.length).toBeLessThanOrEqual(160);
    expect(firstLine("a\nb")).toBe("a");
  });

  it("never echoes an HTML page and ignores shapes it does not know", () => {
    expect(describeErrorBody("<html><body>oops</body></html>")).toBe("an HTML page instead of JSON");
    expect(describeErrorBody({ unexpected: true })).toBeNull();
    expect(describeErrorBody("")).toBeNull();
  });
});

describe("helpers", () => {
  it("redacts every occurrence of every secret", () => {
    expect(redactWith(["secret-1", "secret-2"])("a secret-1 b secret-2 c secret-1")).toBe(
      "a [redacted] b [redacted] c [redacted]",
    );
  });

  it("names the permission FACTS asks for", () => {
    expect(permissionFor("GET", "/Academics/GradeLevels")).toBe("Academics: Read");
    expect(permissionFor("GET", "/People")).toBe("People: Read");
    expect(permissionFor("POST", "/Students/ServiceHours")).toBe("People: Write");
  });

  it("treats network errors, timeouts and 5xx as writes of unknown outcome", () => {
    const base = { method: "POST", endpoint: "/x", message: "m", fatal: false, retryable: true };
    expect(outcomeUnknown({ ...base, type: "Network" })).toBe(true);
    expect(outcomeUnknown({ ...base, type: "Timeout", timeoutMs: 1 })).toBe(true);
    expect(outcomeUnknown({ ...base, type: "BadRequest" })).toBe(false);
  });
});
