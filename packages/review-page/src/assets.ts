/**
 * The page's one stylesheet and one script, inlined verbatim. Both are constants: nothing from the report
 * is spliced into them (the data lives in the table and in a JSON data block), so their SHA-256 hashes are
 * constants too and the page's Content-Security-Policy can allow exactly these two and nothing else. Edit
 * either one and `test/csp.test.ts` prints the new hashes for `csp.ts`.
 *
 * @module
 */

/** The inline stylesheet. @internal */
export const STYLE = `
:root{--red:#c62828;--red-bg:#fdecea;--gray:#6b6b6b;--gray-bg:#eeeeee;--line:#d9d9d9;--ink:#1f2328;--muted:#59636e;--accent:#1a5fb4}
*{box-sizing:border-box}
body{margin:0;padding:1.5rem;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
h1{margin:0 0 .25rem;font-size:1.5rem}
.meta{margin:0 0 1rem;color:var(--muted)}
.counts{display:flex;flex-wrap:wrap;gap:.75rem;margin:0 0 1rem;padding:0;list-style:none}
.count{border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem;min-width:9rem}
.count .n{display:block;font-size:1.4rem;font-weight:600;font-variant-numeric:tabular-nums}
.count .label{color:var(--muted)}
.count.errors{border-color:var(--red)}
.flag{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:.85em;font-weight:600;white-space:nowrap}
.flag.red{color:#fff;background:var(--red)}
.flag.gray{color:#fff;background:var(--gray)}
.actions{margin:0 0 1rem}
button{font:inherit;padding:.35rem .8rem;border:1px solid var(--accent);border-radius:4px;background:var(--accent);color:#fff;cursor:pointer}
button:disabled{background:var(--gray-bg);color:var(--muted);border-color:var(--line);cursor:not-allowed}
.filters{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;margin:0 0 .75rem;padding:.5rem .75rem;background:#f6f8fa;border:1px solid var(--line);border-radius:6px}
.filters label{display:inline-flex;gap:.4rem;align-items:center}
select{font:inherit}
#shown{color:var(--muted);margin-left:auto}
/* The table is laid out as a grid of rows, not by the table algorithm: each row is then its own box, so
   content-visibility can skip rows off screen, and showing or hiding thousands of rows lays out only what
   is on screen (a 10k-row table otherwise re-runs table layout over every row). */
#people,#people thead,#people tbody{display:block;width:100%}
#people tr{display:grid;grid-template-columns:4.2rem 4.2rem minmax(8rem,1.3fr) 5.5rem 4.5rem 5.5rem 6rem minmax(10rem,1.8fr) 11rem 14rem}
#people tr[hidden]{display:none}
#people tbody tr{content-visibility:auto;contain-intrinsic-size:auto 2.2rem}
#people th,#people td{display:block;text-align:left;padding:.3rem .45rem;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
#people thead{position:sticky;top:0;z-index:1;background:#fff}
#people th{border-bottom:2px solid var(--ink)}
tr.st-excluded td{background:var(--red-bg)}
tr.st-excluded.fl-gray td{background:var(--gray-bg)}
tr.st-skipped td,tr.st-out-of-scope td{color:var(--muted)}
tr.ctx td{font-style:italic;color:var(--muted)}
tr.ctx td:first-child{box-shadow:inset 4px 0 0 var(--gray)}
tr.new td:first-child{box-shadow:inset 4px 0 0 var(--accent)}
.tag{display:inline-block;border:1px solid var(--gray);border-radius:3px;padding:0 .3rem;font-size:.8em;font-style:normal;color:var(--gray)}
.why{display:block;font-size:.85em;color:var(--muted)}
.missing{color:var(--red);font-weight:600}
.none{color:var(--muted)}
.empty{padding:1rem;color:var(--muted)}
@media print{.filters,.actions{display:none}#people thead{position:static}}
`;

/** The inline script: filters and the error report download. Plain ES2017, no framework. @internal */
export const SCRIPT = `
(function () {
  "use strict";
  var doc = document;
  var body = doc.getElementById("people").tBodies[0];
  var rows = body.rows;
  var total = rows.length;
  var status = doc.getElementById("f-status");
  var grade = doc.getElementById("f-grade");
  var newOnly = doc.getElementById("f-new");
  var shown = doc.getElementById("shown");
  var empty = doc.getElementById("no-match");
  // Read each row's attributes once: a filter change then touches only the rows whose visibility changes.
  var facts = new Array(total);
  for (var i = 0; i < total; i++) {
    var r = rows[i];
    facts[i] = {
      status: r.getAttribute("data-status"),
      grade: r.getAttribute("data-grade") || "",
      novelty: r.getAttribute("data-new") || "",
      reason: r.getAttribute("data-reason") || "",
      flag: r.getAttribute("data-flag") || "",
      newError: r.hasAttribute("data-new-error")
    };
  }
  function statusMatches(f, wanted) {
    switch (wanted) {
      case "all": return true;
      case "in-scope": return f.status !== "out-of-scope";
      case "needs-review": return (f.status !== "out-of-scope" && f.novelty !== "") || f.newError;
      case "missing-email": return f.reason === "missing-email";
      case "red": return f.flag === "red";
      case "gray": return f.flag === "gray";
      case "new-errors": return f.newError;
      default: return f.status === wanted;
    }
  }
  function apply() {
    var s = status.value;
    var g = grade.value;
    var n = newOnly.checked;
    var count = 0;
    for (var i = 0; i < total; i++) {
      var f = facts[i];
      var show = statusMatches(f, s) && (g === "*" || f.grade === g) && (!n || f.novelty !== "");
      if (rows[i].hidden === show) rows[i].hidden = !show;
      if (show) count++;
    }
    shown.textContent = "Showing " + count + " of " + total + (total === 1 ? " person" : " people");
    empty.hidden = count !== 0;
  }
  status.addEventListener("change", apply);
  grade.addEventListener("change", apply);
  newOnly.addEventListener("change", apply);
  apply();
  var download = doc.getElementById("download-errors");
  download.addEventListener("click", function () {
    var report = JSON.parse(doc.getElementById("error-report").textContent);
    var url = URL.createObjectURL(new Blob([report.csv], { type: "text/csv;charset=utf-8" }));
    var link = doc.createElement("a");
    link.href = url;
    link.download = report.fileName;
    doc.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  });
  download.disabled = false;
  download.removeAttribute("title");
})();
`;
