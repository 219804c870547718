import { describe, expect, it } from "vitest";
import { escapeHtml, scriptSafeJson } from "../src/escape.js";

describe("escapeHtml", () => {
  it("turns every character that HTML gives meaning to into an entity", () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
    );
  });

  it("leaves plain names, accents and emoji as they are", () => {
    for (const name of ["Chloé Müller", "O Neil", "Björn García", "Zoë 🎒", ""]) expect(escapeHtml(name)).toBe(name);
  });
});

describe("scriptSafeJson", () => {
  const tricky = [
    "</script><script>alert(1)</script>",
    "</SCRIPT >",
    "<!-- <script>",
    "a\u2028b\u2029c",
    `quote " backslash \\ amp & gt >`,
    "Chloé, =SUM(A1)\r\n",
  ];

  it("never lets a value close the script block or open a comment in it", () => {
    const json = scriptSafeJson({ values: tricky });
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
  });

  it("parses back to exactly the value it was given", () => {
    const value = { values: tricky, n: 3, nested: { ok: true, none: null } };
    expect(JSON.parse(scriptSafeJson(value))).toEqual(value);
    let every = "";
    for (let c = 0; c < 0x3000; c++) every += String.fromCharCode(c);
    expect(JSON.parse(scriptSafeJson(every))).toBe(every);
  });
});
