// Terminal output: headings, two-column facts, small tables and a progress bar. Plain text, 100 columns.
import type { ReviewReport, SyncPlan } from "@rostersync/core";
import type { SyncProgress } from "@rostersync/sync";

const out = (text = "") => process.stdout.write(`${text}\n`);

export function heading(step: string, text: string): void {
  const title = `${step}  ${text}`;
  out();
  out(`━━ ${title} ${"━".repeat(Math.max(3, 96 - title.length))}`);
}

export function fact(label: string, value: unknown): void {
  out(`   ${label.padEnd(34)} ${String(value)}`);
}

export function note(text: string): void {
  out(`   ${text}`);
}

/** A small table; numbers are right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly unknown[])[]): void {
  const cells = [header, ...rows].map((r) => r.map((c) => (c === null || c === undefined ? "" : String(c))));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const line = (r: readonly string[]) =>
    `   ${r.map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join("  ")}`.trimEnd();
  out(line(cells[0] ?? []));
  out(`   ${widths.map((w) => "─".repeat(w)).join("  ")}`);
  for (const r of cells.slice(1)) out(line(r));
}

export function reviewTable(report: ReviewReport): void {
  const t = report.totals;
  table(
    ["people in FACTS", "in scope", "importable", "excluded", "skipped", "new", "new errors"],
    [[t.people, t.people - t.outOfScope, t.importable, t.excluded, t.skipped, t.newPeople, t.newErrors]],
  );
  note(
    `excluded: ${t.missingEmails} missing email, ${t.invalidEmails} invalid email, duplicates ` +
      `${t.duplicatesRed} red / ${t.duplicatesGray} gray (${report.duplicateGroups.length} shared emails)`,
  );
  note(`users to sync ${t.toSync} · to skip ${t.toSkip} · to exclude ${t.toExclude}`);
}

export function planTable(plan: SyncPlan): void {
  const c = plan.counts;
  table(
    ["add", "link (same email)", "update", "restore", "archive", "skip", "create field"],
    [[c.add, c.link, c.update, c.restore, c.archive, c.skip, c.createField]],
  );
  for (const type of ["add", "link", "update", "archive", "skip"] as const) {
    const action = plan.actions.find((a) => a.type === type);
    if (action === undefined) continue;
    const who = "sourceId" in action && action.sourceId !== null ? `person ${action.sourceId}` : "";
    const diff =
      "changes" in action && action.changes.length > 0
        ? ` — ${action.changes
            .slice(0, 2)
            .map((ch) => `${ch.field}: ${ch.from ?? "∅"} → ${ch.to ?? "∅"}`)
            .join("; ")}`
        : "";
    note(`e.g. ${type.padEnd(8)} ${who.padEnd(15)} ${action.reasons.join(", ")}${diff}`);
  }
  if (plan.askAtFirstLogin.length > 0) note(`asked at first sign-in: ${plan.askAtFirstLogin.join(", ")}`);
}

/**
 * A progress bar for `apply` and `pushHours`: redrawn in place on a terminal; when stdout is a pipe or a
 * file (CI, the test), only the finished bar is printed, so logs stay short.
 */
export function progressBar(label: string): { update: (p: SyncProgress) => void; finish: () => void } {
  let last: SyncProgress | null = null;
  const render = (p: SyncProgress) => {
    const width = 30;
    const filled = p.total === 0 ? width : Math.round((p.done / p.total) * width);
    const rate = p.ratePerSecond > 0 ? `${Math.round(p.ratePerSecond).toLocaleString("en-US")}/s` : "";
    const records = p.records === undefined ? "" : ` · ${p.records.toLocaleString("en-US")} records`;
    return `   ${label.padEnd(10)} [${"█".repeat(filled)}${"░".repeat(width - filled)}] ${p.done}/${p.total} ${rate}${records}${
      p.failed > 0 ? ` (${p.failed} failed)` : ""
    }`;
  };
  return {
    update(p) {
      last = p;
      if (process.stdout.isTTY) process.stdout.write(`\r${render(p)}\u001b[K`);
    },
    finish() {
      if (last === null) return;
      if (process.stdout.isTTY) process.stdout.write("\n");
      else out(render(last));
      last = null;
    },
  };
}
