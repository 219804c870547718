import { describe, expect, it } from "vitest";
import { fails, must } from "../results.js";
import { accountOf, created, type DirectorySuiteContext } from "./context.js";

/**
 * The optional merge after the fact (R6). A directory without `mergeAccounts` skips these tests: the
 * engine then fails such a merge with `Unsupported` and writes nothing for it.
 */
export function mergeTests(ctx: DirectorySuiteContext): void {
  describe("mergeAccounts (optional)", () => {
    it("retires the duplicate: archived, linked to nobody, its email released, repeatably (R6)", async ({ skip }) => {
      const d = ctx.directory();
      if (d.mergeAccounts === undefined) return skip("this directory has no mergeAccounts");
      const duplicate = await created(d, 1);
      const home = await created(d, 2, { sourceId: "home" });
      for (let i = 0; i < 2; i++) await must(d.mergeAccounts(duplicate, home));
      const retired = await accountOf(d, duplicate);
      expect(retired.archived).toBe(true);
      expect(retired.sourceId).toBeUndefined();
      expect(retired.email.toLowerCase()).not.toBe("person1@example.org");
      // The plan next links the chosen account to the person, with the person's email.
      await must(d.linkAccount(home, "s1", { email: "person1@example.org" }));
      expect(await accountOf(d, home)).toMatchObject({ sourceId: "s1", email: "person1@example.org", archived: false });
    });

    it("answers NotFound when either account is unknown, and retires nothing", async ({ skip }) => {
      const d = ctx.directory();
      if (d.mergeAccounts === undefined) return skip("this directory has no mergeAccounts");
      const duplicate = await created(d, 1);
      const home = await created(d, 2);
      await fails(d.mergeAccounts("no-such-account", home), "NotFound");
      await fails(d.mergeAccounts(duplicate, "no-such-account"), "NotFound");
      expect(await accountOf(d, duplicate)).toMatchObject({ archived: false, sourceId: "s1" });
    });
  });
}
