/**
 * The review app's one stylesheet and one script, inlined verbatim (see `app.ts`). Constants, like the static
 * page's: the page's settings travel in a JSON data block, so the hashes in `csp.ts` never change with them.
 * Edit either one and `test/csp.test.ts` prints the new hashes.
 *
 * @module
 */

/** The app's inline stylesheet. @internal */
export const APP_STYLE = `
:root{--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--accent:#0b57a4;--red:#b42318;--red-bg:#fdecea;--gray:#57606a;--gray-bg:#eeeeee;--orange:#b93c06;--ok:#1a7f37}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
header{padding:.75rem 1.25rem;border-bottom:1px solid var(--line)}
h1{margin:0;font-size:1.35rem}
h2{margin:0 0 .5rem;font-size:1.2rem}
h3{margin:1rem 0 .35rem;font-size:1rem}
.layout{display:grid;grid-template-columns:15rem 1fr;min-height:calc(100vh - 3.5rem)}
nav{border-right:1px solid var(--line);padding:.75rem}
nav ol{list-style:none;margin:0;padding:0}
nav li{margin:0 0 .25rem}
nav button{width:100%;text-align:left;background:#fff;color:var(--ink);border:1px solid transparent}
nav button[aria-current=step]{border-color:var(--accent);background:#e8f0fb;font-weight:600}
main{padding:1rem 1.25rem;min-width:0}
button{font:inherit;padding:.35rem .8rem;border:1px solid var(--accent);border-radius:4px;background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:#fff;color:var(--accent)}
button.sync{background:var(--orange);border-color:var(--orange);font-weight:600;padding:.5rem 1.4rem}
button:disabled{background:var(--gray-bg);color:var(--muted);border-color:var(--line);cursor:not-allowed}
button:focus-visible,input:focus-visible,select:focus-visible,h2:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
input,select{font:inherit}
input[type=text],input[type=password],input[type=search]{padding:.3rem .4rem;border:1px solid var(--muted);border-radius:4px;min-width:16rem}
fieldset{border:1px solid var(--line);border-radius:6px;margin:0 0 .75rem;padding:.5rem .75rem}
legend{font-weight:600}
.choices{display:flex;flex-wrap:wrap;gap:.35rem 1rem}
.hint{color:var(--muted);margin:.25rem 0}
.next{margin:1rem 0 0;display:flex;gap:.5rem;align-items:center}
.numbers{display:flex;flex-wrap:wrap;gap:.6rem;margin:0 0 .75rem;padding:0;list-style:none}
.numbers li{border:1px solid var(--line);border-radius:6px;padding:.35rem .7rem;min-width:8.5rem}
.numbers .n{display:block;font-size:1.3rem;font-weight:600;font-variant-numeric:tabular-nums}
.filters{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:center;margin:0 0 .5rem;padding:.5rem .75rem;background:#f6f8fa;border:1px solid var(--line);border-radius:6px}
.filters label{display:inline-flex;gap:.35rem;align-items:center}
.bulk{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:0 0 .5rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.25rem .45rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
thead th{border-bottom:2px solid var(--ink);background:#fff;position:sticky;top:0}
tr.st-excluded td{background:var(--red-bg)}
tr.fl-gray td{background:var(--gray-bg)}
tr.st-skipped td,tr.st-out-of-scope td{color:var(--muted)}
tr.ctx td{font-style:italic}
.flag{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:.85em;font-weight:600;color:#fff;white-space:nowrap}
.flag.red{background:var(--red)}
.flag.gray{background:var(--gray)}
.why{display:block;font-size:.85em;color:var(--muted)}
.missing{color:var(--red);font-weight:600}
.pager{display:flex;gap:.75rem;align-items:center;margin:.5rem 0}
.granted{color:var(--ok);font-weight:600}
.denied{color:var(--red);font-weight:600}
.panel{border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem;margin:0 0 .75rem}
.panel.hold{border:2px solid var(--red);background:#fffafa}
#alert:empty,#notice:empty{display:none}
#alert{border:2px solid var(--red);background:var(--red-bg);border-radius:6px;padding:.5rem .75rem;margin:0 0 .75rem}
#notice{color:var(--muted);margin:0 0 .5rem}
#working{margin:0 0 .75rem}
progress{width:24rem;max-width:100%;height:1.1rem;vertical-align:middle}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.example{margin:.15rem 0}
`;

