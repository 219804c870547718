/** Regression suite of issue 14 §6: no part of the password of a malformed connection string is echoed. */
import { createPostgresStore, redact } from "@rostersync/storage-postgres";
import { describe, expect, it } from "vitest";

const refused = async (connectionString: string) => {
  const opened = await createPostgresStore({ connectionString });
  if (opened.isOk()) {
    await opened.value.close();
    throw new Error("expected the store to be refused");
  }
  return opened.error;
};

// Password characters: X, Y, Z appear in no message the store writes, so any of them in one is a leak.
const UNITS = ["X", "Y", "Z", "@", "!", "/", ":", "#", "?", "%", " ", "["];

/** `count` passwords from a fixed-seed generator (no fast-check in this package): every unit, any order. */
function passwords(count: number): string[] {
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let pw = "X";
    const n = 1 + (next() % 16);
    for (let k = 0; k < n; k++) pw += UNITS[next() % UNITS.length];
    out.push(`${pw}Z`);
  }
  return out;
}

describe("malformed PostgreSQL URLs never leak the password (issue 14 §6)", () => {
  it("the issue's case: an unencoded @ in the password of an unparsable URL", async () => {
    const error = await refused("postgres://admin:p@ss!word@db.example:notaport/app");
    expect(error.type).toBe("Invalid");
    expect(error.message).not.toMatch(/ss!word|p@ss/);
  });

  it("a refused connection string shows none of its password's characters (generated passwords)", async () => {
    // A `/`, `?` or `#` ends a URL's authority: what follows is the path, by definition, not the password.
    const pws = passwords(40).map((p) => p.replace(/[/?#]/g, "!"));
    for (const [i, pw] of pws.entries()) {
      // Unparsable hosts and ports only: nothing is ever dialled.
      const host = ["db", "[::1", "db host"][i % 3];
      const port = ["notaport", "99999999"][i % 2];
      const error = await refused(`postgres://admin:${pw}@${host}:${port}/app`);
      expect(error.type, `${pw} ${error.message}`).toBe("Invalid");
      expect(error.message, pw).not.toMatch(/[XYZ]/);
    }
  });

  it("redact hides the whole password of a URL in any message, whatever it holds (generated passwords)", () => {
    // In free text a URL ends at whitespace; a password holding a space is scrubbed as a known secret instead.
    for (const pw of passwords(500).map((p) => p.replaceAll(" ", "!"))) {
      expect(redact(`connect to postgres://admin:${pw}@db:5432/app failed`), pw).not.toMatch(/[XYZ]/);
    }
  });
});
