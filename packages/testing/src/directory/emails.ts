import { describe, expect, it } from "vitest";
import { fails, must } from "../results.js";
import { accountOf, created, type DirectorySuiteContext, newAccount } from "./context.js";

/** Unique emails: the host's constraint shows as `EmailTaken`, compared as R1 compares (trim, NFC, case). */
export function emailTests(ctx: DirectorySuiteContext): void {
  describe("emails", () => {
    it.each([
      ["in another case", "PERSON1@Example.ORG"],
      ["with spaces around it", "  person1@example.org\t"],
    ])("refuses a second account with the same email %s (EmailTaken)", async (_, email) => {
      const d = ctx.directory();
      await created(d, 1);
      await fails(d.createAccount(newAccount(2, { email }), "s2"), "EmailTaken");
    });

    it("refuses a second account with the same email in another Unicode form (EmailTaken)", async () => {
      const d = ctx.directory();
      await created(d, 1, { email: "zo\u00eb@example.org" }); // ë composed
      await fails(d.createAccount(newAccount(2, { email: "zoe\u0308@example.org" }), "s2"), "EmailTaken"); // e + ¨
    });

    it("writes nothing for a refused create and does not use up its key", async () => {
      const d = ctx.directory();
      await created(d, 1);
      await fails(d.createAccount(newAccount(2, { email: "person1@example.org" }), "s2"), "EmailTaken");
      expect(await must(d.listAccounts())).toHaveLength(1);
      // The person's create goes through once their email is free of the clash.
      const retried = await must(d.createAccount(newAccount(2), "s2"));
      expect(retried.created).toBe(true);
    });

    it("keeps an archived account's email taken", async () => {
      const d = ctx.directory();
      await must(d.archiveAccount(await created(d, 1)));
      await fails(d.createAccount(newAccount(2, { email: "person1@example.org" }), "s2"), "EmailTaken");
    });

    it("refuses an update or a link to an email another account owns, and leaves the account as it was", async () => {
      const d = ctx.directory();
      await created(d, 1);
      const second = await created(d, 2);
      await fails(d.updateAccount(second, { email: "Person1@example.org", firstName: "Changed" }), "EmailTaken");
      await fails(d.linkAccount(second, "s9", { email: "person1@example.org" }), "EmailTaken");
      await fails(d.restoreAccount(second, { email: "person1@example.org" }), "EmailTaken");
      expect(await accountOf(d, second)).toMatchObject({
        email: "person2@example.org",
        firstName: "First2",
        sourceId: "s2",
      });
    });

    it("lets an account take its own email in another case", async () => {
      const d = ctx.directory();
      const id = await created(d, 1);
      await must(d.updateAccount(id, { email: "Person1@Example.org" }));
      expect((await accountOf(d, id)).email).toBe("Person1@Example.org");
    });

    it("frees an email its account gave up", async () => {
      const d = ctx.directory();
      const id = await created(d, 1);
      await must(d.updateAccount(id, { email: "moved@example.org" }));
      expect((await must(d.createAccount(newAccount(2, { email: "person1@example.org" }), "s2"))).created).toBe(true);
    });
  });
}