/** The app's inline script: drives the handler's JSON API. Plain ES2017, no framework. @internal */
export const APP_SCRIPT = `
(function () {
  "use strict";
  var doc = document;
  function $(id) { return doc.getElementById(id); }
  var config = JSON.parse($("rs-config").textContent);
  var PAGE_SIZE = 100;
  var STEPS = ["home", "key", "school", "fields", "selection", "duplicates", "excluded", "review", "tasks", "invite"];
  var REASONS = {
    "missing-email": "No/missing email address", "invalid-email": "Invalid email address",
    "duplicate-unresolved": "Email shared with another person: choose one in Resolve Duplicates",
    "duplicate-other-selected": "Other duplicate email address selected for import",
    "email-in-use": "Email used by another account", "unselected": "Unselected (skipped)",
    "wrong-role": "Other user type", "school-not-selected": "School not selected", "grade-not-selected": "Grade level not selected",
    "not-enrolled": "Not enrolled", "no-child-in-scope": "No child in the synced schools or grades",
    "relationship-not-selected": "Relationship not selected", "not-listed-first": "Not listed first",
    "new-person": "New in FACTS SIS", "linked": "Already synced", "manual-merge": "Merged by an admin",
    "email-match": "Same email as an existing account: merged, keeps its hours", "fields-changed": "Profile fields changed",
    "returning": "Back in FACTS SIS: restored with their history", "gone-from-source": "No longer in FACTS SIS",
    "out-of-scope": "No longer in the schools or grade levels you sync", "excluded-linked": "Has a data error: left as it is",
    "skipped-linked": "Unselected: left as it is", "field-missing": "Profile field created first", "merged": "Merged into the chosen account"
  };
  var STATUS = { importable: "Importable", excluded: "Excluded", skipped: "Skipped", "out-of-scope": "Out of scope" };
  var ACTIONS = [["add", "To add"], ["link", "To merge with an existing account"], ["update", "To update"], ["restore", "To restore"],
    ["archive", "To archive"], ["skip", "To skip"], ["createField", "Profile fields to create"]];
  var state = {
    profile: null, catalogue: null, tag: null, openOn: null, resync: false, hoursChoice: null,
    filter: "in-scope", grade: "", search: "", page: 1, pages: 1, matching: 0, rows: [], ops: [], dirty: {},
    excludedPage: 1, plan: null, lastRun: null, loads: 0
  };

  // ---- talking to the handler ----
  function request(method, path, body, accept) {
    var headers = { accept: accept || "application/json" };
    if (method !== "GET") {
      headers[config.csrfHeader] = "1";
      headers["content-type"] = "application/json";
    }
    if (method === "POST" && path === "/decisions" && state.tag) headers["if-match"] = state.tag;
    return fetch(config.basePath + path, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      var read = type.indexOf("json") >= 0 ? response.json() : response.text();
      return read.then(function (data) { return { ok: response.ok, status: response.status, data: data }; });
    });
  }
  /** A long step with server-sent progress: fills the progress bar, answers the result event. */
  function longStep(path, body, label) {
    var working = $("working");
    var bar = $("progress");
    var text = $("progress-text");
    $("progress-label").textContent = label;
    bar.removeAttribute("value");
    text.textContent = "";
    working.removeAttribute("data-progress-events");
    working.hidden = false;
    var headers = { accept: "text/event-stream", "content-type": "application/json" };
    headers[config.csrfHeader] = "1";
    return fetch(config.basePath + path, {
      method: "POST", headers: headers, credentials: "same-origin", body: JSON.stringify(body || {})
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      if (type.indexOf("event-stream") < 0) {
        return response.json().then(function (data) { return { ok: false, status: response.status, data: data }; });
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      var outcome = null;
      var events = 0;
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) return outcome || { ok: false, status: 500, data: { detail: "The server stopped answering." } };
          buffer += decoder.decode(chunk.value, { stream: true });
          var at;
          while ((at = buffer.indexOf("\\n\\n")) >= 0) {
            var block = buffer.slice(0, at);
            buffer = buffer.slice(at + 2);
            var event = /^event: (.*)$/m.exec(block);
            var data = /^data: (.*)$/m.exec(block);
            if (!event || !data) continue;
            var value = JSON.parse(data[1]);
            if (event[1] === "progress") {
              events += 1;
              working.setAttribute("data-progress-events", String(events));
              if (value.total > 0) {
                bar.max = value.total;
                bar.value = Math.min(value.done, value.total);
                text.textContent = value.done + " of " + value.total + (value.phase === "read" ? " pages read" : " done");
              }
            } else if (event[1] === "result") {
              outcome = { ok: true, status: 200, data: value };
            } else if (event[1] === "error") {
              outcome = { ok: false, status: 409, data: value };
            }
          }
          return pump();
        });
      }
      return pump();
    }).then(function (result) {
      working.hidden = true;
      return result;
    }, function (error) {
      working.hidden = true;
      throw error;
    });
  }

  // ---- messages ----
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function el(tag, attrs, children) {
    var node = doc.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
    }
    if (children) for (var i = 0; i < children.length; i++) if (children[i]) node.appendChild(children[i]);
    return node;
  }
  function notice(text) { $("notice").textContent = text; }
  function problem(data, extra) {
    var box = $("alert");
    clear(box);
    var detail = (data && (data.detail || data.title)) || "Something went wrong.";
    box.appendChild(el("p", { text: detail }));
    if (data && data.problems && data.problems.length) {
      var list = el("ul");
      data.problems.forEach(function (p) { list.appendChild(el("li", { text: p.message })); });
      box.appendChild(list);
    }
    if (extra) box.appendChild(extra);
    box.focus();
  }
  function clearProblem() { clear($("alert")); }
  function staleDecisions() {
    var reload = el("button", { type: "button", id: "reload", text: "Reload" });
    reload.addEventListener("click", function () {
      state.ops = []; state.dirty = {};
      clearProblem();
      show(state.step);
    });
    problem({ detail: "Someone else saved first: reload to see their changes, then make yours again." }, reload);
  }
  function who() { return state.profile && state.profile.role === "parent" ? "Parents" : "Students"; }

  // ---- steps ----
  function show(step) {
    state.step = step;
    STEPS.forEach(function (s) {
      var section = $("step-" + s);
      if (section) section.hidden = s !== step;
      var link = $("go-" + s);
      if (link) { if (s === step) link.setAttribute("aria-current", "step"); else link.removeAttribute("aria-current"); }
    });
    clearProblem();
    notice("");
    $("hours-guard").hidden = true;
    var enter = ENTER[step];
    var done = enter ? Promise.resolve(enter()) : Promise.resolve();
    return done.then(function () {
      var heading = $("step-" + step).querySelector("h2");
      if (heading) heading.focus();
    });
  }
  STEPS.forEach(function (s) {
    var link = $("go-" + s);
    if (link) link.addEventListener("click", function () { show(s); });
  });

  // Step 1: the key and the hour-syncing switch.
  function hoursValue() {
    var yes = $("hours-yes"), no = $("hours-no");
    return yes.checked ? true : no.checked ? false : null;
  }
  function testKey() {
    var input = $("api-key");
    var save = Promise.resolve({ ok: true });
    if (config.keyEntry && input.value.trim() !== "") {
      save = request("PUT", "/key", { apiKey: input.value });
    }
    return save.then(function (saved) {
      // The key is never kept in the page: cleared once sent.
      input.value = "";
      if (!saved.ok) { problem(saved.data); return; }
      return request("GET", "/access").then(function (r) {
        var box = $("access");
        clear(box);
        if (!r.ok) { problem(r.data); return; }
        var a = r.data;
        box.appendChild(el("p", { id: "access-summary", className: a.ok ? "granted" : "denied",
          text: !a.authenticated ? "FACTS SIS did not accept this key." :
            a.ok ? "The key works: it has every permission the sync needs." : "The key works, but it lacks a permission the sync needs." }));
        var list = el("ul", { id: "permissions", "aria-label": "FACTS SIS permissions of this key" });
        a.permissions.forEach(function (p) {
          var mark = p.granted === true ? "Granted" : p.granted === false ? "Not granted" : "Unknown";
          list.appendChild(el("li", null, [
            el("span", { className: p.granted === true ? "granted" : "denied", text: mark + ": " }),
            el("strong", { text: p.name }),
            doc.createTextNode(" — " + p.neededFor + (p.required ? "" : " (optional)") + (p.message ? ". " + p.message : ""))
          ]));
        });
        box.appendChild(list);
      });
    });
  }
  $("test-key").addEventListener("click", function () { testKey(); });
  /** Switches hour syncing to the admin's choice through the historic-hours guard; false when the guard refused. */
  function applyHours(force) {
    var wanted = state.hoursChoice;
    if (wanted === null || !state.profile) return Promise.resolve(true);
    if (!force && state.profile.hoursSync.enabled === wanted) return Promise.resolve(true);
    return request("POST", "/hours", { enabled: wanted, force: force === true }).then(function (r) {
      if (r.ok) {
        state.profile.hoursSync = r.data.hoursSync;
        $("hours-guard").hidden = true;
        return true;
      }
      if (r.data && r.data.code === "HistoricHoursUnseen") {
        // The guard's answer in the admin's words (the SDK's message names its own functions).
        $("guard-text").textContent = "FACTS SIS holds " + r.data.unseen + " service hour record" +
          (r.data.unseen === 1 ? "" : "s") + " that " + (r.data.unseen === 1 ? "was" : "were") +
          " never imported. Import your historic hours first, then come back and turn hour syncing on; " +
          "or turn it on anyway (those hours are then never imported).";
        $("hours-guard").hidden = false;
        $("guard-force").focus();
        return false;
      }
      problem(r.data);
      return false;
    });
  }
  $("guard-force").addEventListener("click", function () {
    applyHours(true).then(function (ok) { if (ok) notice("Hour syncing is on."); });
  });
  $("guard-off").addEventListener("click", function () {
    state.hoursChoice = false;
    $("hours-no").checked = true;
    $("hours-guard").hidden = true;
    notice("Hour syncing stays off. Come back to Step 1 after importing your historic hours.");
  });
  $("key-next").addEventListener("click", function () {
    state.hoursChoice = hoursValue();
    applyHours(false).then(function (ok) { if (ok) show("school"); });
  });

  // Step 2: school(s), user type, grade levels.
  function catalogue() {
    if (state.catalogue) return Promise.resolve(state.catalogue);
    return request("GET", "/catalogue").then(function (r) {
      if (!r.ok) { problem(r.data); return null; }
      state.catalogue = r.data;
      return r.data;
    });
  }
  function checkboxes(box, name, items, checked) {
    clear(box);
    items.forEach(function (item, i) {
      var id = name + "-" + i;
      var input = el("input", { type: "checkbox", id: id, value: item.value, checked: checked.indexOf(item.value) >= 0 });
      box.appendChild(el("span", null, [input, el("label", { "for": id, text: " " + item.label })]));
    });
  }
  function checkedValues(box) {
    return Array.prototype.filter.call(box.querySelectorAll("input[type=checkbox]"), function (c) { return c.checked; })
      .map(function (c) { return c.value; });
  }
  var ENTER = {};
  ENTER.key = function () {
    $("key-entry").hidden = !config.keyEntry;
    var enabled = state.hoursChoice !== null ? state.hoursChoice : state.profile ? state.profile.hoursSync.enabled : null;
    $("hours-yes").checked = enabled === true;
    $("hours-no").checked = enabled === false;
  };
  ENTER.school = function () {
    return catalogue().then(function (c) {
      if (!c) return;
      var p = state.profile;
      checkboxes($("schools"), "school", c.schools.map(function (s) {
        return { value: s.schoolCode, label: s.name && s.name !== s.schoolCode ? s.name + " (" + s.schoolCode + ")" : s.schoolCode };
      }), p ? p.schools : c.schools.length === 1 ? [c.schools[0].schoolCode] : []);
      var type = $("user-type");
      clear(type);
      c.userTypes.forEach(function (t) {
        type.appendChild(el("option", { value: t.role, selected: p ? p.role === t.role : t.role === "student",
          text: t.label + (typeof t.count === "number" ? " (" + t.count + " in FACTS SIS)" : "") }));
      });
      checkboxes($("grades"), "grade", c.gradeLevels.map(function (g) {
        return { value: g.code, label: (g.name || g.code) + (g.final ? " (final grade)" : "") };
      }), p ? p.gradeLevels : []);
      $("grades-fieldset").hidden = type.value !== "student";
    });
  };
  $("user-type").addEventListener("change", function () { $("grades-fieldset").hidden = $("user-type").value !== "student"; });
  $("grades-all").addEventListener("click", function () {
    Array.prototype.forEach.call($("grades").querySelectorAll("input"), function (c) { c.checked = true; });
  });
  function profileBody(changes) {
    var p = state.profile || { fieldMap: [], defaultSelection: true, hoursSync: { enabled: false, historicImportDone: false } };
    var body = {
      role: p.role, schools: p.schools, gradeLevels: p.gradeLevels, fieldMap: p.fieldMap,
      defaultSelection: p.defaultSelection,
      hoursSync: { enabled: p.hoursSync.enabled, historicImportDone: p.hoursSync.historicImportDone }
    };
    if (p.parentSubset) body.parentSubset = p.parentSubset;
    if (p.thresholds) body.thresholds = p.thresholds;
    if (p.familyOverrides) body.familyOverrides = p.familyOverrides;
    for (var k in changes) body[k] = changes[k];
    return body;
  }
  function saveProfile(changes) {
    return request("PUT", "/setup", profileBody(changes)).then(function (r) {
      if (!r.ok) { problem(r.data); return false; }
      state.profile = r.data.profile;
      return true;
    });
  }
  $("school-next").addEventListener("click", function () {
    var role = $("user-type").value;
    saveProfile({ role: role, schools: checkedValues($("schools")), gradeLevels: role === "student" ? checkedValues($("grades")) : [] })
      .then(function (ok) { return ok && applyHours(false); })
      .then(function (ok) { if (ok) show("fields"); });
  });

  // Step 3: profile fields.
  ENTER.fields = function () {
    return catalogue().then(function (c) {
      if (!c) return;
      var role = state.profile ? state.profile.role : "student";
      var mapped = {};
      (state.profile ? state.profile.fieldMap : []).forEach(function (m) { mapped[m.source] = m; });
      [["builtin", "fields-builtin"], ["udf", "fields-udf"]].forEach(function (pair) {
        var body = $(pair[1]);
        clear(body);
        c.fields.filter(function (f) { return f.kind === pair[0] && f.roles.indexOf(role) >= 0; }).forEach(function (f, i) {
          var id = pair[0] + "-" + i;
          var m = mapped[f.source];
          var choice = el("select", { id: id + "-as", "data-source": f.source, "aria-label": "Profile field for " + f.label });
          [["", "Don't sync"], ["existing", "Map to an existing profile field"], ["text", "<Create new text field>"], ["dropdown", "<Create new dropdown field>"]]
            .forEach(function (o) {
              choice.appendChild(el("option", { value: o[0], text: o[1],
                selected: m ? (m.createAs ? o[0] === m.createAs : o[0] === "existing") : o[0] === "" }));
            });
          var name = el("input", { type: "text", id: id + "-name", value: m ? m.target : f.label, "aria-label": "Profile field name for " + f.label });
          var what = f.label + (f.listItems && f.listItems.length ? " (" + f.listItems.slice(0, 6).join(", ") + (f.listItems.length > 6 ? "…" : "") + ")" : "");
          body.appendChild(el("tr", null, [el("th", { scope: "row", text: what }), el("td", null, [choice]), el("td", null, [name])]));
        });
      });
    });
  };
  $("fields-next").addEventListener("click", function () {
    var fieldMap = [];
    Array.prototype.forEach.call(doc.querySelectorAll("#step-fields select[data-source]"), function (s) {
      if (s.value === "") return;
      var name = $(s.id.replace(/-as$/, "-name")).value.trim();
      var m = { source: s.getAttribute("data-source"), target: name };
      if (s.value !== "existing") m.createAs = s.value;
      fieldMap.push(m);
    });
    saveProfile({ fieldMap: fieldMap }).then(function (ok) { if (ok) return refresh("selection"); });
  });
  /** Reads FACTS SIS again (with progress) and opens the given step. */
  function refresh(step) {
    return longStep("/refresh", {}, "Reading FACTS SIS…").then(function (r) {
      if (!r.ok) { problem(r.data); return; }
      state.page = 1;
      return show(step);
    });
  }

  // Step 4: the people table, shared by User Selection and User Review.
  var FILTERS = {
    "needs-review": { needsReview: "true" }, "new": { newOnly: "true" },
    "in-scope": { status: "importable,excluded,skipped" }, "importable": { status: "importable" },
    "skipped": { status: "skipped" }, "excluded": { status: "excluded" }, "red": { flag: "red" }, "gray": { flag: "gray" },
    "new-errors": { newErrorsOnly: "true" }, "all": {}
  };
  function currentFilter() {
    var f = {};
    var base = FILTERS[state.filter] || {};
    for (var k in base) f[k] = base[k];
    if (state.grade !== "") f.gradeLevel = state.grade;
    if (state.search !== "") f.search = state.search;
    return f;
  }
  function bodyFilter() {
    var q = currentFilter();
    var f = {};
    if (q.status) f.status = q.status.split(",");
    if (q.flag) f.flag = q.flag;
    if (q.gradeLevel) f.gradeLevel = q.gradeLevel;
    if (q.search) f.search = q.search;
    if (q.newOnly) f.newOnly = true;
    if (q.needsReview) f.needsReview = true;
    if (q.newErrorsOnly) f.newErrorsOnly = true;
    return f;
  }
  function query(extra) {
    var params = new URLSearchParams(currentFilter());
    for (var k in extra) params.set(k, extra[k]);
    return params.toString();
  }
  function totals(t) {
    var w = who();
    $("n-sync").textContent = t.toSync; $("w-sync").textContent = w + " to sync";
    $("n-skip").textContent = t.toSkip; $("w-skip").textContent = w + " to skip";
    $("n-exclude").textContent = t.toExclude; $("w-exclude").textContent = w + " to exclude";
    $("n-new").textContent = t.newPeople;
    $("n-errors").textContent = t.newErrors;
  }
  function flagWords(row) {
    if (row.flag === "gray") return "Gray: resolved duplicate";
    var r = row.reasons[0];
    return "Red: " + (r === "duplicate-unresolved" ? "duplicate email" : r === "missing-email" ? "missing email" :
      r === "invalid-email" ? "invalid email" : r === "email-in-use" ? "email in use" : "needs a look");
  }
  function selectedNow(row) { return state.dirty.hasOwnProperty(row.sourceId) ? state.dirty[row.sourceId] : row.selected; }
  function renderRows() {
    var body = $("people-rows");
    var frag = doc.createDocumentFragment();
    state.rows.forEach(function (row) {
      var name = (row.firstName + " " + row.lastName).trim();
      var box = el("input", { type: "checkbox", "data-id": row.sourceId, "aria-label": "Sync " + name, checked: selectedNow(row),
        disabled: row.status === "out-of-scope" });
      var email = row.rawEmail === null || row.rawEmail.trim() === "" ? el("span", { className: "missing", text: "missing" }) : doc.createTextNode(row.rawEmail);
      var reason = row.reasons[0];
      var tr = el("tr", { className: "st-" + row.status + (row.flag ? " fl-" + row.flag : "") + (row.isFamilyContext ? " ctx" : ""), "data-id": row.sourceId }, [
        el("td", null, [box]),
        el("td", { text: row.isNew ? "x" : row.isFamilyContext ? "family" : row.isFixed ? "fixed" : "" }),
        el("td", { text: name }), el("td", { text: row.sourceId }), el("td", { text: row.gradeLevel || "" }),
        el("td", null, [email]),
        el("td", null, [doc.createTextNode(STATUS[row.status] || row.status), reason ? el("span", { className: "why", text: REASONS[reason] || reason }) : null]),
        el("td", null, [row.flag ? el("span", { className: "flag " + row.flag, text: flagWords(row) }) : null,
          row.isNewError ? doc.createTextNode(" new error") : null])
      ]);
      frag.appendChild(tr);
    });
    clear(body);
    body.appendChild(frag);
    var from = state.matching === 0 ? 0 : (state.page - 1) * PAGE_SIZE + 1;
    var to = Math.min(state.page * PAGE_SIZE, state.matching);
    $("matching").textContent = "Showing " + from + "–" + to + " of " + state.matching + " matching";
    $("page-info").textContent = "Page " + state.page + " of " + state.pages;
    $("prev").disabled = state.page <= 1;
    $("next").disabled = state.page >= state.pages;
    $("select-all").textContent = "Select all " + state.matching + " matching";
    $("unselect-all").textContent = "Unselect all " + state.matching + " matching";
    $("select-all").disabled = $("unselect-all").disabled = state.matching === 0;
    var pending = Object.keys(state.dirty).length;
    $("pending").textContent = pending === 0 ? "" : pending + " unsaved change" + (pending === 1 ? "" : "s");
  }
  function loadRows() {
    return request("GET", "/review?" + query({ page: state.page, pageSize: PAGE_SIZE })).then(function (r) {
      if (!r.ok) {
        if (r.data && r.data.code === "NoReview") return refresh(state.step);
        problem(r.data);
        return;
      }
      state.tag = r.data.decisionsTag;
      state.openOn = r.data.openOn;
      state.rows = r.data.rows;
      state.matching = r.data.matching;
      state.pages = r.data.pages;
      totals(r.data.totals);
      renderRows();
      // A counter, not a time: a bench (and a test) waits for the next table to be on screen.
      state.loads += 1;
      $("people-panel").setAttribute("data-loaded", String(state.loads));
    });
  }
  function fillGrades() {
    var select = $("f-grade");
    var current = state.grade;
    clear(select);
    select.appendChild(el("option", { value: "", text: "All grade levels" }));
    var grades = state.profile ? state.profile.gradeLevels : [];
    grades.forEach(function (g) { select.appendChild(el("option", { value: g, text: g, selected: g === current })); });
    $("f-grade-label").hidden = grades.length === 0;
  }
  function enterTable(holder, defaultFilter) {
    $(holder).appendChild($("people-panel"));
    state.filter = defaultFilter;
    state.grade = ""; state.search = ""; state.page = 1;
    $("f-status").value = state.filter;
    $("f-search").value = "";
    fillGrades();
    return loadRows();
  }
  // A re-sync opens where the review says (R5): on the new users and the new errors.
  ENTER.selection = function () {
    return request("GET", "/review?pageSize=1").then(function (r) {
      if (!r.ok && r.data && r.data.code === "NoReview") return refresh("selection");
      if (!r.ok) { problem(r.data); return; }
      state.resync = !!(r.data.openOn && r.data.openOn.needsReview);
      return enterTable("selection-table", state.resync ? "needs-review" : "in-scope");
    });
  };
  ENTER.review = function () { return enterTable("review-table", "in-scope"); };
  function refilter() { state.page = 1; return loadRows(); }
  $("f-status").addEventListener("change", function () { state.filter = $("f-status").value; refilter(); });
  $("f-grade").addEventListener("change", function () { state.grade = $("f-grade").value; refilter(); });
  $("f-search-form").addEventListener("submit", function (e) { e.preventDefault(); state.search = $("f-search").value.trim(); refilter(); });
  $("prev").addEventListener("click", function () { state.page--; loadRows(); });
  $("next").addEventListener("click", function () { state.page++; loadRows(); });
  $("people-rows").addEventListener("change", function (e) {
    var box = e.target;
    var id = box.getAttribute("data-id");
    if (!id) return;
    var row = state.rows.filter(function (r) { return r.sourceId === id; })[0];
    if (row && row.selected === box.checked) delete state.dirty[id]; else state.dirty[id] = box.checked;
    state.ops.push({ op: box.checked ? "select" : "unselect", sourceIds: [id] });
    renderPendingOnly();
  });
  function renderPendingOnly() {
    var pending = Object.keys(state.dirty).length;
    $("pending").textContent = pending === 0 ? "" : pending + " unsaved change" + (pending === 1 ? "" : "s");
  }
  /** Saves pending changes (and any extra ops) with If-Match; a 409 says someone else saved first. */
  function save(extra) {
    var ops = [];
    // Consecutive changes of one kind travel as one op.
    state.ops.concat(extra || []).forEach(function (op) {
      var last = ops[ops.length - 1];
      if (last && last.sourceIds && op.sourceIds && last.op === op.op) last.sourceIds = last.sourceIds.concat(op.sourceIds);
      else ops.push(op.sourceIds ? { op: op.op, sourceIds: op.sourceIds.slice() } : op);
    });
    if (ops.length === 0) return Promise.resolve(true);
    return request("POST", "/decisions", { ops: ops }).then(function (r) {
      if (r.status === 409 && r.data && r.data.code === "StaleDecisions") { staleDecisions(); return false; }
      if (!r.ok) { problem(r.data); return false; }
      state.ops = []; state.dirty = {};
      state.tag = r.data.decisionsTag;
      totals(r.data.totals);
      notice("Saved.");
      return true;
    });
  }
  $("save").addEventListener("click", function () { save().then(function (ok) { if (ok) return loadRows(); }); });
  function bulk(selected) {
    save([{ op: "selectAll", filter: bodyFilter(), selected: selected }]).then(function (ok) { if (ok) return loadRows(); });
  }
  $("select-all").addEventListener("click", function () { bulk(true); });
  $("unselect-all").addEventListener("click", function () { bulk(false); });
  $("selection-next").addEventListener("click", function () { save().then(function (ok) { if (ok) show("duplicates"); }); });
  $("review-next").addEventListener("click", function () { save().then(function (ok) { if (ok) show("tasks"); }); });

  // Resolve Duplicates: a choice per group.
  var groupsShown = [];
  function personLabel(row) {
    return (row.firstName + " " + row.lastName).trim() + " (ID " + row.sourceId + (row.gradeLevel ? ", grade " + row.gradeLevel : "") + ")";
  }
  function renderGroups(groups, members) {
    var box = $("dup-groups");
    clear(box);
    var onlyNew = $("dup-new-only").checked;
    groupsShown = groups.filter(function (g) {
      if (!onlyNew) return true;
      return g.members.some(function (id) { return members[id] && members[id].isNewError; });
    });
    if (groupsShown.length === 0) box.appendChild(el("p", { text: onlyNew ? "No new duplicates." : "No one shares an email address." }));
    groupsShown.forEach(function (g, gi) {
      var name = "dup-" + gi;
      var fs = el("fieldset", { "data-email": g.email, "data-chosen": g.chosen || "" }, [
        el("legend", null, [doc.createTextNode(g.email + " "), el("span", { className: "flag " + g.flag, text: g.flag === "red" ? "Red: choose one" : "Gray: resolved" })])
      ]);
      var choices = el("div", { className: "choices" });
      g.members.forEach(function (id, mi) {
        var row = members[id];
        var rid = name + "-" + mi;
        choices.appendChild(el("span", null, [el("input", { type: "radio", name: name, id: rid, value: id, checked: g.chosen === id }),
          el("label", { "for": rid, text: " " + (row ? personLabel(row) : "ID " + id) })]));
      });
      var lid = name + "-later";
      choices.appendChild(el("span", null, [el("input", { type: "radio", name: name, id: lid, value: "", checked: !g.chosen }),
        el("label", { "for": lid, text: " Decide later (none of them syncs)" })]));
      fs.appendChild(choices);
      box.appendChild(fs);
    });
  }
  var dupCache = null;
  ENTER.duplicates = function () {
    $("dup-new-only").checked = state.resync;
    return request("GET", "/review?pageSize=1").then(function (r) {
      if (!r.ok) { problem(r.data); return; }
      state.tag = r.data.decisionsTag;
      var groups = r.data.duplicateGroups;
      var members = {};
      // One small search per group names its members (the review is paged; a group is a handful of rows).
      var i = 0;
      function next() {
        if (i >= groups.length) return Promise.resolve();
        var g = groups[i++];
        return request("GET", "/review?" + new URLSearchParams({ search: g.email, pageSize: "50" }).toString()).then(function (m) {
          if (m.ok) m.data.rows.forEach(function (row) { members[row.sourceId] = row; });
          return next();
        });
      }
      return Promise.all([next(), next(), next(), next()]).then(function () {
        dupCache = { groups: groups, members: members };
        renderGroups(groups, members);
      });
    });
  };
  $("dup-new-only").addEventListener("change", function () { if (dupCache) renderGroups(dupCache.groups, dupCache.members); });
  $("dup-next").addEventListener("click", function () {
    var ops = [];
    Array.prototype.forEach.call($("dup-groups").querySelectorAll("fieldset"), function (fs) {
      var picked = fs.querySelector("input:checked");
      var chosen = picked ? picked.value : "";
      var before = fs.getAttribute("data-chosen");
      if (chosen === before) return;
      var email = fs.getAttribute("data-email");
      ops.push(chosen === "" ? { op: "unresolveDuplicate", email: email } : { op: "resolveDuplicate", email: email, sourceId: chosen });
    });
    save(ops).then(function (ok) { if (ok) show("excluded"); });
  });

  // Excluded Students: who, and why.
  function loadExcluded() {
    var q = { status: "excluded", page: String(state.excludedPage), pageSize: String(PAGE_SIZE) };
    if ($("exc-new-only").checked) q.newErrorsOnly = "true";
    return request("GET", "/review?" + new URLSearchParams(q).toString()).then(function (r) {
      if (!r.ok) { problem(r.data); return; }
      var body = $("excluded-rows");
      clear(body);
      r.data.rows.forEach(function (row) {
        var reason = row.reasons[0];
        body.appendChild(el("tr", { "data-id": row.sourceId, className: "st-excluded" + (row.flag ? " fl-" + row.flag : "") }, [
          el("td", { text: (row.firstName + " " + row.lastName).trim() }), el("td", { text: row.sourceId }),
          el("td", { text: row.gradeLevel || "" }),
          el("td", null, [row.rawEmail ? doc.createTextNode(row.rawEmail) : el("span", { className: "missing", text: "missing" })]),
          el("td", { text: REASONS[reason] || reason || "" }), el("td", { text: row.isNewError ? "yes" : "" })
        ]));
      });
      $("exc-info").textContent = r.data.matching + " excluded" + ($("exc-new-only").checked ? " with a new error" : "") +
        " · page " + r.data.page + " of " + r.data.pages;
      $("exc-prev").disabled = r.data.page <= 1;
      $("exc-next-page").disabled = r.data.page >= r.data.pages;
    });
  }
  ENTER.excluded = function () { state.excludedPage = 1; $("exc-new-only").checked = state.resync; return loadExcluded(); };
  $("exc-new-only").addEventListener("change", function () { state.excludedPage = 1; loadExcluded(); });
  $("exc-prev").addEventListener("click", function () { state.excludedPage--; loadExcluded(); });
  $("exc-next-page").addEventListener("click", function () { state.excludedPage++; loadExcluded(); });
  function download(path, fileName) {
    return fetch(config.basePath + path, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) return response.json().then(function (data) { problem(data); });
      return response.blob().then(function (blob) {
        var url = URL.createObjectURL(blob);
        var link = el("a", { href: url, download: fileName });
        doc.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      });
    });
  }
  $("error-report").addEventListener("click", function () { download("/errors.csv", "error-report.csv"); });
  $("excluded-next").addEventListener("click", function () { show("review"); });

  // Pending Sync Tasks: counts, examples and reasons, holds, Sync.
  function exampleText(type, a) {
    var who = a.account ? (a.account.firstName + " " + a.account.lastName).trim() + " <" + a.account.email + ">" :
      a.field ? a.field.name + " (" + (a.field.kind || "text") + ")" : "ID " + (a.sourceId || a.accountId);
    var reasons = a.reasons.map(function (r) { return REASONS[r] || r; }).join("; ");
    var changes = a.changes && a.changes.length ? " — " + a.changes.map(function (c) { return c.field; }).join(", ") : "";
    return who + (reasons ? ": " + reasons : "") + changes;
  }
  ENTER.tasks = function () {
    $("sync").disabled = true;
    return request("GET", "/plan").then(function (r) {
      if (!r.ok) { problem(r.data); return; }
      var plan = state.plan = r.data;
      var counts = $("task-counts");
      clear(counts);
      var examples = $("examples");
      clear(examples);
      ACTIONS.forEach(function (pair) {
        var n = plan.counts[pair[0]] || 0;
        var always = pair[0] === "add" || pair[0] === "update" || pair[0] === "archive" || pair[0] === "skip";
        if (!always && n === 0) return;
        counts.appendChild(el("li", { "data-count": pair[0] }, [el("span", { className: "n", text: String(n) }), el("span", { text: pair[1] })]));
        var list = plan.examples[pair[0]] || [];
        if (list.length === 0) return;
        examples.appendChild(el("h3", { text: pair[1] + " (" + n + ")" + (n > list.length ? ", for example" : "") }));
        var ul = el("ul", { "data-examples": pair[0] });
        list.forEach(function (a) { ul.appendChild(el("li", { className: "example", text: exampleText(pair[0], a) })); });
        examples.appendChild(ul);
      });
      var holds = $("holds");
      clear(holds);
      holds.hidden = plan.holds.length === 0;
      if (plan.holds.length > 0) {
        holds.appendChild(el("h3", { text: "This sync is held: read why before syncing" }));
        var list = el("ul");
        plan.holds.forEach(function (h) { list.appendChild(el("li", { text: h.message })); });
        holds.appendChild(list);
        if (plan.acknowledged) {
          holds.appendChild(el("p", { id: "ack-done", className: "granted", text: "Acknowledged: you can sync this plan." }));
        } else {
          var check = el("input", { type: "checkbox", id: "ack-check" });
          var button = el("button", { type: "button", id: "ack", text: "Acknowledge and allow this sync", disabled: true });
          check.addEventListener("change", function () { button.disabled = !check.checked; });
          button.addEventListener("click", function () {
            request("POST", "/acknowledge", { planHash: plan.planHash }).then(function (a) {
              if (!a.ok) { problem(a.data); return; }
              return ENTER.tasks().then(function () { $("sync").focus(); });
            });
          });
          holds.appendChild(el("p", null, [check, el("label", { "for": "ack-check", text: " I have read this and want to sync anyway" })]));
          holds.appendChild(el("p", null, [button]));
        }
      }
      $("sync").disabled = plan.holds.length > 0 && !plan.acknowledged;
    });
  };
  $("sync").addEventListener("click", function () {
    if (!state.plan) return;
    $("sync").disabled = true;
    longStep("/apply", { planHash: state.plan.planHash }, "Syncing…").then(function (r) {
      if (!r.ok) {
        if (r.data && r.data.code === "StalePlan") {
          notice("The roster, the accounts or the decisions changed since this plan was shown: here is the new plan.");
          return ENTER.tasks();
        }
        problem(r.data);
        $("sync").disabled = false;
        return;
      }
      state.lastRun = r.data;
      state.resync = true;
      return show("invite");
    });
  });

  // After the sync: the invite list.
  ENTER.invite = function () {
    var run = state.lastRun;
    var box = $("run-summary");
    clear(box);
    if (!run) { box.appendChild(el("p", { text: "No sync has run in this session yet." })); $("invites").disabled = true; return; }
    var c = run.counts;
    box.appendChild(el("p", { id: "run-result", text: "Sync " + (run.status === "completed" ? "complete" : run.status) + ": " + c.add + " added, " +
      (c.link || 0) + " merged, " + c.update + " updated, " + (c.restore || 0) + " restored, " + c.archive + " archived, " + c.skip + " skipped" +
      (run.failed ? ", " + run.failed + " failed" : "") + "." }));
    box.appendChild(el("p", { text: run.invites + " user" + (run.invites === 1 ? "" : "s") + " to invite (new or never accessed)." }));
    $("invites").disabled = run.invites === 0;
  };
  $("invites").addEventListener("click", function () { download("/invites.csv", "invites.csv"); });

  // Home: a school with a setup re-syncs from here.
  $("preview").addEventListener("click", function () { state.resync = true; refresh("selection"); });
  $("start-over").addEventListener("click", function () { show("key"); });

  request("GET", "/setup").then(function (r) {
    if (!r.ok) { problem(r.data); return; }
    state.profile = r.data.profile;
    state.resync = state.profile !== null;
    $("app").setAttribute("data-ready", "true");
    return show(state.profile === null ? "key" : "home");
  });
})();
`;
