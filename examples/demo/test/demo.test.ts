import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { isValidEmail, normaliseEmail } from "@rostersync/core";
import { createFactsSimulator, startFactsServer } from "@rostersync/facts/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schoolInFacts, summerInFacts } from "../src/school.ts";
import { readCsv } from "./csv.ts";

// The demo runs the built packages, exactly as `bash scripts/run.sh demo` does.
const out = mkdtempSync(join(tmpdir(), "rostersync-demo-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const SIZE = 600;
const SEED = 11;

function demo(...args: string[]) {
  return spawnSync(process.execPath, ["src/main.ts", ...args], {
    cwd: join(import.meta.dirname, ".."),
    env: { ...process.env, FACTS_SUBSCRIPTION_KEY: "", FACTS_API_KEY: "" },
    encoding: "utf8",
    timeout: 120_000,
  });
}

/** The demo as a child process that does not block this one (the simulator answers it from here). */
function demoAsync(env: Record<string, string>, ...args: string[]) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["src/main.ts", ...args], {
      cwd: join(import.meta.dirname, ".."),
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** RFC 4180 rows (quoted cells, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const { rows, quoted, row, cell } = readCsv(text);
  expect(quoted, "unterminated quote").toBe(false);
  expect(cell + row.join(""), "text after the last CRLF").toBe("");
  return rows;
}

describe("examples/demo", () => {
  let run: ReturnType<typeof demo>;
  beforeAll(() => {
    run = demo("--size", String(SIZE), "--seed", String(SEED), "--out", out);
  }, 300_000);

  it("runs the story end to end and exits 0", () => {
    if (run.status !== 0) console.error(run.stdout, run.stderr);
    expect(run.status).toBe(0);
    for (const heading of [
      /First sync — setup and review/,
      /First sync — plan/,
      /First sync — apply/,
      /hours written back to FACTS/,
      /Next school year in FACTS/,
      /Next school year — Preview & Sync/,
      /Hero tardies/,
    ]) {
      expect(run.stdout).toMatch(heading);
    }
    expect(run.stdout).toMatch(/⚠ held: /);
    expect(run.stdout).toMatch(/apply without acknowledging → Held; nothing written/);
    expect(run.stdout).toMatch(/directory = core's simulateApply\s+✓/);
    expect(run.stdout).toMatch(/nightly unattended sync\s+applied: nothing left to write/);
  });

  it("writes review pages, error reports that parse, invitations and the tardy files", () => {
    for (const file of [
      "rostersync.db",
      "accounts.db",
      "review-first.html",
      "review-next-year.html",
      "errors-first.csv",
      "errors-next-year.csv",
      "errors-next-year-new-only.csv",
      "invites-first.csv",
    ]) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    for (const file of ["errors-first.csv", "errors-next-year.csv"]) {
      const rows = parseCsv(readFileSync(join(out, file), "utf8"));
      expect(rows[0]).toEqual(["sourceId", "name", "grade", "school", "familyId", "email", "reason"]);
      expect(rows.length).toBeGreaterThan(5);
      for (const r of rows) expect(r).toHaveLength(7);
      expect(rows.slice(1).every((r) => /^\d+$/.test(r[0] ?? ""))).toBe(true);
    }
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    const next = readFileSync(join(out, "review-next-year.html"), "utf8");
    expect(next).toContain('<table id="people">');
    // New? rows in scope, as the review page marks them (R5).
    const newRowsOf = (html: string) =>
      html.match(/<tr class="[^"]*\bnew\b[^"]*" data-id="\d+" data-status="(?!out-of-scope)/g) ?? [];
    const newRows = newRowsOf(next);
    expect(newRows.length).toBeGreaterThan(0);
    expect(newRows.length).toBe(summary.nextYearNewRows);
    const first = readFileSync(join(out, "review-first.html"), "utf8");
    expect(newRowsOf(first).length).toBeGreaterThan(newRows.length);
    // The page carries its own error report download: the same CSV as the file beside it.
    expect(first).toContain('"fileName":"errors-first.csv"');
    const inbox = readdirSync(join(out, "sis-inbox"));
    expect(inbox).toHaveLength(2);
    const tardies = parseCsv(readFileSync(join(out, "sis-inbox", inbox.sort()[0] ?? ""), "utf8"));
    expect(tardies[0]?.[0]).toBe("Student ID");
    expect(tardies.flat().some((c) => c.startsWith("'="))).toBe(true); // formula guard (R12)
  });

  it("leaves exactly the enrolled students with a usable email active in the account directory", () => {
    // Independent of the planner: the simulator's school a year on (its expected people), counted by hand.
    const year2 = summerInFacts(schoolInFacts(SEED, SIZE), SEED).expectedPeople;
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    const enrolled = year2.filter((p) => p.role === "student" && p.status === "enrolled");
    const emails = new Map<string, string[]>();
    for (const p of enrolled) {
      const e = normaliseEmail(p.email);
      if (isValidEmail(e)) emails.set(e, [...(emails.get(e) ?? []), p.sourceId]);
    }
    // One account per distinct usable email (shared ones resolved to one person), minus the person unselected.
    const unselectedAlone = [...emails.values()].some((ids) => ids.length === 1 && ids[0] === summary.unselected);
    const expected = emails.size - (unselectedAlone ? 1 : 0);

    const db = new DatabaseSync(join(out, "accounts.db"), { readOnly: true });
    const rows = db.prepare("SELECT source_id, archived, managed FROM accounts").all() as {
      source_id: string | null;
      archived: number;
      managed: number;
    }[];
    db.close();
    const active = rows.filter((r) => r.archived === 0 && r.managed === 1 && r.source_id !== null);
    expect(active.length).toBe(expected);
    expect(summary.activeManagedAccounts).toBe(expected);
    const enrolledIds = new Set(enrolled.map((p) => p.sourceId));
    expect(active.filter((r) => !enrolledIds.has(r.source_id ?? ""))).toEqual([]);
    const graduated = new Set(year2.filter((p) => p.status === "graduated").map((p) => p.sourceId));
    expect(rows.some((r) => r.archived === 1 && graduated.has(r.source_id ?? ""))).toBe(true);
  });

  it("refuses a bad flag with a clear message and exit code 2", () => {
    const bad = demo("--size", "lots");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--size must be a whole number/);
    const keys = demo("--facts-url", "https://api.example.invalid", "--dry-run");
    expect(keys.status).toBe(2);
    expect(keys.stderr).toMatch(/FACTS_SUBSCRIPTION_KEY and FACTS_API_KEY/);
  });

  it("reads a FACTS tenant with --facts-url --dry-run and writes nothing to it; a refused key exits 1", async () => {
    const keys = { subscriptionKey: "tenant-subscription-key-123", apiKey: "tenant-api-key-456" };
    const sim = createFactsSimulator({ school: schoolInFacts(3, 300), keys });
    const server = await startFactsServer(sim, { port: 0 });
    const dir = mkdtempSync(join(tmpdir(), "rostersync-demo-tenant-"));
    try {
      const env = { FACTS_SUBSCRIPTION_KEY: keys.subscriptionKey, FACTS_API_KEY: keys.apiKey };
      const run = await demoAsync(env, "--facts-url", server.url, "--dry-run", "--out", dir);
      if (run.status !== 0) console.error(run.stdout, run.stderr);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/--dry-run: nothing applied/);
      expect(readdirSync(dir).sort()).toEqual(["errors-first.csv", "review-first.html", "summary.json"]);
      expect(sim.stats().writes).toEqual({ created: 0, updated: 0, deleted: 0, attendancePosted: 0 });
      expect(sim.stats().requests).toBeGreaterThan(0);
      expect(run.stdout + run.stderr).not.toContain(keys.apiKey);

      const refused = await demoAsync(
        { ...env, FACTS_API_KEY: "wrong-key-789" },
        "--facts-url",
        server.url,
        "--dry-run",
        "--out",
        dir,
      );
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/demo: Reading FACTS failed: Unauthorized/);
      expect(refused.stdout + refused.stderr).not.toContain("wrong-key-789");
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
