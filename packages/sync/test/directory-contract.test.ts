import type { NewAccount } from "@rostersync/core";
import { runDirectoryContract } from "@rostersync/testing/directory";
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

// The whole TargetDirectory contract is @rostersync/testing/directory's (core's memory directory runs it in
// packages/testing/test); here it runs against the SQLite reference directory.
runDirectoryContract("sqlite", () => createSqliteDirectory({ path: ":memory:" }));

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
