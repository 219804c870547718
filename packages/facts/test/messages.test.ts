import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { createFactsSource } from "../src/index.js";
import { problemResponse } from "./helpers/fake-facts.js";
import { testClient, useMsw } from "./helpers/msw.js";
import { smallSchool } from "./helpers/school.js";

const msw = useMsw();

describe("messages meant for an admin", () => {
  it("keeps a FACTS 500's .NET exception out of the message, in detail for the log", async () => {
    const fake = msw.facts(smallSchool());
    const trace =
      "System.NullReferenceException: Object reference not set to an instance of an object.\n   at Facts.Api.Students.Get()";
    fake.fault = (req) =>
      req.endpoint === "/Students"
        ? problemResponse(500, "An error occurred while processing your request.", trace)
        : undefined;
    const error = (
      await createFactsSource({ client: testClient({ retry: { limit: 0, baseDelayMs: 1, jitter: (d) => d } }) }).read()
    )._unsafeUnwrapErr();
    expect(error.type).toBe("ServerError");
    expect(error.message).toBe(
      "FACTS failed on GET /Students (500); try again later, and tell FACTS support if it keeps failing.",
    );
    expect(error.message).not.toContain("System.");
    expect(error.type === "ServerError" && error.detail).toContain("System.NullReferenceException");
  });

  it("never ends a message with a double period when FACTS's own text ends with one", async () => {
    const fake = msw.facts(smallSchool());
    fake.fault = (req) =>
      req.endpoint === "/People"
        ? HttpResponse.json({ error: { code: "BadRequest", message: "The filter is not valid." } }, { status: 400 })
        : req.endpoint === "/Families"
          ? HttpResponse.json({ statusCode: 404, message: "Resource not found." }, { status: 404 })
          : undefined;
    const error = (await createFactsSource({ client: testClient() }).read())._unsafeUnwrapErr();
    expect(error.message).not.toMatch(/\.\./);
    expect(error.message).toMatch(/\.$/);
  });

  it("keeps one period in a 403's message too", async () => {
    const fake = msw.facts(smallSchool());
    fake.fault = (req) =>
      req.endpoint === "/People"
        ? HttpResponse.json({ title: "Forbidden", status: 403, detail: "No access." }, { status: 403 })
        : undefined;
    const error = (await createFactsSource({ client: testClient() }).read())._unsafeUnwrapErr();
    expect(error.type).toBe("Forbidden");
    expect(error.message).not.toMatch(/\.\./);
  });
});
