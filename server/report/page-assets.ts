// The report page's stylesheet and script, as text html.ts inlines under the page's nonce. The style takes
// its colours from VS Code's theme variables with light and dark fallbacks (prefers-color-scheme), so the
// same page reads well in a browser and in a webview. The script filters and sorts the per-question table's
// server-rendered rows; it reads the DOM only and never builds markup from data. No data lives here. In a
// VS Code webview (acquireVsCodeApi exists) it also posts `openQuestion` for a clicked question link.

export const PAGE_STYLE = `
:root {
  color-scheme: light dark;
  --bg: var(--vscode-editor-background, #ffffff);
  --fg: var(--vscode-editor-foreground, #1f2328);
  --muted: var(--vscode-descriptionForeground, #59636e);
  --border: var(--vscode-panel-border, #d1d9e0);
  --head: var(--vscode-editorWidget-background, #f6f8fa);
  --focus: var(--vscode-focusBorder, #0969da);
  --ok: var(--vscode-testing-iconPassed, #1a7f37);
  --bad: var(--vscode-testing-iconFailed, #cf222e);
  --input-bg: var(--vscode-input-background, #ffffff);
  --input-fg: var(--vscode-input-foreground, #1f2328);
  --c0: var(--vscode-charts-foreground, #6e7781);
  --c1: var(--vscode-charts-purple, #8250df);
  --c2: var(--vscode-charts-yellow, #bf8700);
  --c3: var(--vscode-charts-orange, #bc4c00);
  --c4: var(--vscode-charts-green, #1a7f37);
  --c5: var(--vscode-charts-red, #cf222e);
  --c6: var(--vscode-charts-blue, #0969da);
  --c7: #1b7c83;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: var(--vscode-editor-background, #0d1117);
    --fg: var(--vscode-editor-foreground, #e6edf3);
    --muted: var(--vscode-descriptionForeground, #9198a1);
    --border: var(--vscode-panel-border, #3d444d);
    --head: var(--vscode-editorWidget-background, #151b23);
    --focus: var(--vscode-focusBorder, #4493f8);
    --ok: var(--vscode-testing-iconPassed, #3fb950);
    --bad: var(--vscode-testing-iconFailed, #f85149);
    --input-bg: var(--vscode-input-background, #0d1117);
    --input-fg: var(--vscode-input-foreground, #e6edf3);
    --c0: var(--vscode-charts-foreground, #9198a1);
    --c1: var(--vscode-charts-purple, #ab7df8);
    --c2: var(--vscode-charts-yellow, #d29922);
    --c3: var(--vscode-charts-orange, #db6d28);
    --c4: var(--vscode-charts-green, #3fb950);
    --c5: var(--vscode-charts-red, #f85149);
    --c6: var(--vscode-charts-blue, #4493f8);
    --c7: #39c5cf;
  }
}
body { background: var(--bg); color: var(--fg); margin: 0 auto; padding: 1rem 1.5rem; max-width: 100rem;
  font-family: var(--vscode-font-family, system-ui, -apple-system, "Segoe UI", sans-serif); font-size: var(--vscode-font-size, 14px); }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
.meta, .note, figcaption, .count { color: var(--muted); }
.meta dt { font-weight: 600; float: left; clear: left; width: 9em; } .meta dd { margin: 0 0 .2em 9em; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid var(--border); padding: .25em .5em; text-align: left; vertical-align: top; }
thead th { background: var(--head); } #questions thead th { position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.figures { display: flex; flex-wrap: wrap; gap: 1.5em; } figure { margin: 0; }
.chart text { fill: var(--fg); font-size: 11px; }
.chart .grid { stroke: var(--border); stroke-width: 1; } .chart .axis { stroke: var(--muted); }
.chart .whisker { stroke: var(--fg); stroke-width: 1.5; fill: none; }
.m0 { fill: var(--c0); background: var(--c0); } .m1 { fill: var(--c1); background: var(--c1); }
.m2 { fill: var(--c2); background: var(--c2); } .m3 { fill: var(--c3); background: var(--c3); }
.m4 { fill: var(--c4); background: var(--c4); } .m5 { fill: var(--c5); background: var(--c5); }
.m6 { fill: var(--c6); background: var(--c6); } .m7 { fill: var(--c7); background: var(--c7); }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 1em; padding: 0; }
.swatch { display: inline-block; width: .9em; height: .9em; margin-right: .35em; vertical-align: -.1em; }
.filters { display: flex; flex-wrap: wrap; gap: .75em; align-items: end; margin: .5em 0; }
.filters label { display: flex; flex-direction: column; font-size: .9em; gap: .15em; }
select, input { background: var(--input-bg); color: var(--input-fg); border: 1px solid var(--border); padding: .2em .35em; font: inherit; }
th button { background: none; border: none; color: inherit; font: inherit; font-weight: 600; cursor: pointer; padding: 0; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; } th[aria-sort="descending"] button::after { content: " \\25BC"; }
:focus-visible { outline: 2px solid var(--focus); outline-offset: 1px; }
a.qlink { color: var(--vscode-textLink-foreground, var(--c6)); } a.qlink:hover { color: var(--vscode-textLink-activeForeground, var(--c6)); }
.ok { color: var(--ok); font-weight: 600; } .bad { color: var(--bad); font-weight: 600; }
tr[hidden] { display: none; }
`;

/** Filtering (method, split, kind, correctness, text) and column sorting of #questions. */
export const PAGE_SCRIPT = `
(function () {
  "use strict";
  // Webview mode only: a question link asks the host to open its dataset line (mouse, or Enter on the link).
  if (typeof acquireVsCodeApi === "function") {
    var host = acquireVsCodeApi();
    document.addEventListener("click", function (e) {
      var a = e.target && e.target.closest ? e.target.closest("a.qlink") : null;
      if (!a) return;
      e.preventDefault();
      host.postMessage({ type: "openQuestion", dataset: Number(a.dataset.dataset), line: Number(a.dataset.line) });
    });
  }
  var table = document.getElementById("questions");
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
  var count = document.getElementById("shown");
  var get = function (id) { return document.getElementById(id); };
  var controls = ["f-method", "f-split", "f-kind", "f-correct", "f-text"].map(get);
  function apply() {
    var method = controls[0].value, split = controls[1].value, kind = controls[2].value;
    var correct = controls[3].value, text = controls[4].value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (r, i) {
      var d = r.dataset;
      var ok = (!method || d.method === method) && (!split || d.split === split) && (!kind || d.kind === kind) &&
        (!correct || d.correct === correct) && (!text || texts[i].indexOf(text) >= 0);
      r.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + " of " + rows.length + " questions shown";
  }
  controls.forEach(function (c) { c.addEventListener("input", apply); c.addEventListener("change", apply); });
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, col) {
    var button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      heads.forEach(function (h) { if (h.querySelector("button")) h.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      var key = function (r) { var c = r.cells[col]; return c.hasAttribute("data-v") ? c.getAttribute("data-v") : c.textContent; };
      var order = rows.map(function (r, i) { return i; });
      order.sort(function (a, b) {
        var x = key(rows[a]), y = key(rows[b]), nx = Number(x), ny = Number(y);
        var cmp = x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
        return cmp * dir || a - b;
      });
      rows = order.map(function (i) { return rows[i]; });
      texts = order.map(function (i) { return texts[i]; });
      var frag = document.createDocumentFragment();
      rows.forEach(function (r) { frag.appendChild(r); });
      body.appendChild(frag);
    });
  });
  apply();
})();
`;
