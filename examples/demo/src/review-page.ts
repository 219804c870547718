import type { ReviewReport, ReviewRow, SyncPlan } from "@rostersync/core";

const escapeHtml = (value: string | number | null | undefined): string =>
  String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const statusLabel: Record<ReviewRow["status"], string> = {
  importable: "Importable",
  excluded: "Excluded",
  skipped: "Skipped",
  "out-of-scope": "Out of scope",
};

function row(r: ReviewRow): string {
  const flag = r.flag ? `<span class="flag ${r.flag}" title="${r.flag} flag">⚑</span>` : "";
  return `<tr class="${r.status}${r.isNew ? " new" : ""}${r.isNewError ? " new-error" : ""}">
<td>${r.isNew ? "x" : r.isFamilyContext ? "<small>family</small>" : ""}</td>
<td>${r.selected ? "✓" : ""}</td>
<td>${escapeHtml(r.lastName)}, ${escapeHtml(r.firstName)}</td>
<td>${escapeHtml(r.rawEmail)}</td>
<td>${escapeHtml(r.gradeLevel)}</td>
<td>${escapeHtml(r.schoolCode)}</td>
<td>${escapeHtml(r.familyIds.join(" "))}</td>
<td>${statusLabel[r.status]} ${flag}</td>
<td>${escapeHtml(r.reasons.join(", "))}</td>
</tr>`;
}

/**
 * Renders the review as one self-contained HTML page (no scripts, no external assets), the way the
 * review step shows it: the numbers at the top, the pending tasks, then one row per in-scope person.
 */
export function renderReviewPage(title: string, report: ReviewReport, plan: SyncPlan | null): string {
  const t = report.totals;
  const card = (label: string, value: number, cls = "") =>
    `<div class="card ${cls}"><div class="n">${value}</div><div>${escapeHtml(label)}</div></div>`;
  const rows = report.rows.filter((r) => r.status !== "out-of-scope");
  const holds = plan?.holds.length
    ? `<div class="hold"><strong>Held:</strong> ${plan.holds.map((h) => escapeHtml(h.message)).join("<br>")}</div>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}
.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.card{border:1px solid #ddd;border-radius:8px;padding:.6rem 1rem;min-width:7rem}
.card .n{font-size:1.6rem;font-weight:600}
.card.red .n{color:#c0392b}.card.gray .n{color:#7f8c8d}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #eee;padding:.3rem .5rem;text-align:left}
tr.excluded td{background:#fff5f5}tr.skipped td{color:#888}tr.new-error td:first-child{border-left:3px solid #c0392b}
.flag.red{color:#c0392b}.flag.gray{color:#95a5a6}.hold{background:#fff3cd;padding:.6rem 1rem;border-radius:8px}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<div class="cards">
${card("Importable", t.importable)}${card("Excluded", t.excluded)}${card("Duplicates (red)", t.duplicatesRed, "red")}
${card("Duplicates (gray)", t.duplicatesGray, "gray")}${card("Missing emails", t.missingEmails, "red")}
${card("Users to sync", t.toSync)}${card("Users to skip", t.toSkip)}${card("Users to exclude", t.toExclude)}
${card("New people", t.newPeople)}${card("New errors", t.newErrors, "red")}
</div>
${
  plan
    ? `<h2>Pending sync tasks</h2><div class="cards">${card("To add", plan.counts.add + plan.counts.link)}${card(
        "To update",
        plan.counts.update + plan.counts.restore,
      )}${card("To archive", plan.counts.archive)}${card("To skip", plan.counts.skip)}</div>${holds}`
    : ""
}
<h2>People in scope (${rows.length})</h2>
<table><thead><tr><th>New?</th><th>Sync?</th><th>Name</th><th>Email</th><th>Grade</th><th>School</th><th>Family</th><th>Status</th><th>Reasons</th></tr></thead>
<tbody>
${rows.map(row).join("\n")}
</tbody></table>
</body></html>
`;
}
