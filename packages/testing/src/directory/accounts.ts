import { describe, expect, it } from "vitest";
import { must } from "../results.js";
import { accountOf, created, type DirectorySuiteContext, newAccount } from "./context.js";

/** Creating and listing accounts: what a create writes, idempotent replays, racing creates. */
export function accountTests(ctx: DirectorySuiteContext): void {
  describe("accounts", () => {
    it("creates a managed, linked, never-accessed account with the person's names and fields", async () => {
      const d = ctx.directory();
      const result = await must(d.createAccount(newAccount(1, { familyGroupId: "F1" }), "s1"));
      expect(result.created).toBe(true);
      expect(await accountOf(d, result.accountId)).toMatchObject({
        accountId: result.accountId,
        email: "person1@example.org",
        firstName: "First1",
        lastName: "Last1",
        sourceId: "s1",
        familyGroupId: "F1",
        managed: true,
        archived: false,
        neverAccessed: true,
        fields: { Grade: "08" },
      });
    });

    it("answers a replayed create with the same account and created: false, and writes nothing", async () => {
      const d = ctx.directory();
      const first = await must(d.createAccount(newAccount(1), "s1"));
      // The key decides: a replay after a crash may carry data that changed in between.
      const again = await must(d.createAccount(newAccount(1, { firstName: "Renamed" }), "s1"));
      expect(again).toEqual({ accountId: first.accountId, created: false });
      const accounts = await must(d.listAccounts());
      expect(accounts).toHaveLength(1);
      expect(accounts[0]?.firstName).toBe("First1");
    });

    it("answers racing creates with one key with one account, created once", async () => {
      const d = ctx.directory();
      const results = await Promise.all(Array.from({ length: 6 }, () => d.createAccount(newAccount(1), "s1")));
      const values = results.map((r) => {
        if (r.isErr()) throw new Error(`a racing create failed: ${r.error.type}: ${r.error.message}`);
        return r.value;
      });
      expect(new Set(values.map((v) => v.accountId)).size).toBe(1);
      expect(values.filter((v) => v.created)).toHaveLength(1);
      expect(await must(d.listAccounts())).toHaveLength(1);
    });

    it("gives every person an account of their own", async () => {
      const d = ctx.directory();
      const ids = [];
      for (let n = 1; n <= 20; n++) ids.push(await created(d, n));
      expect(new Set(ids).size).toBe(20);
      const listed = await must(d.listAccounts());
      expect(new Set(listed.map((a) => a.sourceId))).toEqual(new Set(ids.map((_, i) => `s${i + 1}`)));
    });

    it("lists every account, archived ones too", async () => {
      const d = ctx.directory();
      const kept = await created(d, 1);
      const archived = await created(d, 2);
      await must(d.archiveAccount(archived));
      const listed = await must(d.listAccounts());
      expect(listed.map((a) => [a.accountId, a.archived]).sort()).toEqual(
        [
          [kept, false],
          [archived, true],
        ].sort(),
      );
    });

    it("keeps names and field values as written: Unicode, quotes, empty and null values", async () => {
      const d = ctx.directory();
      const fields = { Nickname: "Zoë 🎒 «ok»", Quote: `it's "fine"; --`, Empty: "", Cleared: null };
      const id = await created(d, 1, { firstName: "Ærøskøbing", lastName: "O'Brien-Nguyễn", fields });
      const account = await accountOf(d, id);
      expect(account.firstName).toBe("Ærøskøbing");
      expect(account.lastName).toBe("O'Brien-Nguyễn");
      expect(account.fields).toEqual(fields);
    });
  });
}
