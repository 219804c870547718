import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NewAccount } from "@rostersync/core";
import { runDirectoryContract } from "@rostersync/testing/directory";
import { describe, expect, it } from "vitest";
import { createSqliteDirectory } from "../src/index.js";

const person = (n: number): NewAccount => ({
  email: `person${n}@example.org`,
  firstName: `First${n}`,
  lastName: `Last${n}`,
  sourceId: `s${n}`,
  fields: { Grade: "08" },
});

const open = async (path: string) => (await createSqliteDirectory({ path }))._unsafeUnwrap();

// The whole TargetDirectory contract (docs/adapters.md), on a private in-memory database per test.
runDirectoryContract("sqlite", () => open(":memory:"));

describe("createSqliteDirectory", () => {
  it("keeps accounts in its file across reopening", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "rs-dir-")), "accounts.db");
    const d = await open(path);
    await d.createAccount(person(1), "s1");
    await d.close();
    const again = await open(path);
    expect((await again.createAccount(person(1), "s1"))._unsafeUnwrap().created).toBe(false);
    again.markAccessed((await again.listAccounts())._unsafeUnwrap()[0]?.accountId ?? "");
    expect((await again.listAccounts())._unsafeUnwrap()[0]?.neverAccessed).toBe(false);
    await again.close();
  });

  it("closes once: a second close() does nothing", async () => {
    const d = await open(":memory:");
    await d.close();
    await expect(d.close()).resolves.toBeUndefined();
  });

  it("answers Unavailable, naming the path, when the database cannot be opened", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rs-dir-"));
    const missingFolder = join(dir, "no", "such", "folder", "accounts.db");
    const opened = await createSqliteDirectory({ path: missingFolder });
    expect(opened._unsafeUnwrapErr()).toMatchObject({ type: "Unavailable", path: missingFolder });
    expect(opened._unsafeUnwrapErr().message).toContain(missingFolder);
    const notSqlite = join(dir, "notes.txt");
    writeFileSync(notSqlite, "these are not the accounts you are looking for ".repeat(200));
    expect((await createSqliteDirectory({ path: notSqlite }))._unsafeUnwrapErr().type).toBe("Unavailable");
  });
});
