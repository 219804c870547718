import { describe, expect, it } from "vitest";
import { familyGroupId } from "../src/families.js";
import { plan } from "../src/plan.js";
import { account, inputOf, parent, parentProfile, student } from "./test-fixtures.js";

describe("families (R9)", () => {
  const twoFamilies = parent("10", ["1"], {
    families: [
      { familyId: "F9", relationship: "Mother", listedFirst: true },
      { familyId: "F3", relationship: "Mother", listedFirst: true },
    ],
  });

  it("uses the SIS family id, the smallest one for a parent in several families (R9)", () => {
    expect(familyGroupId(parent("10", ["1"]), parentProfile())).toBe("F1");
    expect(familyGroupId(twoFamilies, parentProfile())).toBe("F3");
    expect(familyGroupId(student("1"), parentProfile())).toBeUndefined();
  });

  it("takes the override of the first family that has one (R9)", () => {
    expect(familyGroupId(twoFamilies, parentProfile({ familyOverrides: { F3: "lee-3", F9: "lee-9" } }))).toBe("lee-9");
    expect(familyGroupId(twoFamilies, parentProfile({ familyOverrides: { F3: "lee-3" } }))).toBe("lee-3");
  });

  it("writes familyGroupId on new parent accounts and corrects it on linked ones (R9)", () => {
    const mum = parent("10", ["1"]);
    const profile = parentProfile({ familyOverrides: { F1: "lees" } });
    const added = plan(inputOf([student("1"), mum], [], { profile }));
    expect(added.actions).toMatchObject([{ type: "add", account: { familyGroupId: "lees" } }]);
    const linked = account("a1", {
      email: mum.email ?? "",
      firstName: mum.firstName,
      lastName: mum.lastName,
      sourceId: "10",
      familyGroupId: "F1",
      fields: { Phone: "555-0100" },
    });
    const updated = plan(inputOf([student("1"), mum], [linked], { profile }));
    expect(updated.actions).toMatchObject([
      { type: "update", changes: [{ field: "familyGroupId", from: "F1", to: "lees" }] },
    ]);
  });
});
