// The report as one self-contained HTML page: the run's description, the comparison table, grouped bar
// charts with bootstrap intervals, efficacy by relation path (RippleEdits categories), and the per-question table (before → after answers) with filters and
// sorting. No external resource of any kind; a strict CSP (default-src 'none', style and script only under
// the page's nonce) so the same text can be a VS Code webview's HTML. Every string from the data is escaped.
// Pure: a result in, the page's text out.
import { createHash } from 'node:crypto';
import type { EvalRunResult, QuestionRecord, SummaryRow } from '../runtime/eval/result';
import { chartFigures, legend } from './charts';
import { escapeHtml as esc } from './escape';
import { PAGE_SCRIPT, PAGE_STYLE } from './page-assets';
import { COLUMNS, exactMatchOf, formatCell, orderOf, reportRows } from './summary';

export interface RenderOptions {
  /** The nonce of the page's one style and one script element (default: derived from the data). */
  readonly nonce?: string;
  /** A webview's `cspSource`, allowed for styles and images besides the nonce. */
  readonly cspSource?: string;
  /** The result files the report was made from, for its header. */
  readonly sources?: readonly string[];
  /**
   * Webview mode (the editor's evaluation panel): each question links to its line in its dataset file; the
   * page posts `openQuestion` (webview-messages.ts) and the host opens it. Off for the standalone page.
   */
  readonly webview?: boolean;
}

const NONCE_RE = /^[A-Za-z0-9+/=_-]{16,}$/;

function contentSecurityPolicy(nonce: string, cspSource?: string): string {
  const extra = cspSource ? ` ${cspSource}` : '';
  return `default-src 'none'; style-src 'nonce-${nonce}'${extra}; script-src 'nonce-${nonce}'; img-src data:${extra}; base-uri 'none'; form-action 'none'`;
}

