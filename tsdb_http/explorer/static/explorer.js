// The data explorer: browses the schema with SHOW statements, runs InfluxQL or SQL, shows a table and a chart.
// InfluxQL goes to this server's /query as a POST form, SQL to /api/v3/query_sql as a JSON body (the
// statement stays out of URLs), with the token in an Authorization header; the token lives in this tab's
// sessionStorage only.
(function () {
  "use strict";

  const TOKEN_KEY = "tsdb.explorer.token";
  const MAX_TABLE_ROWS = 2000;
  const COLORS = ["#2a6fdb", "#e8590c", "#2b8a3e", "#c2255c", "#5f3dc4", "#0b7285", "#a07a00", "#495057"];
  const $ = (id) => document.getElementById(id);
  const state = { chart: null, lines: [], checks: 0 };

  // -- token ----------------------------------------------------------------------------------

  function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }

  function showTokenState() {
    $("token-state").textContent = token() ? "token set for this tab" : "no token";
  }

  function saveToken(event) {
    event.preventDefault();
    const value = $("token").value.trim();
    $("token").value = "";  // kept in sessionStorage, not in the page
    if (value) sessionStorage.setItem(TOKEN_KEY, value); else sessionStorage.removeItem(TOKEN_KEY);
    showTokenState();
    loadDatabases();
  }

  function forgetToken() {
    sessionStorage.removeItem(TOKEN_KEY);
    showTokenState();
    clear($("tree"));
  }

  // -- the API ----------------------------------------------------------------------------------

  function quoteIdent(name) { return '"' + name.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"'; }

  function formOf(q, db, rp) {
    const form = new URLSearchParams();
    if (db) form.set("db", db);
    if (rp) form.set("rp", rp);
    form.set("q", q);
    return form;
  }

  async function post(path, contentType, body) {
    const headers = { "Accept": "application/json", "Content-Type": contentType };
    if (token()) headers["Authorization"] = "Token " + token();
    const started = performance.now();
    let response;
    try {
      response = await fetch(path, { method: "POST", headers, body,
                                     credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" });
    } catch (err) {
      return { status: 0, text: String(err), json: null, ms: performance.now() - started };
    }
    const text = await response.text();
    let json = null;
    try { json = JSON.parse(text); } catch (err) { json = null; }
    return { status: response.status, text, json, ms: performance.now() - started };
  }

  function influx(q, db, rp) { return post("/query", "application/x-www-form-urlencoded", formOf(q, db, rp)); }

  function sqlBody(q, db) { return JSON.stringify({ db, q, format: "json" }); }

  // SQL over HTTP (InfluxDB 3's /api/v3/query_sql): an array of row objects, shaped here as one
  // InfluxQL series (columns in order of first appearance: a row leaves its nulls out) for the table.
  async function sql(q, db) {
    const answer = await post("/api/v3/query_sql", "application/json", sqlBody(q, db));
    if (answer.status !== 200 || !Array.isArray(answer.json)) return answer;
    const columns = [];
    const seen = new Set();
    for (const row of answer.json) for (const k of Object.keys(row)) if (!seen.has(k)) { seen.add(k); columns.push(k); }
    const values = answer.json.map((row) => columns.map((c) => (c in row ? row[c] : null)));
    answer.rows = answer.json;
    answer.json = { results: [{ statement_id: 0, series: columns.length ? [{ name: "SQL", columns, values }] : [] }] };
    return answer;
  }

  function lang() { return $("lang").value; }

  // The answer's failure as the API worded it: an HTTP error body, or a statement's error.
  function failureOf(answer) {
    if (answer.status === 0) return "request failed: " + answer.text;
    if (answer.status !== 200) {
      const body = answer.json || {};
      return "HTTP " + answer.status + ": " + (body.error || body.message || answer.text.trim());
    }
    for (const result of (answer.json && answer.json.results) || []) {
      if (result.error) return "statement " + result.statement_id + ": " + result.error;
    }
    return null;
  }

  function sqlFailure(answer) {
    if (answer.status === 0) return "request failed: " + answer.text;
    if (answer.status === 200) return null;
    const body = answer.json || {};
    return "HTTP " + answer.status + ": " + (body.error || answer.text.trim());
  }

  function values(answer) {
    const out = [];
    for (const result of (answer.json && answer.json.results) || []) {
      for (const series of result.series || []) out.push(...(series.values || []));
    }
    return out;
  }

  // -- the schema tree ------------------------------------------------------------------------

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else if (k.startsWith("data-")) node.setAttribute(k, v); else node[k] = v;
    }
    for (const child of children) node.append(child);
    return node;
  }

  // A tree node: a button that loads its children once, then toggles them.
  function branch(kind, label, load, extra) {
    const children = el("ul", { hidden: true });
    const button = el("button", { class: "node", type: "button", "data-kind": kind, "data-name": label },
                      el("span", { class: "kind" }, kind), label);
    let loaded = false;
    button.addEventListener("click", async () => {
      document.querySelectorAll(".tree .selected").forEach((n) => n.classList.remove("selected"));
      button.classList.add("selected");
      if (extra) extra();
      if (!loaded) { loaded = true; await load(children); }
      children.hidden = !children.hidden;
    });
    return el("li", {}, button, children);
  }

  function leaf(kind, label) {
    return el("li", { class: "leaf", "data-kind": kind, "data-name": label }, label);
  }

  async function listInto(list, q, db, make, rp) {
    const answer = await influx(q, db, rp);
    const failure = failureOf(answer);
    if (failure) { showError(failure, null); return; }
    for (const row of values(answer)) list.append(make(row));
    if (!list.firstChild) list.append(el("li", { class: "leaf" }, "(none)"));
  }

  // SHOW DATABASES through InfluxDB 3 Core's endpoint: Cloud Dedicated's InfluxQL (the shim's
  // default dialect) does not implement it on /query.
  async function loadDatabases() {
    const tree = $("tree");
    clear(tree);
    const answer = await post("/api/v3/query_influxql", "application/json",
                              JSON.stringify({ q: "SHOW DATABASES", format: "json" }));
    const failure = sqlFailure(answer);
    if (failure) { showError(failure, null); return; }
    hideError();
    const names = (Array.isArray(answer.json) ? answer.json : []).map((row) => row.name);
    fillSelect($("db"), names, "(none)");
    for (const db of names) {
      tree.append(branch("db", db, (ul) => listInto(ul, "SHOW RETENTION POLICIES ON " + quoteIdent(db), db,
                                                   (row) => rpNode(db, row[0])), () => choose(db, "")));
    }
  }

  function rpNode(db, rp) {
    return branch("rp", rp, (ul) => listInto(ul, "SHOW MEASUREMENTS ON " + quoteIdent(db), db,
                                             (row) => measurementNode(db, rp, row[0]), rp), () => choose(db, rp));
  }

  // A SHOW names the policy with the request's rp: InfluxDB 3 takes no policy in a SHOW's FROM.
  function measurementNode(db, rp, m) {
    const from = quoteIdent(rp) + "." + quoteIdent(m);
    return branch("measurement", m, async (ul) => {
      const tags = el("ul", {}), fields = el("ul", {});
      ul.append(el("li", { class: "section" }, "tag keys", tags), el("li", { class: "section" }, "field keys", fields));
      await listInto(tags, "SHOW TAG KEYS ON " + quoteIdent(db) + " FROM " + quoteIdent(m), db,
                     (row) => tagNode(db, rp, m, row[0]), rp);
      await listInto(fields, "SHOW FIELD KEYS ON " + quoteIdent(db) + " FROM " + quoteIdent(m), db,
                     (row) => leaf("field", row[0] + " (" + row[1] + ")"), rp);
    }, () => {
      choose(db, rp);
      $("query").value = lang() === "sql" ? "SELECT * FROM " + quoteIdent(m) + " ORDER BY time DESC LIMIT 100"
                                          : "SELECT * FROM " + from + " LIMIT 100";
    });
  }

  // InfluxDB 3 answers SHOW TAG VALUES for the last 24 hours unless WHERE bounds time.
  const SINCE_EVER = " WHERE time >= '1678-01-01T00:00:00Z'";

  function tagNode(db, rp, m, key) {
    return branch("tag", key, (ul) => listInto(ul, "SHOW TAG VALUES ON " + quoteIdent(db) + " FROM " + quoteIdent(m) +
                                                   " WITH KEY = " + quoteIdent(key) + SINCE_EVER, db,
                                               (row) => leaf("value", row[1]), rp));
  }

  function fillSelect(select, names, none) {
    const keep = select.value;
    clear(select);
    select.append(el("option", { value: "" }, none));
    for (const name of names) select.append(el("option", { value: name }, name));
    if (names.includes(keep)) select.value = keep;
  }

  async function choose(db, rp) {
    $("db").value = db;
    const answer = await influx("SHOW RETENTION POLICIES ON " + quoteIdent(db), db);
    fillSelect($("rp"), failureOf(answer) ? [] : values(answer).map((row) => row[0]), "(default)");
    $("rp").value = rp;
  }

  // -- running a query --------------------------------------------------------------------------

  async function run() {
    const q = $("query").value;
    const db = $("db").value, rp = $("rp").value;
    const isSql = lang() === "sql";
    $("stats").textContent = "running…";
    const answer = isSql ? await sql(q, db) : await influx(q, db, rp);
    const failure = isSql ? sqlFailure(answer) : failureOf(answer);
    const rows = values(answer).length;
    if (failure) showError(failure, q); else hideError();
    renderTables(answer);
    renderChart(answer, isSql ? sqlLines(answer) : linesOf(answer));
    if (isSql) clearVerdicts(); else check(q);  // (not awaited: the verdicts come beside the results)
    const series = answer.json && answer.json.results ? answer.json.results.reduce((n, r) => n + (r.series || []).length, 0) : 0;
    $("stats").textContent = (isSql ? state.lines.length + " lines · " : series + " series · ") + rows + " rows · " +
                             answer.ms.toFixed(1) + " ms";
  }

  // -- portability: will the InfluxQL run on InfluxDB 1.x and on InfluxDB 3 (this server's /api/tsdb/check)

  const PRODUCTS = [["influxdb1", "InfluxDB 1.x"], ["influxdb3", "InfluxDB 3 / Cloud Dedicated"]];

  function clearVerdicts() { state.checks++; const box = $("verdicts"); clear(box); box.hidden = true; }

  function verdictLine(v, many) {
    const parts = PRODUCTS.map(([key, name]) => {
      const r = v[key];
      const words = [name + ": " + (r.runs ? (r.note ? "runs, differently" : "runs") : "fails")];
      if (r.error) words.push(r.error);
      if (r.note) words.push(r.note);
      if (r.v3_way) words.push("instead: " + r.v3_way);
      return el("span", { class: r.runs ? (r.note ? "differs" : "runs") : "fails", "data-product": key },
                words.join(" — "));
    });
    const line = el("li", { "data-portable": String(v.portable) });
    if (many) line.append(el("code", {}, v.statement), " ");
    parts.forEach((part, i) => line.append(...(i ? [" · ", part] : [part])));
    return line;
  }

  // The verdicts of q; a later check (or query) replaces an earlier one still on its way.
  async function check(q) {
    const ticket = ++state.checks;
    const box = $("verdicts");
    if (lang() === "sql" || !q.trim()) { clearVerdicts(); return; }
    const answer = await post("/api/tsdb/check", "application/x-www-form-urlencoded", formOf(q));
    if (ticket !== state.checks) return;
    clear(box);
    box.hidden = false;
    box.append(el("h3", {}, "Portability"));
    if (answer.status !== 200 || !answer.json || !Array.isArray(answer.json.verdicts)) {
      const body = answer.json || {};
      box.append(el("p", { class: "fails" }, "check failed: HTTP " + answer.status + ": " +
                                                (body.error || body.message || answer.text.trim())));
      return;
    }
    const verdicts = answer.json.verdicts;
    box.append(el("ul", {}, ...verdicts.map((v) => verdictLine(v, verdicts.length > 1))));
  }

  // -- errors: the API's words, and the position marked for parse errors ----------------------

  function hideError() { $("error").hidden = true; clear($("error-context")); }

  // [line, char] of a parse error: 1.x words it "at line L, char C", InfluxDB 3 "at pos N" (a byte offset).
  function positionOf(message, q) {
    const lc = /at line (\d+), char (\d+)/.exec(message);
    if (lc) return [Number(lc[1]), Number(lc[2])];
    const pos = /at pos (\d+)$/.exec(message);
    if (!pos) return null;
    const before = new TextDecoder().decode(new TextEncoder().encode(q).slice(0, Number(pos[1])));
    const lines = before.split("\n");
    return [lines.length, lines[lines.length - 1].length + 1];
  }

  function showError(message, q) {
    $("error").hidden = false;
    $("error-message").textContent = message;
    const context = $("error-context");
    clear(context);
    const at = q === null ? null : positionOf(message, q);
    if (!at) return;
    const lines = q.split("\n");
    const [lineNo, charNo] = at;
    const line = lines[lineNo - 1] || "";
    const i = Math.min(Math.max(charNo - 1, 0), line.length);
    const word = (/^\S+/.exec(line.slice(i)) || [""])[0] || " ";
    context.append("line " + lineNo + ": " + line.slice(0, i), el("mark", { "data-line": lineNo, "data-char": charNo }, word),
                   line.slice(i + word.length));
    const offset = lines.slice(0, lineNo - 1).reduce((n, l) => n + l.length + 1, 0) + i;
    const editor = $("query");
    editor.focus();
    editor.setSelectionRange(offset, offset + word.trim().length);
  }

  // -- the table ------------------------------------------------------------------------------

  function seriesTitle(series) {
    const tags = Object.entries(series.tags || {}).map(([k, v]) => k + "=" + v).join(", ");
    return (series.name || "") + (tags ? " (" + tags + ")" : "");
  }

  function renderTables(answer) {
    const out = $("results");
    clear(out);
    let shown = 0;
    for (const result of (answer.json && answer.json.results) || []) {
      for (const series of result.series || []) {
        const table = el("table", { "data-series": seriesTitle(series) }, el("caption", {}, seriesTitle(series)));
        table.append(el("tr", {}, ...series.columns.map((c) => el("th", {}, c))));
        for (const row of series.values || []) {
          if (shown++ >= MAX_TABLE_ROWS) break;
          table.append(el("tr", {}, ...row.map((v) => el("td", {}, v === null ? "" : String(v)))));
        }
        out.append(table);
      }
      if (result.messages) for (const m of result.messages) out.append(el("p", { class: "note" }, m.level + ": " + m.text));
    }
    if (shown > MAX_TABLE_ROWS) out.append(el("p", { class: "note" }, "table shows the first " + MAX_TABLE_ROWS + " rows"));
  }

  // -- the chart: one line per series and numeric column, time on x -----------------------------

  function seconds(t) {
    if (typeof t === "number") return t / 1e9;  // (the page asks for RFC3339; numbers would be ns)
    let text = String(t).replace(/(\.\d{3})\d*/, "$1");
    if (/T[\d:.]+$/.test(text)) text += "Z";  // SQL's times carry no zone: they are UTC
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? null : ms / 1000;
  }

  function linesOf(answer) {
    const lines = [];
    for (const result of (answer.json && answer.json.results) || []) {
      for (const series of result.series || []) {
        if (series.columns[0] !== "time" || !series.values) continue;
        series.columns.forEach((column, c) => {
          if (c === 0 || !series.values.some((row) => typeof row[c] === "number")) return;
          const label = seriesTitle(series) + " " + column;
          lines.push({ label, xs: series.values.map((row) => seconds(row[0])),
                       ys: series.values.map((row) => (typeof row[c] === "number" ? row[c] : null)) });
        });
      }
    }
    return lines;
  }

  // SQL rows: x is the `time` column; a line per numeric column, and per combination of the rows'
  // text columns (tags, as InfluxDB 3 returns them) when there are any, as GROUP BY tags would split it.
  function sqlLines(answer) {
    const rows = answer.rows || [];
    if (!rows.some((row) => "time" in row)) return [];
    const columns = answer.json.results[0].series[0].columns;
    const numeric = columns.filter((c) => c !== "time" && rows.some((row) => typeof row[c] === "number"));
    const text = columns.filter((c) => c !== "time" && !numeric.includes(c) && rows.some((row) => typeof row[c] === "string"));
    const groups = new Map();
    for (const row of rows) {
      const key = text.filter((c) => c in row).map((c) => c + "=" + row[c]).join(", ");
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(row);
    }
    const lines = [];
    for (const [key, members] of groups) {
      for (const column of numeric) {
        if (!members.some((row) => typeof row[column] === "number")) continue;
        lines.push({ label: (key ? key + " " : "") + column, xs: members.map((row) => seconds(row.time)),
                     ys: members.map((row) => (typeof row[column] === "number" ? row[column] : null)) });
      }
    }
    return lines;
  }

  function renderChart(answer, lines) {
    const box = $("chart");
    if (state.chart) { state.chart.destroy(); state.chart = null; }
    clear(box);
    state.lines = lines;
    box.setAttribute("data-lines", String(state.lines.length));
    if (!state.lines.length || typeof uPlot === "undefined") return;
    const tables = state.lines.map((l) => {
      const order = l.xs.map((x, i) => i).filter((i) => l.xs[i] !== null).sort((a, b) => l.xs[a] - l.xs[b]);
      return [order.map((i) => l.xs[i]), order.map((i) => l.ys[i])];
    });
    const data = uPlot.join(tables);
    const opts = {
      width: Math.max(box.clientWidth, 400), height: 320,
      scales: { x: { time: true } },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),  // UTC, as the table's RFC3339 times
      cursor: { drag: { x: true, y: false } },  // drag to zoom, double-click to reset
      series: [{ label: "time" }, ...state.lines.map((l, i) => ({ label: l.label, stroke: COLORS[i % COLORS.length],
                                                                   width: 1.5, spanGaps: true }))],
    };
    state.chart = new uPlot(opts, data, box);
  }

  // -- copy as curl ------------------------------------------------------------------------------

  function shellQuote(s) { return "'" + s.replace(/'/g, "'\\''") + "'"; }

  // The request the page would send, with the token as the shell variable $TOKEN (never the secret).
  function curlCommand() {
    if (lang() === "sql") {
      const parts = ["curl -XPOST " + shellQuote(location.origin + "/api/v3/query_sql")];
      if (token()) parts.push('-H "Authorization: Token $TOKEN"');
      parts.push("-H 'Content-Type: application/json'", "--data-binary " + shellQuote(sqlBody($("query").value, $("db").value)));
      return parts.join(" \\\n  ");
    }
    const parts = ["curl -XPOST " + shellQuote(location.origin + "/query")];
    if (token()) parts.push('-H "Authorization: Token $TOKEN"');
    for (const [k, v] of formOf($("query").value, $("db").value, $("rp").value)) {
      parts.push("--data-urlencode " + shellQuote(k + "=" + v));
    }
    return parts.join(" \\\n  ");
  }

  async function copyCurl() {
    const text = curlCommand();
    const pre = $("curl");
    pre.hidden = false;
    pre.textContent = text;
    try { await navigator.clipboard.writeText(text); } catch (err) { /* shown above, to copy by hand */ }
  }

  // -- wiring ---------------------------------------------------------------------------------------

  window.tsdbExplorer = {
    chart: () => state.chart,
    lines: () => state.lines.map((l) => ({ label: l.label, points: l.ys.filter((y) => y !== null).length })),
    curl: curlCommand,
    verdicts: () => Array.from(document.querySelectorAll("#verdicts li")).map((li) => li.textContent),
  };

  document.addEventListener("DOMContentLoaded", () => {
    $("token-form").addEventListener("submit", saveToken);
    $("token-forget").addEventListener("click", forgetToken);
    $("refresh").addEventListener("click", loadDatabases);
    $("run").addEventListener("click", run);
    $("copy-curl").addEventListener("click", copyCurl);
    $("check").addEventListener("click", () => check($("query").value));
    $("db").addEventListener("change", () => choose($("db").value, ""));
    $("lang").addEventListener("change", () => {
      const isSql = lang() === "sql";
      $("query-label").firstChild.textContent = isSql ? "SQL " : "InfluxQL ";
      $("rp").disabled = isSql;  // (SQL names a database; its tables are the default policy's)
      $("check").disabled = isSql;  // (the check is of InfluxQL)
      if (isSql) clearVerdicts();
    });
    $("query").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });
    showTokenState();
    loadDatabases();
  });
})();
