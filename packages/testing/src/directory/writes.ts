import { describe, expect, it } from "vitest";
import { fails, must } from "../results.js";
import { accountOf, created, type DirectorySuiteContext } from "./context.js";

/** Link, update, restore and archive: what a patch changes, repeatability, `NotFound`. */
export function writeTests(ctx: DirectorySuiteContext): void {
  describe("writes", () => {
    it("links, updates, archives and restores, each repeatable (apply may replay any write)", async () => {
      const d = ctx.directory();
      const id = await created(d, 1, { sourceId: "x" });
      for (let i = 0; i < 2; i++) {
        await must(d.linkAccount(id, "s1", { fields: { Homeroom: "A" } }));
        await must(d.updateAccount(id, { email: "new1@example.org", familyGroupId: "F1" }));
        await must(d.archiveAccount(id));
      }
      expect(await accountOf(d, id)).toMatchObject({
        sourceId: "s1",
        managed: true,
        email: "new1@example.org",
        familyGroupId: "F1",
        archived: true,
        fields: { Grade: "08", Homeroom: "A" },
      });
      for (let i = 0; i < 2; i++) await must(d.restoreAccount(id, { lastName: "Restored" }));
      expect(await accountOf(d, id)).toMatchObject({ archived: false, lastName: "Restored", sourceId: "s1" });
    });

    it("changes only what a patch names; fields merge name by name and may be set to null", async () => {
      const d = ctx.directory();
      const id = await created(d, 1, { fields: { Grade: "08", House: "Red" } });
      await must(d.updateAccount(id, { firstName: "Ann", fields: { House: null, Locker: "12" } }));
      expect(await accountOf(d, id)).toMatchObject({
        email: "person1@example.org",
        firstName: "Ann",
        lastName: "Last1",
        sourceId: "s1",
        fields: { Grade: "08", House: null, Locker: "12" },
      });
      await must(d.updateAccount(id, {}));
      expect((await accountOf(d, id)).firstName).toBe("Ann");
    });

    it("clears the family group on familyGroupId: null and leaves it on undefined", async () => {
      const d = ctx.directory();
      const id = await created(d, 1, { familyGroupId: "F1" });
      await must(d.updateAccount(id, { firstName: "Same family" }));
      expect((await accountOf(d, id)).familyGroupId).toBe("F1");
      await must(d.updateAccount(id, { familyGroupId: "F2" }));
      expect((await accountOf(d, id)).familyGroupId).toBe("F2");
      await must(d.updateAccount(id, { familyGroupId: null }));
      expect((await accountOf(d, id)).familyGroupId).toBeUndefined();
      await must(d.updateAccount(id, { familyGroupId: null }));
      await must(d.archiveAccount(id));
      await must(d.restoreAccount(id, { familyGroupId: "F3" }));
      expect((await accountOf(d, id)).familyGroupId).toBe("F3");
      await must(d.restoreAccount(id, { familyGroupId: null }));
      expect((await accountOf(d, id)).familyGroupId).toBeUndefined();
    });

    it("archives softly: the account stays listed with its link, email and fields", async () => {
      const d = ctx.directory();
      const id = await created(d, 1);
      await must(d.archiveAccount(id));
      expect(await accountOf(d, id)).toMatchObject({
        archived: true,
        sourceId: "s1",
        email: "person1@example.org",
        fields: { Grade: "08" },
      });
    });

    it("answers NotFound for every write to an unknown account, and writes nothing", async () => {
      const d = ctx.directory();
      await created(d, 1);
      await fails(d.linkAccount("no-such-account", "s9", {}), "NotFound");
      await fails(d.updateAccount("no-such-account", { firstName: "X" }), "NotFound");
      await fails(d.restoreAccount("no-such-account", {}), "NotFound");
      await fails(d.archiveAccount("no-such-account"), "NotFound");
      const accounts = await must(d.listAccounts());
      expect(accounts).toHaveLength(1);
      expect(accounts[0]).toMatchObject({ firstName: "First1", archived: false });
    });

    it("writes to one account and leaves the others alone", async () => {
      const d = ctx.directory();
      const one = await created(d, 1);
      const two = await created(d, 2, { familyGroupId: "F2" });
      await must(d.updateAccount(one, { lastName: "Changed", familyGroupId: null, fields: { Grade: "09" } }));
      await must(d.archiveAccount(one));
      expect(await accountOf(d, two)).toMatchObject({
        lastName: "Last2",
        familyGroupId: "F2",
        archived: false,
        fields: { Grade: "08" },
      });
    });
  });
}
