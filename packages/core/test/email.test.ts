import { describe, expect, it } from "vitest";
import { checkEmail, isValidEmail, normaliseEmail } from "../src/email.js";
import { review } from "../src/review.js";
import { inputOf, student } from "./test-fixtures.js";

describe("email (R1)", () => {
  it("trims, applies NFC and lowercases (R1)", () => {
    expect(normaliseEmail("  Ann.Lee@School.ORG \t")).toBe("ann.lee@school.org");
    // "é" as e + combining acute (NFD) and as one code point (NFC) is the same mailbox.
    expect(normaliseEmail("Ren\u0065\u0301e@school.org")).toBe(normaliseEmail("Ren\u00e9e@SCHOOL.org"));
    expect(normaliseEmail("ren\u00e9e@school.org")).toBe("ren\u00e9e@school.org");
  });

  it("never folds +tags or dots: they are different mailboxes (R1)", () => {
    expect(normaliseEmail("ann+pta@school.org")).toBe("ann+pta@school.org");
    expect(normaliseEmail("a.nn@school.org")).not.toBe(normaliseEmail("ann@school.org"));
  });

  it("rejects a second @, an empty local part, a domain without a dot and inner whitespace (R1)", () => {
    for (const bad of [
      "a@b@school.org",
      "@school.org",
      "ann@school",
      "ann@.org",
      "ann@school.",
      "an n@school.org",
      "ann",
    ]) {
      expect(isValidEmail(normaliseEmail(bad)), bad).toBe(false);
    }
    expect(isValidEmail("ann@school.org")).toBe(true);
    expect(checkEmail("   ")).toEqual({ kind: "missing" });
    expect(checkEmail(null)).toEqual({ kind: "missing" });
  });

  it("excludes people with a missing email as missing-email and a bad one as invalid-email (R1)", () => {
    const report = review(
      inputOf([
        student("1", { email: null }),
        student("2", { email: "" }),
        student("3", { email: "kid at school.org" }),
      ]),
    );
    expect(report.rows.map((r) => [r.status, r.reasons[0]])).toEqual([
      ["excluded", "missing-email"],
      ["excluded", "missing-email"],
      ["excluded", "invalid-email"],
    ]);
    expect(report.totals.missingEmails).toBe(2);
    expect(report.totals.invalidEmails).toBe(1);
  });

  it("treats two spellings of one address as one mailbox when grouping duplicates (R1, R3)", () => {
    const report = review(
      inputOf([student("1", { email: "Kid@School.org" }), student("2", { email: " kid@school.org" })]),
    );
    expect(report.duplicateGroups).toHaveLength(1);
    expect(report.duplicateGroups[0]?.email).toBe("kid@school.org");
  });
});
