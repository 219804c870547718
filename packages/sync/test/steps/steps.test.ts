import { RosterInputError } from "@rostersync/core";
import { errAsync, ok } from "neverthrow";
import { describe, expect, it } from "vitest";
import { refusalAudit } from "../../src/apply-plan.js";
import { applyChange } from "../../src/decide.js";
import type { SyncError } from "../../src/errors.js";
import { parseAcknowledgement } from "../../src/reference.js";
import { guarded, pure } from "../../src/result.js";
import { schoolInput } from "./inputs.js";

describe("guarded: nothing throws or rejects across sync's boundary", () => {
  it("passes a step's answer through", async () => {
    expect(await guarded(async () => ok(1))).toEqual(ok(1));
    const e: SyncError = { type: "NoPlan", message: "x" };
    expect((await guarded(() => errAsync<never, SyncError>(e)))._unsafeUnwrapErr()).toBe(e);
  });

  it("turns a port that throws at once, or rejects later, into StoreFailed naming the throw", async () => {
    const atOnce = await guarded((): never => {
      throw new Error("boom");
    });
    expect(atOnce._unsafeUnwrapErr()).toMatchObject({ type: "StoreFailed", message: expect.stringContaining("boom") });
    const later = await guarded(() => Promise.reject("late"));
    expect(later._unsafeUnwrapErr()).toMatchObject({ type: "StoreFailed", cause: { type: "Thrown", message: "late" } });
  });
});

describe("pure: core's refusals as values, bugs thrown on", () => {
  it("answers RosterInputError as InvalidInput with every problem", () => {
    const problems = [{ record: "r", path: "p", message: "bad" }];
    const r = pure(() => {
      throw new RosterInputError(problems);
    });
    expect(r._unsafeUnwrapErr()).toMatchObject({ type: "InvalidInput", problems });
  });

  it("throws anything else on", () => {
    expect(() =>
      pure(() => {
        throw new TypeError("a bug");
      }),
    ).toThrow(TypeError);
  });
});

describe("applyChange: the host's decide callback on core's builder", () => {
  it("takes a builder or plain decisions back", () => {
    const d = schoolInput().decisions;
    expect(applyChange((b) => b.unselect("1"), d, undefined)._unsafeUnwrap().selections).toEqual({ 1: false });
    expect(applyChange(() => d, d, undefined)._unsafeUnwrap()).toBe(d);
  });

  it("answers a change core refuses as InvalidDecision", () => {
    const d = schoolInput().decisions;
    // markReviewed needs the review the builder was made with.
    const e = applyChange((b) => b.markReviewed(), d, undefined)._unsafeUnwrapErr();
    expect(e.type).toBe("InvalidDecision");
  });
});

describe("refusalAudit: an apply refused before writing leaves an audit record", () => {
  it("records held, stale and mismatched refusals with what they name", () => {
    const held = refusalAudit(
      "h1",
      { type: "Held", message: "m", planHash: "h1", holds: [{ type: "source-shrink" } as never] },
      "admin",
    );
    expect(held).toMatchObject({
      kind: "apply-refused",
      actor: "admin",
      status: "refused",
      planHash: "h1",
      counts: { holds: 1 },
      outcomes: { holds: ["source-shrink"] },
      reason: "Held: m",
    });
    const stale = refusalAudit(
      { planHash: "h2" },
      { type: "StalePlan", message: "m", planHash: "h2", currentHash: "h3" },
      undefined,
    );
    expect(stale).toMatchObject({ planHash: "h2", counts: { holds: 0 }, outcomes: { currentHash: "h3" } });
  });

  it("records nothing for other errors, and an empty hash for a reference with none", () => {
    expect(refusalAudit("h", { type: "Locked", message: "busy" }, undefined)).toBeNull();
    const mismatch: SyncError = {
      type: "ProfileMismatch",
      message: "m",
      planProfileHash: "a",
      currentProfileHash: "b",
    };
    expect(refusalAudit(42 as never, mismatch, undefined)).toMatchObject({
      planHash: "",
      outcomes: { currentProfileHash: "b" },
    });
  });
});

describe("parseAcknowledgement: who acknowledged, as stored", () => {
  it("reads actor and time, and counts anything unreadable as the host's at an unknown time", () => {
    expect(parseAcknowledgement("h", JSON.stringify({ actor: "admin-7", at: "2026-01-01" }))).toEqual({
      planHash: "h",
      actor: "admin-7",
      at: "2026-01-01",
    });
    for (const stored of ["not json", "null", "7", JSON.stringify({ actor: 7 })]) {
      expect(parseAcknowledgement("h", stored)).toEqual({ planHash: "h", actor: "host", at: "" });
    }
  });
});
