import { createMemoryDirectory, type NewAccount, type TargetDirectory } from "@rostersync/core";
import { describe, expect, it } from "vitest";
import { createSqliteDirectory } from "../src/index.js";

const person = (n: number, extra: Partial<NewAccount> = {}): NewAccount => ({
  email: `person${n}@example.org`,
  firstName: `First${n}`,
  lastName: `Last${n}`,
  sourceId: `s${n}`,
  fields: { Grade: "08" },
  ...extra,
});

/** The behaviour every TargetDirectory must share; run against core's memory directory and ours. */
function directoryContract(name: string, make: () => TargetDirectory) {
  describe(`TargetDirectory contract: ${name}`, () => {
    it("creates a managed, linked, never-accessed account", async () => {
      const d = make();
      const created = (await d.createAccount(person(1), "s1"))._unsafeUnwrap();
      expect(created.created).toBe(true);
      const [account] = (await d.listAccounts())._unsafeUnwrap();
      expect(account).toMatchObject({
        accountId: created.accountId,
        email: "person1@example.org",
        sourceId: "s1",
        managed: true,
        archived: false,
        neverAccessed: true,
        fields: { Grade: "08" },
      });
    });

    it("answers a replayed create with the same account and created: false", async () => {
      const d = make();
      const first = (await d.createAccount(person(1), "s1"))._unsafeUnwrap();
      const again = (await d.createAccount(person(1), "s1"))._unsafeUnwrap();
      expect(again).toEqual({ accountId: first.accountId, created: false });
      expect((await d.listAccounts())._unsafeUnwrap()).toHaveLength(1);
    });

    it("refuses a second account with the same email, whatever its case", async () => {
      const d = make();
      await d.createAccount(person(1), "s1");
      const taken = await d.createAccount(person(2, { email: "PERSON1@example.org" }), "s2");
      expect(taken._unsafeUnwrapErr().type).toBe("EmailTaken");
    });

    it("links, updates, archives and restores, each repeatable", async () => {
      const d = make();
      const { accountId } = (await d.createAccount(person(1, { sourceId: "x" }), "x"))._unsafeUnwrap();
      for (let i = 0; i < 2; i++) {
        (await d.linkAccount(accountId, "s1", { fields: { Homeroom: "A" } }))._unsafeUnwrap();
        (await d.updateAccount(accountId, { email: "new1@example.org", familyGroupId: "F1" }))._unsafeUnwrap();
        (await d.archiveAccount(accountId))._unsafeUnwrap();
      }
      let [account] = (await d.listAccounts())._unsafeUnwrap();
      expect(account).toMatchObject({
        sourceId: "s1",
        email: "new1@example.org",
        familyGroupId: "F1",
        archived: true,
        fields: { Grade: "08", Homeroom: "A" },
      });
      (await d.restoreAccount(accountId, { familyGroupId: null }))._unsafeUnwrap();
      (await d.restoreAccount(accountId, {}))._unsafeUnwrap();
      [account] = (await d.listAccounts())._unsafeUnwrap();
      expect(account?.archived).toBe(false);
      expect(account?.familyGroupId).toBeUndefined();
    });

    it("refuses an update to an email another account owns", async () => {
      const d = make();
      await d.createAccount(person(1), "s1");
      const { accountId } = (await d.createAccount(person(2), "s2"))._unsafeUnwrap();
      expect((await d.updateAccount(accountId, { email: "person1@example.org" }))._unsafeUnwrapErr().type).toBe(
        "EmailTaken",
      );
    });

    it("answers NotFound for an unknown account", async () => {
      const d = make();
      expect((await d.updateAccount("nope", {}))._unsafeUnwrapErr().type).toBe("NotFound");
      expect((await d.archiveAccount("nope"))._unsafeUnwrapErr().type).toBe("NotFound");
    });

    it("creates fields once; creating one that exists is a replay", async () => {
      const d = make();
      (await d.createField({ name: "Shirt", kind: "dropdown", options: ["M", "S"] }))._unsafeUnwrap();
      (await d.createField({ name: "Shirt", kind: "dropdown", options: ["M", "S"] }))._unsafeUnwrap();
      expect((await d.listFields())._unsafeUnwrap()).toEqual([
        { name: "Shirt", kind: "dropdown", options: ["M", "S"] },
      ]);
    });

    it("merges after the fact: the duplicate is archived, unlinked and releases its email, repeatably (R6)", async () => {
      const d = make();
      const merge = d.mergeAccounts;
      expect(merge).toBeDefined();
      const dup = (await d.createAccount(person(1), "s1"))._unsafeUnwrap().accountId;
      const home = (await d.createAccount(person(2, { sourceId: "home" }), "home"))._unsafeUnwrap().accountId;
      for (let i = 0; i < 2; i++) (await merge?.call(d, dup, home))?._unsafeUnwrap();
      const retired = (await d.listAccounts())._unsafeUnwrap().find((a) => a.accountId === dup);
      expect(retired).toMatchObject({ archived: true });
      expect(retired?.sourceId).toBeUndefined();
      // The chosen account can now take the person and the email.
      (await d.linkAccount(home, "s1", { email: "person1@example.org" }))._unsafeUnwrap();
      expect((await merge?.call(d, "nobody", home))?._unsafeUnwrapErr().type).toBe("NotFound");
    });
  });
}

directoryContract("memory", () => createMemoryDirectory());
directoryContract("sqlite", () => createSqliteDirectory({ path: ":memory:" }));

describe("createSqliteDirectory", () => {
  it("keeps accounts in its file across reopening", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const path = join(mkdtempSync(join(tmpdir(), "rs-dir-")), "accounts.db");
    const d = createSqliteDirectory({ path });
    await d.createAccount(person(1), "s1");
    d.close();
    const again = createSqliteDirectory({ path });
    expect((await again.createAccount(person(1), "s1"))._unsafeUnwrap().created).toBe(false);
    again.markAccessed((await again.listAccounts())._unsafeUnwrap()[0]?.accountId ?? "");
    expect((await again.listAccounts())._unsafeUnwrap()[0]?.neverAccessed).toBe(false);
    again.close();
  });
});
