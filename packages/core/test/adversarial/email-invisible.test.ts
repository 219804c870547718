/** Regression suite of issue 14 §6: invisible format characters (Unicode Cf) in an email (R1). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkEmail } from "../../src/email.js";
import { plan } from "../../src/plan.js";
import { review } from "../../src/review.js";
import { account, inputOf, student } from "../test-fixtures.js";

/** A sample of Cf: soft hyphen, Arabic letter mark, zero-width space / non-joiner / joiner, LRM, RLM,
 * word joiner, invisible times, LRE…PDF, BOM, a tag character (astral). */
const INVISIBLE = [
  "\u00ad",
  "\u061c",
  "\u200b",
  "\u200c",
  "\u200d",
  "\u200e",
  "\u200f",
  "\u2060",
  "\u2062",
  "\u202a",
  "\u202c",
  "\ufeff",
  "\u{e0041}",
];

describe("invisible characters in emails (R1, issue 14 §6)", () => {
  it("refuses an address holding any invisible format character", () => {
    for (const c of INVISIBLE) {
      expect(checkEmail(`a${c}@x.org`).kind, JSON.stringify(c)).toBe("invalid");
      expect(checkEmail(`A@X${c}.org`).kind, JSON.stringify(c)).toBe("invalid");
    }
    expect(checkEmail("a@x.org").kind).toBe("ok");
    expect(checkEmail("élodie@école.fr").kind).toBe("ok");
  });

  it("property: a Cf character anywhere in a valid address makes it invalid (a BOM at either end is trimmed like a space)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...INVISIBLE),
        fc.stringMatching(/^[a-z]{1,8}@[a-z]{1,8}\.(org|net)$/),
        fc.nat(),
        (c, email, at) => {
          const i = at % (email.length + 1);
          const hidden = email.slice(0, i) + c + email.slice(i);
          const r = checkEmail(hidden);
          if (c === "\ufeff" && (i === 0 || i === email.length)) expect(r).toEqual({ kind: "ok", email });
          else expect(r.kind).toBe("invalid");
        },
      ),
    );
  });

  it("end to end: the person is excluded as invalid-email and never linked to the look-alike account", () => {
    const input = inputOf(
      [student("1", { email: "kim\u200b@school.org" })],
      [account("a1", { email: "kim@school.org", managed: false })],
    );
    const r = review(input);
    expect(r.rows[0]).toMatchObject({ status: "excluded", reasons: ["invalid-email"] });
    const p = plan(input);
    expect(p.actions.filter((a) => a.type === "link" || a.type === "add")).toEqual([]);
  });
});