function summaryTable(rows: readonly SummaryRow[]): string {
  const head = `<tr><th scope="col">split</th><th scope="col">method</th><th scope="col">instances</th>${COLUMNS.map((c) => `<th scope="col">${esc(c.label)}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      (r) =>
        `<tr><td>${esc(r.split)}</td><th scope="row">${esc(r.method)}</th><td class="num">${r.n_instances}</td>${COLUMNS.map((c) => `<td class="num">${esc(formatCell(exactMatchOf(r, c.key)))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table id="summary"><caption class="note">Exact match in %, [bootstrap 95% interval] and (number of questions)</caption><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
}

/** Propagation efficacy by relation path (or RippleEdits category), one table per split, methods as columns. */
function pathTables(rows: readonly SummaryRow[]): string {
  const { methods, splits } = orderOf(rows);
  return splits
    .map((split) => {
      const mine = methods.map((m) => rows.find((r) => r.split === split && r.method === m));
      const paths = [...new Set(mine.flatMap((r) => (r ? Object.keys(r.by_path) : [])))].sort();
      if (paths.length === 0) return '';
      const head = `<tr><th scope="col">path</th>${methods.map((m) => `<th scope="col">${esc(m)}</th>`).join('')}</tr>`;
      const body = paths
        .map((p) => {
          const cells = mine.map((r) => {
            const summary = r?.by_path[p];
            return `<td class="num">${summary ? esc(formatCell(summary.exact_match)) : '–'}</td>`;
          });
          return `<tr><th scope="row">${esc(p || '(none)')}</th>${cells.join('')}</tr>`;
        })
        .join('\n');
      return `<table class="by-path" data-split="${esc(split)}"><caption>${esc(split)}: efficacy by relation path (verbatim and non-verbatim questions)</caption><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
    })
    .join('\n');
}

const KIND_LABEL = { verbatim: 'verbatim', 'non-verbatim': 'non-verbatim', locality: 'locality' } as const;

/** The question cell: plain text, or in webview mode a link the page script turns into `openQuestion`. */
function questionCell(r: QuestionRecord, datasets: readonly string[] | null): string {
  const index = datasets ? datasets.indexOf(r.dataset) : -1;
  if (index < 0) return `<td>${esc(r.question)}</td>`;
  const where = `${r.dataset}:${r.line}`;
  return `<td><a href="#" class="qlink" data-dataset="${index}" data-line="${r.line}" title="Open ${esc(where)}">${esc(r.question)}</a></td>`;
}

function questionRow(r: QuestionRecord, datasets: readonly string[] | null): string {
  const gold = r.aliases.length ? `${r.answer} (also: ${r.aliases.join(', ')})` : r.answer;
  const mark = r.exact_match ? '<span class="ok">✓</span>' : '<span class="bad">✗</span>';
  const lp = `${r.logprob_before.toFixed(2)} → ${r.logprob_after.toFixed(2)}`;
  return (
    `<tr data-method="${esc(r.method)}" data-split="${esc(r.split)}" data-kind="${esc(r.kind)}" data-correct="${r.exact_match ? '1' : '0'}">` +
    `<td>${esc(r.method)}</td><td>${esc(r.split)}</td><td data-v="${esc(r.instance_id)}">${esc(r.instance_id)}</td>` +
    `<td>${esc(KIND_LABEL[r.kind] ?? r.kind)}</td><td>${esc(r.path)}</td>${questionCell(r, datasets)}<td>${esc(gold)}</td>` +
    `<td>${esc(r.before)} → ${esc(r.after)}</td><td data-v="${r.exact_match ? 1 : 0}" aria-label="${r.exact_match ? 'correct' : 'incorrect'}">${mark}</td>` +
    `<td class="num" data-v="${r.logprob_after}">${lp}</td></tr>`
  );
}

function select(id: string, label: string, values: readonly string[], names?: readonly string[]): string {
  const options = values.map((v, i) => `<option value="${esc(v)}">${esc(names?.[i] ?? v)}</option>`).join('');
  return `<label for="${id}">${esc(label)}<select id="${id}"><option value="">all</option>${options}</select></label>`;
}

function questionTable(result: EvalRunResult, rows: readonly SummaryRow[], webview: boolean): string {
  const datasets = webview ? result.config.datasets : null;
  const { methods, splits } = orderOf(rows);
  const records = [...result.records].sort(
    (a, b) =>
      splits.indexOf(a.split) - splits.indexOf(b.split) ||
      methods.indexOf(a.method) - methods.indexOf(b.method) ||
      (a.dataset < b.dataset ? -1 : a.dataset > b.dataset ? 1 : 0) ||
      a.instance_index - b.instance_index ||
      a.question_index - b.question_index,
  );
  const heads = [
    'method',
    'split',
    'instance',
    'kind',
    'path',
    'question',
    'gold',
    'before → after',
    'correct after',
    'log-prob before → after',
  ];
  const filters = [
    '<div class="filters" role="search" aria-controls="questions">',
    select('f-method', 'method', methods),
    select('f-split', 'split', splits),
    select('f-kind', 'kind', Object.keys(KIND_LABEL)),
    select('f-correct', 'after the edit', ['1', '0'], ['correct', 'incorrect']),
    '<label for="f-text">search<input id="f-text" type="search" placeholder="question, answer, instance"></label>',
    `<span id="shown" class="count" role="status" aria-live="polite">${records.length} of ${records.length} questions shown</span>`,
    '</div>',
  ].join('');
  return [
    filters,
    '<table id="questions"><caption class="note">Every question of the run; sort by a column heading, filter above</caption>',
    `<thead><tr>${heads.map((h) => `<th scope="col" aria-sort="none"><button type="button">${esc(h)}</button></th>`).join('')}</tr></thead>`,
    `<tbody>\n${records.map((r) => questionRow(r, datasets)).join('\n')}\n</tbody></table>`,
  ].join('\n');
}

function describeRun(result: EvalRunResult, sources: readonly string[]): string {
  const c = result.config;
  const items: Array<[string, string]> = [
    ['result files', sources.join(', ') || '(in memory)'],
    ['model', c.model],
    ['datasets', c.datasets.join(', ')],
    ['methods', c.methods.join(', ')],
    ['instances', c.limit === null ? 'all' : `the first ${c.limit} of each dataset`],
    ['seed', `${c.seed}; bootstrap ${c.bootstrap.resamples} resamples, seed ${c.bootstrap.seed}`],
    ['created', result.created],
    [
      'versions',
      Object.entries(result.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ],
    [
      'time',
      `${result.timings.total_s.toFixed(1)} s (${Object.entries(result.timings.per_method_s)
        .map(([m, s]) => `${m} ${s.toFixed(1)} s`)
        .join(', ')})`,
    ],
  ];
  return `<dl class="meta">${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

/** The page for one (merged) result. */
export function renderReport(result: EvalRunResult, options: RenderOptions = {}): string {
  const rows = reportRows(result);
  const nonce =
    options.nonce ??
    createHash('sha256').update(JSON.stringify(result.records)).digest('base64url').slice(0, 24);
  if (!NONCE_RE.test(nonce))
    throw new Error(
      `renderReport: a nonce must be 16 or more base64 characters, got ${JSON.stringify(nonce)}`,
    );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(nonce, options.cspSource))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PropMEND evaluation report</title>
<style nonce="${nonce}">${PAGE_STYLE}</style>
</head>
<body>
<main>
<h1>PropMEND evaluation report</h1>
${describeRun(result, options.sources ?? [])}
<h2 id="table-heading">Comparison</h2>
${summaryTable(rows)}
<h2 id="charts-heading">Charts</h2>
${legend(rows)}
<div class="figures">
${chartFigures(rows)}
</div>
<h2 id="paths-heading">By relation path</h2>
${pathTables(rows)}
<h2 id="questions-heading">Questions</h2>
${questionTable(result, rows, options.webview ?? false)}
</main>
<script nonce="${nonce}">${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
