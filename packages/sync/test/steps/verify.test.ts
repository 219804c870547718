import { acknowledgeHold } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { checkReference, replan, verifiedRun } from "../../src/verify.js";
import { hashOf, heldInput, schoolInput } from "./inputs.js";

const ref = (planHash: string, extra: { tenantId?: string; profileHash?: string } = {}) => ({
  planHash,
  tenantId: extra.tenantId,
  profileHash: extra.profileHash,
});

describe("checkReference: what apply reads of what it is handed (docs/applying.md)", () => {
  it("takes a hash, { planHash } or a plan, and only the hash, tenant and profile hash of it", () => {
    expect(checkReference("h1", "school-1")._unsafeUnwrap()).toEqual(ref("h1"));
    const plan = { planHash: "h2", tenantId: "school-1", profileHash: "p", actions: "ignored" };
    expect(checkReference(plan as never, "school-1")._unsafeUnwrap()).toEqual(
      ref("h2", { tenantId: "school-1", profileHash: "p" }),
    );
  });

  it.each([[""], [null], [42], [{}], [{ planHash: "" }], [{ planHash: 7 }]])("refuses %j as NoPlan", (reference) => {
    expect(checkReference(reference as never, "school-1")._unsafeUnwrapErr().type).toBe("NoPlan");
  });

  it("refuses a plan made for another school as WrongTenant, naming both", () => {
    const e = checkReference({ planHash: "h", tenantId: "school-2" }, "school-1")._unsafeUnwrapErr();
    expect(e).toMatchObject({ type: "WrongTenant", expected: "school-1", actual: "school-2" });
  });
});

describe("replan: the stale-plan check (R11) and holds (R10), from explicit inputs", () => {
  it("passes the plan made again when its hash is the reference's", () => {
    const input = schoolInput();
    const r = replan(ref(hashOf(input)), input, {})._unsafeUnwrap();
    expect(r.plan.planHash).toBe(hashOf(input));
    expect(r.holds).toEqual({ by: "none" });
    expect(r.review.rows.length).toBe(input.people.length);
  });

  it("is StalePlan when anything the hash covers changed, with both hashes", () => {
    const before = schoolInput();
    const after = { ...before, people: before.people.slice(1) };
    const e = replan(ref(hashOf(before)), after, {})._unsafeUnwrapErr();
    expect(e).toEqual({
      type: "StalePlan",
      message: expect.any(String),
      planHash: hashOf(before),
      currentHash: hashOf(after),
    });
  });

  it("is ProfileMismatch before StalePlan when the reference names another setup", () => {
    const input = schoolInput();
    const e = replan(ref("whatever", { profileHash: "another" }), input, {})._unsafeUnwrapErr();
    expect(e).toMatchObject({ type: "ProfileMismatch", planProfileHash: "another" });
  });

  it("refuses a held plan nobody acknowledged, with the plan's own holds", () => {
    const input = heldInput();
    const e = replan(ref(hashOf(input)), input, {})._unsafeUnwrapErr();
    expect(e.type).toBe("Held");
    if (e.type === "Held") expect(e.holds.map((h) => h.type)).toContain("source-shrink");
  });

  it("takes an acknowledgement for this exact hash only: by the call, or stored in the decisions", () => {
    const input = heldInput();
    const hash = hashOf(input);
    expect(replan(ref(hash), input, { acknowledge: "other-hash" })._unsafeUnwrapErr().type).toBe("Held");
    expect(replan(ref(hash), input, { acknowledge: hash, actor: "admin-7" })._unsafeUnwrap().holds).toEqual({
      by: "call",
      actor: "admin-7",
    });
    expect(replan(ref(hash), input, { acknowledge: hash })._unsafeUnwrap().holds).toEqual({
      by: "call",
      actor: "host",
    });
    const stored = { ...input, decisions: acknowledgeHold(input.decisions, hash) };
    // Storing an acknowledgement does not change the hash it acknowledges.
    expect(hashOf(stored)).toBe(hash);
    expect(replan(ref(hash), stored, {})._unsafeUnwrap().holds).toEqual({ by: "stored" });
  });

  it("answers a roster core refuses as InvalidInput, never a throw", () => {
    const input = schoolInput();
    const broken = { ...input, people: [...input.people, { ...input.people[0], sourceId: 7 } as never] };
    expect(replan(ref("h"), broken, {})._unsafeUnwrapErr().type).toBe("InvalidInput");
  });
});

describe("verifiedRun: what the engine runs and keeps with the run", () => {
  it("keeps the plan made again, the accounts it was planned against, and who acknowledged", () => {
    const input = heldInput();
    const replanned = replan(ref(hashOf(input)), input, { acknowledge: hashOf(input) })._unsafeUnwrap();
    const v = verifiedRun(replanned, input, true, "admin-7");
    expect(v.plan).toBe(replanned.plan);
    expect(v.accounts).toBe(input.accounts);
    expect(v.acknowledged).toBe(true);
    expect(v.acknowledgedBy).toBe("admin-7");
    expect(v.reviewedIds.length).toBeGreaterThan(0);
  });

  it("marks nobody reviewed for an unattended run, and has no acknowledger when none was given", () => {
    const input = schoolInput();
    const replanned = replan(ref(hashOf(input)), input, {})._unsafeUnwrap();
    const v = verifiedRun(replanned, input, false, undefined);
    expect(v.reviewedIds).toEqual([]);
    expect(v.acknowledged).toBe(false);
    expect("acknowledgedBy" in v).toBe(false);
  });
});
